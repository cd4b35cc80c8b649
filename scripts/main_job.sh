#!/usr/bin/env bash
# The main job end to end on the best backend present: install, build, plan a small local sweep
# (resnet50 and mnist_cnn, ddp and mirrored, 1 and 2 devices), run it, and write the scaling
# report. Everything lands under ${OUT_DIR:-out/main}; the last line says where the report is.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sb=$(pwd)/${BUILD_DIR:-build}/scalebench
out=${OUT_DIR:-out/main}
backend=$("$sb" list backends | awk '$NF == "best" {print $1}')
backend=${backend:-cpu}
devices=$("$sb" list backends | awk -v b="$backend" '$1 == b {print $2}')
# 1 and 2 devices; a machine with a single GPU can only measure 1 (NCCL needs a GPU per rank).
gpus=1,2
if [ "$backend" != cpu ] && [ "${devices:-1}" -lt 2 ]; then gpus=1; fi
echo "scalebench: best backend present: $backend ($devices device(s)); measuring $gpus"
# Small shapes on a CPU (a laptop or CI); real sizes on a GPU.
if [ "$backend" = cpu ]; then
  shape=(--image-size 64 --batch 4 --steps 5 --warmup 2)
else
  shape=(--batch 64 --steps 20 --warmup 5)
fi
"$sb" plan --cluster local --backend "$backend" --workloads resnet50,mnist_cnn \
  --strategies ddp,mirrored --gpus "$gpus" "${shape[@]}" -o "$out" --force
"$sb" sweep "$out/plan.json" --force
"$sb" report "$out/results" -o "$out/report"
echo "scalebench: report in $out/report (open $out/report/report.html)"
