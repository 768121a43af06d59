#!/bin/bash
# Device call 1: the engine-shaped serving loop, MoE (the eager expert loop and grouped_mm, two
# architectures), speculative decoding.
H=$(cd "$(dirname "$0")" && pwd)
R="--capture-range=cudaProfilerApi --capture-range-end=stop"
bash $H/zoocap.sh 1 \
  "engine-node|engine|--cuda-graph-trace=node|100" \
  "moe-qwen3-eager|moe-qwen3-eager --range|$R|110" \
  "moe-qwen3-grouped|moe-qwen3-grouped_mm --range|$R|90" \
  "spec-range|spec --range|$R|90" \
  "moe-mixtral-grouped|moe-mixtral-grouped_mm --range|$R|90"
