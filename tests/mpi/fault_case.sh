#!/usr/bin/env bash
# fault_case.sh SCALEBENCH CHECKER FAULT STATUS ERROR_TEXT: four ranks, one faulty; the job must
# end non-zero well within the 10 s timeout plus start-up, and rank 0's record must say why.
set -u
sb=$1; checker=$2; fault=$3; status=$4; text=$5
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
start=$(date +%s)
timeout 120 mpirun -np 4 --oversubscribe --bind-to none "$sb" run --workload mnist_cnn --backend cpu \
  --batch 4 --steps 6 --warmup 1 --timeout 10 --inject-fault "$fault" --out result.json
rc=$?
elapsed=$(( $(date +%s) - start ))
echo "mpirun exit status $rc after ${elapsed}s"
[ "$rc" -ne 0 ] || { echo "FAIL: the job reported success"; exit 1; }
[ "$rc" -ne 124 ] || { echo "FAIL: the job hung until the test's own timeout"; exit 1; }
[ "$elapsed" -lt 60 ] || { echo "FAIL: took ${elapsed}s"; exit 1; }
"$checker" result.json --status "$status" --error-contains "$text"
