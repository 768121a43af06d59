#!/bin/bash
# Capture zoo.py workloads with Nsight Systems on the device machine: profile one after another (the GPU is
# not shared), export + scrub + xz in the background while the next one runs; everything lands in one tar in $OUT.
# usage: bash zoocap.sh TAG "name|zoo.py args|extra nsys flags|timeout" ...
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=${LAB:-$HERE/../../../.lab}
TAG=$1; shift
NSYS=$(ls -d /opt/nvidia/nsight-compute/*/host/target-linux-x64/nsys | tail -1)
H=$(dirname $(dirname $NSYS))
mkdir -p /tmp/libs; for f in $LAB/debs/*.deb; do dpkg -x $f /tmp/libs; done
export LD_LIBRARY_PATH=/tmp/libs/usr/lib/x86_64-linux-gnu:$LD_LIBRARY_PATH
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1 PYTHONUNBUFFERED=1
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
mkdir -p /tmp/cap /tmp/zoo; cd /tmp/cap
$NSYS --version; nvidia-smi -L
post() {
  local name=$1
  if [ ! -f /tmp/cap/$name.nsys-rep ] && [ -f /tmp/cap/$name.qdstrm ]; then
    $H/linux-desktop-glibc_2_11_3-x64/QdstrmImporter -i /tmp/cap/$name.qdstrm > /dev/null 2>&1
  fi
  $NSYS export --type sqlite -f true -o /tmp/cap/$name.sqlite /tmp/cap/$name.nsys-rep > /tmp/cap/$name.export.log 2>&1
  python3 $LAB/scrub.py --replace "$HERE=/home/user/tp-lab/lab" --replace "/tmp/cap=/home/user/out" /tmp/cap/$name.sqlite > /dev/null
  python3 $HERE/scrub_nul.py /tmp/cap/$name.sqlite > /dev/null
  xz -T4 -6 -c /tmp/cap/$name.sqlite > /tmp/zoo/$name.sqlite.xz
  flock /tmp/zoo.lock tar rf $OUT/zoo-$TAG.tar -C /tmp/zoo $name.sqlite.xz $name.truth.json $name.log
  echo "--- $name exported: $(ls -la /tmp/cap/$name.sqlite | awk '{print $5}') bytes, xz $(ls -la /tmp/zoo/$name.sqlite.xz | awk '{print $5}')"
}
START=$(date +%s); DEADLINE=${DEADLINE:-520}
for spec in "$@"; do
  IFS='|' read name args nflags tmo <<< "$spec"
  if [ $(( $(date +%s) - START + ${tmo:-150} )) -gt $DEADLINE ]; then echo "=== $name skipped: no time left"; continue; fi
  echo "=== $name: zoo.py $args | nsys $nflags  ($(date +%T))"
  t0=$(date +%s)
  TRUTH=/tmp/zoo/$name.truth.json timeout ${tmo:-150} $NSYS profile -t cuda,nvtx,osrt -s none --cpuctxsw=none \
    -o /tmp/cap/$name --force-overwrite true $nflags python3 $HERE/zoo.py $args > /tmp/zoo/$name.log 2>&1
  echo "rc=$? profile $(( $(date +%s) - t0 ))s"
  grep -v "^$" /tmp/zoo/$name.log | grep -iv warn | tail -12
  post $name &
done
wait
ls -la /tmp/zoo $OUT
