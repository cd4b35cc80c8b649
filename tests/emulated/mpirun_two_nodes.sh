#!/usr/bin/env bash
# mpirun across 2 emulated nodes (no Slurm): ddp on mnist_cnn at 2 x 1 and 2 x 2 ranks. Each result
# must say 2 nodes and 2 distinct hosts, name the ring, and its all-reduce must take the time the
# alpha-beta model of the ring gives from the link rate the cluster probed (within 25%): a ring
# over p ranks moves 2(p-1)/p of the gradient over the inter-node link in each direction, so
# t = 2(p-1)/p * S / B (+ 2(p-1) message latencies per bucket, under 1% here), and busbw, by
# nccl-tests' definition, must come out at the link's payload rate (within 15%).
#   mpirun_two_nodes.sh SCALEBENCH RESULT_CHECK      exit 0 pass, 77 skip (reason printed), else fail
set -euo pipefail
sb=$1 checker=$2
here=$(cd "$(dirname "$0")" && pwd)
emu=$here/../../scripts/emulated_cluster.sh
. "$here/emulated_common.sh"
emulated_skip_unless_possible

emulated_workdir mpirun
emulated_start EMU_NODES=2 EMU_GPUS=2
payload=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["probe"]["payload_mbit_per_s"])' \
  "$work/cluster/link.json")
echo "link: $(cat "$work/cluster/link.json")"

status=0
for layout in 1 2; do
  np=$((2 * layout))
  out=$work/r${np}.json
  # mpirun runs on the login node and starts its daemons through the script's rsh agent.
  timeout 300 bash "$emu" exec "$work/cluster" login \
    env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive \
    mpirun -np "$np" --hostfile "$EMU_HOSTFILE" --map-by "ppr:$layout:node" --bind-to none \
    "$sb" run --workload mnist_cnn --backend cpu --batch 8 --steps 8 --warmup 1 --timeout 120 \
    --out "$out" || { echo "FAIL: mpirun at 2 x $layout"; status=1; continue; }
  "$checker" "$out" --world-size "$np" --nodes 2 --hosts 2 --algorithm ring || status=1
  python3 - "$out" "$payload" "$layout" <<'PY' || status=1
import json, sys
r = json.load(open(sys.argv[1])); payload_mbit = float(sys.argv[2]); layout = int(sys.argv[3])
p = r["point"]["world_size"]
c = r["communication"]
S = r["model"]["gradient_bytes"]
B = payload_mbit * 1e6 / 8                     # bytes/s of TCP payload on the link
model_ms = 2 * (p - 1) / p * S / B * 1e3
measured_ms = c["allreduce_ms"]
busbw_mbit = c["busbw_gbps"] * 8e3
print(f"2 x {layout}: all-reduce of {S} B measured {measured_ms:.1f} ms, ring model {model_ms:.1f} ms "
      f"({measured_ms / model_ms - 1:+.1%}); busbw {busbw_mbit:.0f} Mbit/s against the link's "
      f"{payload_mbit:.0f} ({busbw_mbit / payload_mbit:.2f} x)")
ok = abs(measured_ms / model_ms - 1) <= 0.25 and 0.85 <= busbw_mbit / payload_mbit <= 1.15
if not ok:
    print("FAIL: outside 25% of the ring model or 15% of the link rate")
sys.exit(0 if ok else 1)
PY
done
exit $status
