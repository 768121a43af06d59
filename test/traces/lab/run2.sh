#!/bin/bash
# Call 2: static cache (decode as CUDA graphs via torch.compile reduce-overhead), and torch.compile without graphs.
H=$(cd "$(dirname "$0")" && pwd)
R="--capture-range=cudaProfilerApi --capture-range-end=stop"
bash $H/cap.sh \
  "hf-static-node|static --range|$R --cuda-graph-trace=node|190" \
  "hf-static-whole|static||160" \
  "hf-compile-range|compile --range|$R|160" 2>&1 | tee $OUT/run2.log
ls -la $OUT
