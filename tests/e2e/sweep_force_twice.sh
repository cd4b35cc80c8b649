#!/usr/bin/env bash
# sweep_force_twice.sh SCALEBENCH CHECKER: what scripts/main_job.sh does, twice in a row: plan a
# tiny local sweep (1 and 2 ranks), `sweep --force` it, then again; the second sweep must succeed
# and replace every record (run --plan keeps the command line's --force).
set -u
sb=$1; checker=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
"$sb" plan --cluster local --backend cpu --workloads mnist_cnn --strategies ddp --gpus 1,2 \
  --image-size 28 --batch 2 --steps 2 --warmup 1 -o "$dir/sweep" --force >/dev/null || { echo "FAIL: plan"; exit 1; }
timeout 300 "$sb" sweep "$dir/sweep/plan.json" --force >"$dir/first.txt" 2>&1 || { echo "FAIL: first sweep"; cat "$dir/first.txt"; exit 1; }
n=0
for r in "$dir"/sweep/results/*.json; do
  "$checker" "$r" >/dev/null || exit 1
  md5sum "$r" >>"$dir/before.txt"
  n=$((n + 1))
done
[ "$n" = 2 ] || { echo "FAIL: $n records after the first sweep, expected 2"; exit 1; }
timeout 300 "$sb" sweep "$dir/sweep/plan.json" --force >"$dir/second.txt" 2>&1
status=$?
tail -3 "$dir/second.txt"
[ "$status" = 0 ] || { echo "FAIL: the second sweep --force exit status $status"; exit 1; }
for r in "$dir"/sweep/results/*.json; do "$checker" "$r" >/dev/null || exit 1; done
if md5sum --quiet -c "$dir/before.txt" >/dev/null 2>&1; then echo "FAIL: no record was replaced"; exit 1; fi
replaced=$(md5sum -c "$dir/before.txt" 2>/dev/null | grep -c FAILED)
[ "$replaced" = 2 ] || { echo "FAIL: $replaced of 2 records replaced"; exit 1; }
echo "ok: the second sweep --force replaced both records"
