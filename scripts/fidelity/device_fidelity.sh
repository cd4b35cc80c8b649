#!/usr/bin/env bash
# On one NVIDIA GPU: build scalebench (CUDA), then the fidelity table of issue 4 — scalebench's
# single-GPU full step against PyTorch's (bf16 autocast, channels_last ResNet-50, SGD momentum) at
# two batch sizes per model, each side broken down by layer class — and the --graph run of
# ResNet-50 at batch 128 with its idle time between kernels (from nsys when present).
# Writes everything under ${OUT:-out/fidelity}; prints a table last.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${OUT:-$root/out/fidelity}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
steps=${STEPS:-30} warmup=${WARMUP:-10}
build=$root/build-fidelity
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=${GPU_ARCH:-90} \
  -DSCALEBENCH_TESTS=OFF -DSCALEBENCH_BENCH=OFF >"$out/cmake.log" 2>&1 || { tail -30 "$out/cmake.log"; exit 1; }
cmake --build "$build" -j"$(nproc)" >"$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
sb=$build/scalebench
"$sb" list backends
for point in ${POINTS-resnet50:128 resnet50:256 vit_b16:64 vit_b16:128}; do
  model=${point%%:*} batch=${point##*:}
  python3 scripts/fidelity/pytorch_step.py --model "$model" --batch "$batch" --precision bf16 \
    --steps "$steps" --warmup "$warmup" >"$out/pt_${model}_${batch}.out" 2>"$out/pt_${model}_${batch}.log"
  tail -n 1 "$out/pt_${model}_${batch}.out" >"$out/pt_${model}_${batch}.json"
  "$sb" run --workload "$model" --backend cuda --precision bf16 --batch "$batch" --steps "$steps" \
    --warmup "$warmup" --layer-times --out "$out/sb_${model}_${batch}.json" --force 2>&1 | tail -2
done
# Graph capture: ResNet-50 at batch 128.
"$sb" run --workload resnet50 --backend cuda --precision bf16 --batch 128 --steps "$steps" --warmup "$warmup" \
  --graph --out "$out/sb_resnet50_128_graph.json" --force 2>&1 | tail -2
# Idle time between kernels with --graph: every kernel's device start and end through CUPTI.
cupti_inc=$(dirname "$(find /usr/local/cuda* /usr/lib /opt -name cupti.h 2>/dev/null | head -1)" 2>/dev/null)
cupti_lib=$(dirname "$(find /usr/local/cuda* /usr/lib /opt -name 'libcupti.so*' 2>/dev/null | head -1)" 2>/dev/null)
if [ -n "$cupti_inc" ] && [ -n "$cupti_lib" ] && \
   gcc -shared -fPIC -O2 -I"$cupti_inc" scripts/fidelity/kernel_trace.c -L"$cupti_lib" -lcupti \
     -Wl,-rpath,"$cupti_lib" -o "$build/kernel_trace.so" 2>"$out/trace_build.log"; then
  for mode in graph nograph; do
    flag=""; [ $mode = graph ] && flag=--graph
    KERNEL_TRACE_OUT=$out/kernels_$mode.txt LD_PRELOAD=$build/kernel_trace.so "$sb" run --workload resnet50 \
      --backend cuda --precision bf16 --batch 128 --steps 10 --warmup 3 $flag --out "$out/trace_$mode.json" --force >/dev/null 2>&1
    echo "$mode: $(python3 scripts/fidelity/idle_from_trace.py "$out/kernels_$mode.txt")" >>"$out/idle.txt"
  done
else
  echo "CUPTI not found (cupti.h: ${cupti_inc:-none}, libcupti: ${cupti_lib:-none}): idle time not measured" >"$out/idle.txt"
  cat "$out/trace_build.log" >>"$out/idle.txt" 2>/dev/null
fi
python3 scripts/fidelity/fidelity_table.py "$out" | tee "$out/table.md"
cat "$out/idle.txt"
