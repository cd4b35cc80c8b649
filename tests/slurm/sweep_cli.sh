#!/usr/bin/env bash
# `scalebench sweep` as a user runs it (real `run` points on the CPU backend):
#  1. a 0-byte result file (a full disk) is not done: the sweep says so and runs the point again;
#  2. a second sweep of a plan leaves a point that the first is running alone ("running elsewhere");
#  3. Ctrl-C (SIGINT) of the sweep reaches the running point: the sweep names the point, starts no
#     other, exits 130, and no process of the plan is left running.
# Usage: sweep_cli.sh SCALEBENCH
set -u
SB=$1
work=$(mktemp -d)
sweep_pid=
# Every process this test started works on a plan under $work: stop those by PID at the end.
ours() {
  local p
  for p in /proc/[0-9]*; do
    if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -- "$work/"; then echo "${p#/proc/}"; fi
  done
}
cleanup() {
  [ -n "$sweep_pid" ] && kill -KILL "$sweep_pid" 2>/dev/null
  for pid in $(ours); do kill -KILL "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
export OMP_WAIT_POLICY=passive
cd "$work" || exit 1

# 1. An invalid record is run again.
"$SB" plan --cluster local --workloads mnist_cnn --strategies ddp,mirrored --gpus 1 --batch 1 \
  --steps 1 --warmup 0 -o "$work/quick" >/dev/null || fail "plan quick"
record=quick/results/p0000_mnist_cnn_ddp_1gpu.json
: >"$record"
timeout 120 "$SB" sweep "$work/quick/plan.json" >quick.out 2>&1 || fail "sweep quick: $(cat quick.out)"
grep -qF "p0000_mnist_cnn_ddp_1gpu.json is not a valid record" quick.out ||
  fail "the sweep did not say the record is invalid: $(cat quick.out)"
grep -qF '"schema": "scalebench.result/2"' "$record" || fail "point 0 was not run again: $(cat quick.out)"
echo "ok: a 0-byte record was run again"

# 2. SIGINT during a long point (a million steps: hours).
"$SB" plan --cluster local --workloads mnist_cnn --strategies ddp --gpus 1,2 --batch 1 \
  --steps 1000000 --warmup 0 --time 01:00:00 -o "$work/long" >/dev/null || fail "plan long"
# Job control on: a script's background job would otherwise start with SIGINT ignored.
set -m
"$SB" sweep "$work/long/plan.json" >long.out 2>long.err &
sweep_pid=$!
set +m
for _ in $(seq 300); do
  grep -qF "run --plan" long/logs/point_0000.log 2>/dev/null && break
  sleep 0.1
done
grep -qF "run --plan" long/logs/point_0000.log 2>/dev/null || fail "point 0 did not start"
sleep 3  # let the run arm its own handlers (and take the point's lock)
# A second sweep of the same plan leaves the running point to the first (point 1 has a record).
cp "$record" long/results/p0001_mnist_cnn_ddp_2gpu.json
timeout 60 "$SB" sweep "$work/long/plan.json" >second.out 2>&1 || fail "second sweep: $(cat second.out)"
grep -qF "p0000 mnist_cnn ddp 1 GPU: skipped, running elsewhere" second.out ||
  fail "the second sweep did not leave point 0 alone: $(cat second.out)"
kill -INT "$sweep_pid"
for _ in $(seq 300); do
  kill -0 "$sweep_pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$sweep_pid" 2>/dev/null && fail "sweep still running 30 s after SIGINT"
wait "$sweep_pid"
status=$?
sweep_pid=
left=$(ours)
[ -z "$left" ] || fail "left running after the sweep ended: $(for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done)"
[ "$status" = 130 ] || fail "exit status $status, expected 130; $(cat long.out long.err)"
grep -qF "p0000 mnist_cnn ddp 1 GPU: INTERRUPTED by SIGINT" long.out || fail "no interrupted point named: $(cat long.out)"
grep -qF "sweep stopped by SIGINT: point 0 was interrupted" long.err || fail "no one-line message: $(cat long.err)"
[ "$(wc -l <long.err)" = 1 ] || fail "expected one line on stderr: $(cat long.err)"
grep -qF "p0001" long.out && fail "point 1 was taken up after the interrupt: $(cat long.out)"
echo "ok: SIGINT reached point 0, the sweep stopped with 130, nothing left running"
