#!/bin/bash
# Call 1: eager, continuous batching, multi-process captures.
H=$(cd "$(dirname "$0")" && pwd)
R="--capture-range=cudaProfilerApi --capture-range-end=stop"
nvidia-smi -L
bash $H/cap.sh \
  "hf-eager-whole|eager||150" \
  "hf-eager-range|eager --range|$R|150" \
  "hf-cb-range|cb --range|$R|180" \
  "hf-mp-whole|mp||150" \
  "hf-cbgraph-node|cbgraph --range|$R --cuda-graph-trace=node|200" 2>&1 | tee $OUT/run1.log
ls -la $OUT
