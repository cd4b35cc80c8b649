#!/usr/bin/env bash
# `scalebench predict` against a real network: on the emulated cluster at two link rates, measure
# one node (one device), predict two nodes from the link rate the cluster probed, then measure two
# nodes. For ddp without overlap the predicted step must be within 15% of the measured one and
# the predicted efficiency within 5 points of the measured efficiency (issue 16's targets); ddp
# with overlap is measured and printed beside it, not asserted: the CPU backend's MPI ring moves
# only inside MPI calls, so it hides less of the all-reduce than the model's collective does.
#   predict_two_nodes.sh SCALEBENCH [TABLE_OUT [KEEP_DIR]]   exit 0 pass, 77 skip, else fail
# PREDICT_RATES overrides the link rates ("200mbit 400mbit"). TABLE_OUT: append the comparison rows there (docs/performance.md's table); KEEP_DIR: copy each
# rate's results, profile and prediction there (docs/predict.md's figure).
# One device per node: this machine's 2 cores hold one single-threaded rank each at 2 nodes; a
# 2-device node would run 4 ranks on 2 cores there and measure the host, not the model.
set -euo pipefail
sb=$1 table=${2:-} keep=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
emu=$here/../../scripts/emulated_cluster.sh
. "$here/emulated_common.sh"
emulated_skip_unless_possible
emulated_workdir predict

steps=30
status=0
for rate in ${PREDICT_RATES:-200mbit 400mbit}; do
  emulated_start EMU_NODES=2 EMU_GPUS=1 EMU_RATE=$rate
  payload=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["probe"]["payload_mbit_per_s"])' \
    "$work/cluster/link.json")
  echo "link at $rate: probed $payload Mbit/s of TCP payload"
  run_at() {  # run_at NP OUT [run options]
    local np=$1 out=$2
    shift 2
    timeout 300 bash "$emu" exec "$work/cluster" login \
      env OMP_NUM_THREADS=1 mpirun -np "$np" --hostfile "$EMU_HOSTFILE" --map-by ppr:1:node --bind-to none \
      "$sb" run --workload mnist_cnn --backend cpu --batch 32 --steps $steps --warmup 3 --timeout 120 \
      --out "$out" "$@" >/dev/null
  }
  # The profile: the emulated one, one device per node, the inter-node rate as probed. The probe
  # measured TCP payload, so the all-reduce gets all of it (efficiency 1).
  mkdir -p "$work/$rate"
  python3 - "$here/../../configs/clusters/emulated.json" "$payload" "$work/$rate/profile.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["name"] = "emulated-probed"
p["node_types"][0]["gpus"] = 1
link = p["interconnect"]["inter_node"]
link.update(nic_gbit_per_s=float(sys.argv[2]) / 1000, efficiency=1.0, basis="measured",
            note="the rate the start-up probe measured (TCP payload, link.json)")
json.dump(p, open(sys.argv[3], "w"), indent=1)
PY
  # ddp without overlap is what the check asserts; with overlap it is measured and shown (the CPU
  # backend's MPI ring progresses only inside MPI calls, docs/predict.md "Known limits").
  for mode in no-overlap overlap; do
    d=$work/$rate/$mode
    mkdir -p "$d/node" "$d/two"
    flags=()
    [ "$mode" = no-overlap ] && flags=(--no-overlap)
    run_at 1 "$d/node/r1.json" "${flags[@]}"
    "$sb" predict "$d/node" --cluster "$work/$rate/profile.json" --gpus 2 -o "$d/pred" --formats png >/dev/null
    run_at 2 "$d/two/r2.json" "${flags[@]}"
    python3 - "$d" "$rate" "$payload" "$mode" "$table" <<'PY' || status=1
import csv, json, sys
d, rate, payload, mode, table = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
one = json.load(open(f"{d}/node/r1.json"))
two = json.load(open(f"{d}/two/r2.json"))
rows = list(csv.DictReader(open(f"{d}/pred/prediction.csv")))
proj = [r for r in rows if r["kind"] == "projected" and r["gpus"] == "2"][0]
step_pred, eff_pred = float(proj["step_ms"]), float(proj["efficiency"])
lo, hi = float(proj["efficiency_low"]), float(proj["efficiency_high"])
step_meas = two["step"]["median_ms"]
eff_meas = two["throughput"]["samples_per_s_per_device"] / one["throughput"]["samples_per_s"]
err = step_pred / step_meas - 1
pts = 100 * (eff_pred - eff_meas)
inside = lo <= eff_meas <= hi
line = (f"| {rate} | ddp {mode} | {payload:.1f} | {one['step']['median_ms']:.1f} | {step_pred:.1f} | "
        f"{step_meas:.1f} | {err:+.1%} | {100 * eff_pred:.1f}% ({100 * lo:.0f}-{100 * hi:.0f}%) | "
        f"{100 * eff_meas:.1f}% | {pts:+.1f} | {'yes' if inside else 'no'} |")
print("link | run | probed Mbit/s | 1-device step | predicted 2-node step | measured | error | "
      "predicted efficiency (band) | measured | points | measured inside band")
print(line)
if table:
    open(table, "a").write(line + "\n")
ok = abs(err) <= 0.15 and abs(pts) <= 5
if mode == "no-overlap" and not ok:
    print(f"FAIL: outside the targets (step within 15%, efficiency within 5 points) at {rate}")
    sys.exit(1)
PY
  done
  if [ -n "$keep" ]; then mkdir -p "$keep" && cp -r "$work/$rate" "$keep/"; fi
  emulated_stop
done
exit $status
