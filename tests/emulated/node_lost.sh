#!/usr/bin/env bash
# A node lost mid-job on the emulated Slurm cluster: a sweep of ddp at 1 device (one node) and at
# 4 devices (2 nodes x 2), long enough that the 2-node point is still running when every process
# on node2 (its slurmd, the step daemon and the ranks) is killed and the node is marked down, as
# Slurm does itself once the node stops answering. Then: every rank of the 2-node point ends
# within the bound (no process of it is left on node1), the point has a failed or timeout record,
# the rest of the sweep still runs, and the report job lists the failed point.
#   node_lost.sh SCALEBENCH      exit 0 pass, 77 skip (reason printed), else fail
set -euo pipefail
sb=$1
here=$(cd "$(dirname "$0")" && pwd)
emu=$here/../../scripts/emulated_cluster.sh
. "$here/emulated_common.sh"
emulated_skip_unless_possible
emulated_skip_unless_slurm

emulated_workdir lost
emulated_start EMU_NODES=2 EMU_GPUS=2
on_login() { timeout 120 bash "$emu" exec "$work/cluster" login "$@"; }
ns_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["namespaces"][sys.argv[2]])' \
  "$work/cluster/cluster.json" "$1"; }
node2_ns=$(ns_of node2)

"$sb" plan --cluster emulated --workloads mnist_cnn --strategies ddp --gpus 1,4 \
  --batch 16 --steps 400 --warmup 1 --time 00:05:00 --binary "$sb" -o "$work/sweep"
two_node_job=$(python3 -c 'import json,sys
p = json.load(open(sys.argv[1]))
print(next(j["name"] for j in p["jobs"] if j["nodes"] == 2))' "$work/sweep/plan.json")
on_login env SLURM_CONF="$SLURM_CONF" "$sb" submit "$work/sweep/plan.json"

# Wait until the 2-node job has been running for a few seconds (its ranks are past start-up).
deadline=$((SECONDS + 240)) running_since=""
while :; do
  state=$(on_login squeue -h -n "sb-$two_node_job" -o '%T' || true)
  if [ "$state" = RUNNING ]; then
    [ -n "$running_since" ] || running_since=$SECONDS
    [ $((SECONDS - running_since)) -ge 8 ] && break
  fi
  [ $SECONDS -gt $deadline ] && { echo "FAIL: the 2-node job never ran (state '$state')"; exit 1; }
  sleep 1
done

echo "--- killing every process on node2 ($node2_ns) and marking it down"
lost_at=$SECONDS
pids=$(ip netns pids "$node2_ns" || true)
[ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
on_login scontrol update nodename=node2 state=down reason=node_lost_test

# The 2-node job ends (Slurm ends it for its lost node; the ranks on node1 end by themselves).
while [ -n "$(on_login squeue -h -n "sb-$two_node_job" -o '%i' || true)" ]; do
  if [ $((SECONDS - lost_at)) -gt 120 ]; then
    echo "FAIL: the 2-node job was still in the queue 120 s after node2 was lost"
    on_login scontrol show job || true; exit 1
  fi
  sleep 1
done
ended_after=$((SECONDS - lost_at))
echo "the 2-node job ended ${ended_after} s after node2 was lost"
if pgrep -f "$work/sweep" >/dev/null; then
  echo "FAIL: processes of the sweep are still alive:"; pgrep -af "$work/sweep"; exit 1
fi

# The rest of the sweep and the report job run (node1 is still up).
deadline=$((SECONDS + 240))
while [ -n "$(on_login squeue -h -o '%i' || true)" ]; do
  [ $SECONDS -gt $deadline ] && { echo "FAIL: jobs left after 4 minutes"; on_login squeue || true; exit 1; }
  sleep 2
done
python3 - "$work/sweep" <<'PY'
import json, pathlib, sys
sweep = pathlib.Path(sys.argv[1])
plan = json.load(open(sweep / "plan.json"))
ok = True
for p in plan["points"]:
    f = sweep / p["result"]
    if not f.exists():
        print(f"FAIL: point {p['index']} ({p['gpus']} devices) wrote no record"); ok = False; continue
    r = json.load(open(f))
    print(f"point {p['index']}: {p['gpus']} devices: {r['status']}: {r.get('error')}")
    want = ("failed", "timeout") if p["gpus"] == 4 else ("ok",)
    if r["status"] not in want:
        print(f"FAIL: expected {' or '.join(want)}"); ok = False
sys.exit(0 if ok else 1)
PY
report=$work/sweep/report/report.md
[ -s "$report" ] || { echo "FAIL: the report job wrote no report.md"; exit 1; }
grep -inE 'fail|timeout' "$report" | head -5
grep -qiE 'failed|timeout' "$report" || { echo "FAIL: the report does not show the failed point"; exit 1; }
echo "node lost on the emulated cluster: ok"
