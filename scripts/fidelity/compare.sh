#!/usr/bin/env bash
# Fidelity check on one GPU: scalebench's synthetic training step against the PyTorch step it
# models (torchvision ResNet-50 channels_last and ViT-B/16, autocast, SGD with momentum), same
# batch and precision. Prints one table; JSON of both sides stays in the output folder.
#   scripts/fidelity/compare.sh [-b BUILD_DIR] [-p bf16] [-o OUT_DIR] [-s] [MODEL:BATCH ...]
#   (default models: resnet50:128 vit_b16:128; -s: scalebench only, PyTorch JSON already in OUT_DIR)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=build precision=bf16 out=fidelity steps=${STEPS:-30} warmup=${WARMUP:-10} pytorch=1
while getopts "b:p:o:s" opt; do
  case $opt in
    s) pytorch=0 ;;
    b) build=$OPTARG ;;
    p) precision=$OPTARG ;;
    o) out=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
points=("$@")
[ ${#points[@]} -eq 0 ] && points=(resnet50:128 vit_b16:128)
sb="$build/scalebench"
[ -x "$sb" ] || sb="$build/harness/scalebench"
mkdir -p "$out"
py=${PYTHON:-python3}

for point in "${points[@]}"; do
  model=${point%%:*} batch=${point##*:}
  echo "compare: $model batch $batch $precision" >&2
  if [ $pytorch = 1 ] && ! "$py" "$here/pytorch_step.py" --model "$model" --batch "$batch" --precision "$precision" \
        --steps "$steps" --warmup "$warmup" >"$out/pytorch_${model}.out" 2>"$out/pytorch_${model}.log"; then
    echo "compare: PyTorch $model failed (see $out/pytorch_${model}.log)" >&2
  fi
  [ $pytorch = 1 ] && { tail -n 1 "$out/pytorch_${model}.out" >"$out/pytorch_${model}.json" || true; }
  if [ -x "$sb" ]; then
    "$sb" run --workload "$model" --backend cuda --precision "$precision" --batch "$batch" \
      --steps "$steps" --warmup "$warmup" --out "$out/scalebench_${model}.json" --force \
      >"$out/scalebench_${model}.log" 2>&1 || echo "compare: scalebench $model failed (see $out/scalebench_${model}.log)" >&2
  else
    echo "compare: no $sb: PyTorch side only" >&2
  fi
done

"$py" - "$out" "${points[@]}" <<'PY'
import json, os, sys
out, points = sys.argv[1], sys.argv[2:]
def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except Exception:
        return None
print(f"{'model':<10} {'batch':>5} {'prec':>5} {'pytorch ms':>11} {'sb compute':>11} {'sb full':>8} {'sb/pt':>6}   pytorch GPU ms/step by class")
for point in points:
    model, batch = point.split(":")
    pt = load(os.path.join(out, f"pytorch_{model}.json"))
    sb = load(os.path.join(out, f"scalebench_{model}.json"))
    pt_ms = pt["step_ms"]["median"] if pt else None
    sb_ms = sb_compute = None
    if sb and sb.get("phases"):
        full = sb["phases"].get("full") or sb["phases"].get("compute")
        sb_ms = full["median_ms"] if full else None
        comp = sb["phases"].get("compute")
        sb_compute = comp["median_ms"] if comp else None
    ratio = f"{sb_ms / pt_ms:6.2f}" if pt_ms and sb_ms else "     -"
    classes = ", ".join(f"{k} {v:.1f}" for k, v in (pt or {}).get("gpu_ms_per_step_by_class", {}).items())
    prec = (pt or {}).get("precision", "")
    f = lambda v: f"{v:.2f}" if v is not None else "-"
    print(f"{model:<10} {batch:>5} {prec:>5} {f(pt_ms):>11} {f(sb_compute):>11} {f(sb_ms):>8} {ratio}   {classes}")
PY
