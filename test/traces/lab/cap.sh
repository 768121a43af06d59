#!/bin/bash
# Capture hfrun.py workloads with Nsight Systems and export SQLite (scrubbed, xz) into $OUT.
# usage: bash cap.sh "name|hfrun args|extra nsys flags|timeout" ...
HERE=$(cd "$(dirname "$0")" && pwd)
H=/opt/nvidia/nsight-compute/2025.3.1/host
NSYS=$H/target-linux-x64/nsys
mkdir -p /tmp/libs; for f in $HERE/debs/*.deb; do dpkg -x $f /tmp/libs; done
export LD_LIBRARY_PATH=/tmp/libs/usr/lib/x86_64-linux-gnu:$LD_LIBRARY_PATH
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1 PYTHONUNBUFFERED=1
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
mkdir -p /tmp/cap; cd /tmp/cap
for spec in "$@"; do
  IFS='|' read name args nflags tmo <<< "$spec"
  echo "=== $name: hfrun.py $args | nsys $nflags"
  t0=$(date +%s)
  timeout ${tmo:-150} $NSYS profile -t cuda,nvtx,osrt -s none --cpuctxsw=none -o /tmp/cap/$name --force-overwrite true $nflags \
    python3 $HERE/hfrun.py $args 2>&1 | grep -v "^$" | grep -v Warning | tail -25
  t1=$(date +%s)
  if [ ! -f /tmp/cap/$name.nsys-rep ] && [ -f /tmp/cap/$name.qdstrm ]; then
    $H/linux-desktop-glibc_2_11_3-x64/QdstrmImporter -i /tmp/cap/$name.qdstrm 2>&1 | tail -2
  fi
  $NSYS export --type sqlite -f true -o /tmp/cap/$name.sqlite /tmp/cap/$name.nsys-rep 2>&1 | tail -1
  python3 $HERE/scrub.py --replace "$HERE=/home/user/tp-lab/lab" /tmp/cap/$name.sqlite
  t2=$(date +%s)
  echo "profile $((t1-t0))s export $((t2-t1))s"
  ls -la /tmp/cap/$name.sqlite && xz -T8 -6 -c /tmp/cap/$name.sqlite > $OUT/$name.sqlite.xz
  ls -la $OUT/$name.sqlite.xz
done
