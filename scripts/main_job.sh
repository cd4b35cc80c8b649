#!/usr/bin/env bash
# The main job end to end on the best backend present: install, build, then measure ddp at 1 and
# 2 ranks and mirrored with 2 devices, and write the results under ${OUT_DIR:-out/main}.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sb=$(pwd)/${BUILD_DIR:-build}/scalebench
out=${OUT_DIR:-out/main}
mkdir -p "$out/results"
backend=$("$sb" list backends 2>/dev/null | awk '/best/ {print $1}')
backend=${backend:-cpu}
# Small shapes on the CPU (a laptop or CI); the real sizes on a GPU.
if [ "$backend" = cpu ]; then size=(--image-size 64 --batch 4 --steps 5 --warmup 2); else size=(--batch 64 --steps 20 --warmup 5); fi
for n in 1 2; do
  mpirun -np "$n" --oversubscribe --bind-to none "$sb" run --workload resnet50 --backend "$backend" \
    --strategy ddp "${size[@]}" --out "$out/results/resnet50-ddp-n$n.json" --force
done
"$sb" run --workload resnet50 --backend "$backend" --strategy mirrored --devices 2 "${size[@]}" \
  --out "$out/results/resnet50-mirrored-n2.json" --force
echo "scalebench: results in $out/results"
