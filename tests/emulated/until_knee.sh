#!/usr/bin/env bash
# plan --until-knee for real: on the emulated cluster (4 nodes of one device, 200 Mbit/s between
# them, where two nodes are already past the knee of mnist_cnn ddp), a sweep of 1, 2 and 4 nodes in
# waves must stop after the 2-node wave and skip the 4-node point, once through Slurm (submit: the
# gate job cancels the 4-node array task) and once through `scalebench sweep` without Slurm
# (mpirun across the nodes, the gate in-process). The report must say so. Then the skipped point
# is measured by hand, so that the device-hours of the adaptive sweep can be set against the naive
# sweep of the same plan (printed; the target is at most half when the knee is at the second
# node count).
#   until_knee.sh SCALEBENCH [KEEP_DIR]     exit 0 pass, 77 skip (reason printed), else fail
# KEEP_DIR: copy both sweeps (plans, results, logs, reports) there before cleaning up.
set -euo pipefail
sb=$1 keep=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
emu=$here/../../scripts/emulated_cluster.sh
. "$here/emulated_common.sh"
emulated_skip_unless_possible
emulated_skip_unless_slurm
emulated_workdir until-knee
keep_on_exit() {
  if [ -n "$keep" ]; then mkdir -p "$keep" && cp -r "$work/slurm" "$work/local" "$keep/" 2>/dev/null || true; fi
  emulated_cleanup
}
trap keep_on_exit EXIT
fail() { echo "FAIL: $*"; exit 1; }

emulated_start EMU_NODES=4 EMU_GPUS=1 EMU_RATE=200mbit
on_login() { timeout 300 bash "$emu" exec "$work/cluster" login "$@"; }
payload=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["probe"]["payload_mbit_per_s"])' \
  "$work/cluster/link.json")
echo "link: probed $payload Mbit/s of TCP payload"

# Two profiles of this cluster, one device a node and the link as probed: with Slurm, and without
# (mpirun over the cluster's hostfile, as `scalebench sweep` runs a plan).
python3 - "$here/../../configs/clusters/emulated.json" "$payload" "$work" <<'PY'
import copy, json, sys
p = json.load(open(sys.argv[1]))
p["name"] = "emulated-4x1"
p["node_types"][0]["gpus"] = 1
p["partitions"][0]["max_nodes"] = 4
p["interconnect"]["inter_node"].update(nic_gbit_per_s=float(sys.argv[2]) / 1000, efficiency=1.0,
                                       basis="measured", note="the rate the start-up probe measured")
json.dump(p, open(sys.argv[3] + "/slurm-profile.json", "w"), indent=1)
q = copy.deepcopy(p)
q["name"] = "emulated-4x1-mpirun"
q["scheduler"] = "none"
q["launcher"]["mpirun_args"] = []  # the hostfile and the mapping come from OMPI_MCA_* below
json.dump(q, open(sys.argv[3] + "/local-profile.json", "w"), indent=1)
PY
plan_args=(--workloads mnist_cnn --strategies ddp --gpus 1,2,4 --batch 32 --steps 20 --warmup 3
           --time 00:05:00 --until-knee --binary "$sb")

# ------------------------------------------------------------------------------ through Slurm
"$sb" plan --cluster "$work/slurm-profile.json" "${plan_args[@]}" -o "$work/slurm" | tee "$work/plan.txt"
grep -q "naive sweep (every wave, no gates)" "$work/plan.txt" || fail "plan printed no naive cost"
on_login env SLURM_CONF="$SLURM_CONF" "$sb" submit "$work/slurm/plan.json"
deadline=$((SECONDS + 480))
while :; do
  left=$(on_login squeue -h -o '%i %T %j' || true)
  [ -z "$left" ] && break
  if [ $SECONDS -gt $deadline ]; then
    echo "FAIL: jobs still queued after 8 minutes:"; echo "$left"; exit 1
  fi
  sleep 3
done
echo "--- sweep.log (Slurm)"; cat "$work/slurm/sweep.log" || fail "no sweep.log: the gate did not run"
echo "--- gate logs"; tail -n 20 "$work"/slurm/logs/sb-gate*.out || true

# ------------------------------------------------------------------------ without Slurm (sweep)
"$sb" plan --cluster "$work/local-profile.json" "${plan_args[@]}" -o "$work/local" >/dev/null
# A profile's launcher words are plain options (records/script_safety), so the cluster's hostfile
# and one rank a node reach mpirun through Open MPI's environment.
on_login env OMP_NUM_THREADS=1 OMPI_MCA_orte_default_hostfile="$EMU_HOSTFILE" \
  OMPI_MCA_rmaps_base_mapping_policy=ppr:1:node OMPI_MCA_hwloc_base_binding_policy=none \
  OMPI_MCA_mca_base_env_list=OMP_NUM_THREADS \
  "$sb" sweep "$work/local/plan.json" | tee "$work/sweep.txt"
grep -q "1 skipped past the knee" "$work/sweep.txt" || fail "sweep did not skip the 4-node point"
"$sb" report "$work/local/results" -o "$work/local/report" --skipped "$work/local/until_knee.json" >/dev/null

# --------------------------------------------------- the skipped point, measured for the comparison
# The 4-node point the gates skipped, run by hand (mpirun across the 4 nodes), only to price the
# naive sweep; its record goes beside the plan, not into its results.
on_login env OMP_NUM_THREADS=1 mpirun -np 4 --hostfile "$EMU_HOSTFILE" --map-by ppr:1:node --bind-to none \
  "$sb" run --workload mnist_cnn --backend cpu --batch 32 --steps 20 --warmup 3 --timeout 240 \
  --out "$work/naive-4node.json" >/dev/null

python3 - "$work" <<'PY'
import json, pathlib, sys
from datetime import datetime
work = pathlib.Path(sys.argv[1])
ok = True
# A run's wall time from its record (start and end, whole seconds; every point is priced so).
t = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").timestamp()
wall = lambda r: max(1.0, t(r["provenance"]["end_time"]) - t(r["provenance"]["start_time"]))
naive_r = json.load(open(work / "naive-4node.json"))
if naive_r["status"] != "ok":
    print("FAIL: the 4-node point run by hand:", naive_r["status"], naive_r.get("error")); sys.exit(1)
naive_s = wall(naive_r)
print(f"the skipped 4-node point, run by hand: step {naive_r['step']['median_ms']:.1f} ms, "
      f"{naive_r['throughput']['samples_per_s']:.0f} samples/s, run {naive_s:.0f} s")
def check(cond, what):
    global ok
    if not cond:
        print("FAIL:", what); ok = False
for mode in ("slurm", "local"):
    d = work / mode
    plan = json.load(open(d / "plan.json"))
    state = json.load(open(d / "until_knee.json"))
    curve = state["curves"][0]
    print(f"{mode}: {curve['workload']} {curve['strategy']}: {curve['state']} after wave "
          f"{curve['stopped_after_wave']}: {curve['reason']}")
    check(curve["state"] == "stopped" and curve["stopped_after_wave"] == 1,
          f"{mode}: the curve did not stop after the 2-node wave")
    four = [p for p in plan["points"] if p["nodes"] == 4]
    check(len(four) == 1 and not (d / four[0]["result"]).exists(), f"{mode}: the 4-node point ran")
    check([s["gpus"] for s in curve["skipped"]] == [4], f"{mode}: skipped {curve['skipped']}")
    spent = 0.0
    for p in plan["points"]:
        f = d / p["result"]
        if not f.exists():
            continue
        r = json.load(open(f))
        check(r["status"] == "ok", f"{mode}: point {p['index']} {r['status']}: {r.get('error')}")
        spent += p["gpus"] * wall(r)
        print(f"  {p['gpus']} devices on {p['nodes']} node(s): step {r['step']['median_ms']:.1f} ms, "
              f"{r['throughput']['samples_per_s']:.0f} samples/s, run {wall(r):.0f} s")
    log = (d / "sweep.log").read_text()
    check("STOPPED after wave 1" in log, f"{mode}: sweep.log does not say the curve stopped")
    if mode == "slurm":
        check("cancelled 1 array task(s)" in log, "slurm: the gate cancelled nothing")
        rep = (d / "report" / "summary.txt").read_text()
        check("stopped at the knee" in rep, "slurm: the report does not say the sweep stopped at the knee")
        md = (d / "report" / "report.md").read_text()
        check("Not measured: the sweep stopped at the knee" in md, "slurm: report.md has no skipped section")
        naive = spent + 4 * naive_s
        print(f"  device-hours: adaptive {spent / 3600:.4f} (measured, {spent:.0f} device-s), naive "
              f"{naive / 3600:.4f} (+ the 4-node point measured by hand: 4 x {naive_s:.0f} s); "
              f"adaptive / naive = {spent / naive:.2f}")
        check(spent / naive <= 0.5, "the adaptive sweep spent more than half of the naive one")
sys.exit(0 if ok else 1)
PY
echo "until-knee on the emulated cluster: ok"
