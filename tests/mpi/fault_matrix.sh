#!/usr/bin/env bash
# fault_matrix.sh SCALEBENCH CHECKER NP CASE [TIMEOUT_S]: one fault of the fault matrix
# (docs/faults.md) on NP ranks of the CPU backend. The job must end within TIMEOUT_S + 5 s of the
# fault with every process it started gone, and leave either a valid failed/timeout record or a
# message saying why none could be written (and then no record at all, not a broken one).
#
# CASE: kill        a rank is killed with SIGKILL in the full-step phase
#       stop-startup a rank is stopped (SIGSTOP) as soon as it has exec'd, inside MPI start-up
#       stop-compute, stop-communication, stop-full   a rank stops itself in that phase
#       stop-rank0  rank 0 stops itself in the full-step phase
#       sigterm     mpirun gets SIGTERM while a rank hangs
#       rmdir       the output folder is removed while a rank hangs
#       full-signal the output is on a full tmpfs and mpirun gets SIGTERM while a rank hangs
#       full-end    the output is on a full tmpfs and the run ends (timed out) normally
# A rank that hangs sleeps; one that stops raises SIGSTOP; both at the middle step of the phase.
set -u
sb=$1; checker=$2; np=$3; case=$4; t=${5:-5}
faulty=$((np - 1))
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMP_WAIT_POLICY=passive
dir=$(mktemp -d)
mnt=""
sid=""
cleanup() {
  if [ -n "$sid" ]; then
    for pid in $(ps -o pid= -s "$sid" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  fi
  if [ -n "$mnt" ]; then umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null; fi
  rm -rf "$dir"
}
trap cleanup EXIT
now() { date +%s.%N; }
fail() { echo "FAIL ($case, np $np): $*"; echo "--- log"; cat "$dir/log.txt"; exit 1; }
[ -n "${FAULT_SHOW_LOG:-}" ] && trap 'cat "$dir/log.txt"; cleanup' EXIT

out_dir=$dir/out
mkdir -p "$out_dir"
if [ "$case" = full-signal ] || [ "$case" = full-end ]; then
  mnt=$dir/out
  mount -t tmpfs -o size=128k,mode=0755 tmpfs "$mnt" || fail "cannot mount a tmpfs (needs root)"
  dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null
  [ "$(df --output=avail "$mnt" | tail -1)" -eq 0 ] || fail "the tmpfs is not full"
fi
out=$out_dir/result.json

fault=()
case $case in
  kill) fault=(--inject-fault "kill@$faulty:full") ;;
  stop-startup) ;;
  stop-compute|stop-communication|stop-full) fault=(--inject-fault "stop@$faulty:${case#stop-}") ;;
  stop-rank0) fault=(--inject-fault "stop@0:full") ;;
  sigterm|rmdir|full-signal|full-end) fault=(--inject-fault "hang@$faulty") ;;  # phase: full
  *) echo "unknown case $case"; exit 2 ;;
esac

# A session of its own, so that every process the job started can be found (and is ended by the
# trap if the test fails).
start=$(now)
setsid mpirun -np "$np" --oversubscribe --bind-to none "$sb" run --workload mnist_cnn --backend cpu \
  --batch 2 --image-size 28 --steps 6 --warmup 1 --timeout "$t" --out "$out" "${fault[@]}" \
  >"$dir/log.txt" 2>&1 &
mp=$!
sid=$mp

wait_for_log() {  # PATTERN: the moment a rank says it injected the fault
  for _ in $(seq 600); do
    grep -q -- "$1" "$dir/log.txt" && return 0
    kill -0 "$mp" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

injected=$start
case $case in
  stop-startup)
    # Stopped as soon as its process has the rank's environment (it has exec'd): MPI_Init cannot
    # complete on any rank without it, whatever the machine's load. A fixed delay raced on a busy
    # CI machine (the rank was either not yet started or already past start-up).
    stopped=""
    for _ in $(seq 1000); do
      for k in $(pgrep -P "$mp"); do
        if tr '\0' '\n' <"/proc/$k/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$faulty"; then
          kill -STOP "$k" && stopped=$k
        fi
      done
      [ -n "$stopped" ] && break
      kill -0 "$mp" 2>/dev/null || break
      sleep 0.01
    done
    injected=$(now)
    [ -n "$stopped" ] || fail "rank $faulty was not found within 10 s of the launch"
    ;;
  sigterm|rmdir|full-signal)
    wait_for_log "stops answering on purpose" || fail "the fault was not injected"
    injected=$(now)
    if [ "$case" = rmdir ]; then rm -rf "$out_dir"; else kill -TERM "$mp"; fi
    ;;
  *)
    wait_for_log "on purpose" || fail "the fault was not injected"
    injected=$(now)
    ;;
esac

limit=$(echo "$injected + $t + 5" | bc)
while kill -0 "$mp" 2>/dev/null && [ "$(echo "$(now) < $limit" | bc)" = 1 ]; do sleep 0.1; done
kill -0 "$mp" 2>/dev/null && fail "mpirun still running $t + 5 s after the fault"
wait "$mp"
rc=$?
# Every process of the session gone (zombies waiting for init to reap them count as gone).
while [ -n "$(ps -o stat= -s "$sid" 2>/dev/null | grep -v '^Z')" ] && [ "$(echo "$(now) < $limit" | bc)" = 1 ]; do
  sleep 0.1
done
left=$(ps -o pid=,stat=,args= -s "$sid" 2>/dev/null | awk '$2 !~ /^Z/')
[ -z "$left" ] || fail "processes left $t + 5 s after the fault: $left"
took=$(echo "$(now) - $injected" | bc)
[ "$rc" -ne 0 ] || fail "the job reported success"
echo "ended $(printf '%.1f' "$took") s after the fault (timeout $t s), mpirun exit status $rc"

case $case in
  # After a kill rank 0 may see the peer's death itself before the launcher's SIGTERM: any failed
  # record is right.
  kill) "$checker" "$out" --status failed || fail "record" ;;
  sigterm) "$checker" "$out" --status failed --error-contains "terminated by a signal" || fail "record" ;;
  stop-startup) "$checker" "$out" --status timeout --error-contains "start-up" || fail "record" ;;
  stop-compute|stop-communication|stop-full)
    "$checker" "$out" --status timeout --error-contains "did not complete within $t s" || fail "record" ;;
  stop-rank0)
    # Rank 0 is the one that stopped: the launcher ends it (SIGCONT + SIGTERM lets it write a
    # failed record); otherwise the other ranks must say why there is none.
    if [ -e "$out" ]; then
      "$checker" "$out" --status failed --error-contains "terminated by a signal" || fail "record"
    else
      grep -q "rank 0 .*no record" "$dir/log.txt" || fail "no record and no message saying why"
    fi
    ;;
  rmdir|full-signal|full-end)
    grep -q "no record could be written" "$dir/log.txt" || fail "no message saying why no record was written"
    [ ! -e "$out" ] || fail "a record was left although none could be written: $(ls -l "$out")"
    # A lock file may stay when the launcher's SIGKILL comes first; it is harmless (the next run
    # takes it over). Temporary files must not stay.
    left_tmp=$(find "$out_dir" -name '.result.json*' ! -name '.result.json.lock' 2>/dev/null)
    [ -z "$left_tmp" ] || fail "temporary files left: $left_tmp"
    grep "no record could be written" "$dir/log.txt" | head -1
    ;;
esac
echo "ok: $case on $np ranks"
