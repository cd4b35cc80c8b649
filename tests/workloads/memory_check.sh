#!/usr/bin/env bash
# memory_check.sh SCALEBENCH CHECKER: a batch whose step cannot fit in this machine's memory ends
# at once with a failed record naming the bytes needed and available, before allocating any.
set -u
sb=$1; checker=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
start=$(date +%s)
timeout 120 "$sb" run --workload resnet50 --backend cpu --batch 200000 --steps 1 --warmup 0 \
  --out result.json 2>stderr.txt
rc=$?
cat stderr.txt
[ "$rc" = 1 ] || { echo "FAIL: exit status $rc, expected 1"; exit 1; }
[ $(( $(date +%s) - start )) -lt 30 ] || { echo "FAIL: took too long (allocated first?)"; exit 1; }
grep -Eq "need [0-9.]+ GiB \([0-9]+ bytes\) of host memory, and this node has [0-9.]+ GiB" stderr.txt ||
  { echo "FAIL: the message does not name the bytes needed and available"; exit 1; }
"$checker" result.json --status failed --error-contains "the step does not fit"
