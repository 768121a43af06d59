#!/bin/bash
# Device call 2: the Mixtral expert loop, FP8 linears, the serving loop at graph level, a training loop, a
# whole-process MoE capture (two generate() calls), torch.compile max-autotune.
H=$(cd "$(dirname "$0")" && pwd)
R="--capture-range=cudaProfilerApi --capture-range-end=stop"
bash $H/zoocap.sh 2 \
  "fp8-range|fp8 --range|$R|90" \
  "engine-graph|engine||90" \
  "moe-mixtral-eager|moe-mixtral-eager --range|$R|90" \
  "moe-qwen3-whole|moe-qwen3-grouped_mm||90" \
  "train-whole|train||70" \
  "autotune-range|autotune --range|$R|180"
