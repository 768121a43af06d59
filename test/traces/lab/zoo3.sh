#!/bin/bash
# Device call 3: torch.compile max-autotune (Triton GEMM templates), the one zoo workload zoo2.sh's lease missed.
H=$(cd "$(dirname "$0")" && pwd)
bash $H/zoocap.sh 4 "autotune-range|autotune --range|--capture-range=cudaProfilerApi --capture-range-end=stop|420"
