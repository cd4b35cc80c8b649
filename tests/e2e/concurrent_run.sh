#!/usr/bin/env bash
# concurrent_run.sh SCALEBENCH CHECKER CASE: two runs of one point.
#   lock:     while run A runs, run B of the same output (even with --force) fails at once, exit 2,
#             with a one-line message naming the lock file; A still finishes with its own record.
#   appeared: a record written by something else while A runs (A without --force) is not
#             replaced: A ends with exit 1 saying so, and the other record stays.
set -u
sb=$1; checker=$2; case=$3
dir=$(mktemp -d)
a_pid=""
cleanup() {
  [ -n "$a_pid" ] && kill -KILL "$a_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
out=$dir/results/r.json
# About 5 s of steps on one core (the three phases of 150 steps of a small mnist_cnn).
"$sb" run --workload mnist_cnn --backend cpu --batch 8 --steps 150 --warmup 1 --out "$out" >a.out 2>a.err &
a_pid=$!
for _ in $(seq 60); do [ -e "$dir/results/.r.json.lock" ] && break; sleep 0.05; done
if [ "$case" = lock ] && [ ! -e "$dir/results/.r.json.lock" ]; then
  echo "FAIL: run A took no lock"; cat a.err; exit 1
fi
case $case in
  lock)
    start=$(date +%s.%N)
    timeout 60 "$sb" run --workload mnist_cnn --backend cpu --batch 8 --steps 150 --warmup 1 --out "$out" --force \
      >b.out 2>b.err
    status=$?
    took=$(echo "$(date +%s.%N) - $start" | bc)
    cat b.err
    kill -0 "$a_pid" 2>/dev/null || { echo "FAIL: run A ended before B was checked; make A longer"; exit 1; }
    [ "$status" = 2 ] || { echo "FAIL: run B exit status $status, expected 2"; exit 1; }
    [ "$(wc -l <b.err)" = 1 ] || { echo "FAIL: not a one-line message"; exit 1; }
    grep -q "\.r\.json\.lock" b.err || { echo "FAIL: the message does not name the lock"; exit 1; }
    [ "$(echo "$took < 5" | bc)" = 1 ] || { echo "FAIL: B took ${took}s to refuse"; exit 1; }
    wait "$a_pid"; a_status=$?; a_pid=""
    [ "$a_status" = 0 ] || { echo "FAIL: run A exit status $a_status"; cat a.err; exit 1; }
    "$checker" "$out" || exit 1
    [ ! -e "$dir/results/.r.json.lock" ] || { echo "FAIL: lock file left after A"; exit 1; }
    ;;
  appeared)
    sleep 0.5
    kill -0 "$a_pid" 2>/dev/null || { echo "FAIL: run A ended too soon; make A longer"; exit 1; }
    echo '{"theirs": true}' >"$out"
    wait "$a_pid"; a_status=$?; a_pid=""
    cat a.err
    [ "$a_status" = 1 ] || { echo "FAIL: run A exit status $a_status, expected 1"; exit 1; }
    grep -q '"theirs"' "$out" || { echo "FAIL: the other record was replaced"; exit 1; }
    grep -q "appeared" a.err || { echo "FAIL: A does not say a record appeared"; exit 1; }
    left=$(find "$dir/results" -name '.r.json*')
    [ -z "$left" ] || { echo "FAIL: files left: $left"; exit 1; }
    ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
echo "ok: $case"
