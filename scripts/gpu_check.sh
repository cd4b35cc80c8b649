#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: build the CUDA backend, run the GPU tests and benchmarks
# (GEMM shapes, memory passes against the device copy, all-reduce), optionally the PyTorch
# fidelity comparison, and print a short table. Everything is logged under $OUT (default
# out/gpu_check): summary.txt and gpu_check_logs.tgz.
#   scripts/gpu_check.sh [--quick] [--no-gemm] [--no-fidelity] [--no-pytorch]
# Environment: GPU_ARCH (default: native), DEBS (a folder of Debian .deb files to unpack into a
# private prefix when the machine lacks scalebench's build dependencies; default .debs if present).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${OUT:-$root/out/gpu_check}
logs=$out/logs
mkdir -p "$logs"
quick=0 fidelity=1 gemm=1 pytorch_flag=""
for a in "$@"; do
  case $a in
    --quick) quick=1 ;;
    --no-gemm) gemm=0 ;;
    --no-pytorch) pytorch_flag=-s ;;
    --no-fidelity) fidelity=0 ;;
    *) echo "gpu_check: unknown argument $a" >&2; exit 2 ;;
  esac
done
build=$root/build-gpu-check
t_start=$(date +%s)
step() { echo "[gpu_check +$(( $(date +%s) - t_start ))s] $*" | tee -a "$logs/steps.log" >&2; }
export PYTHONUNBUFFERED=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# --- what this machine has
step "environment"
{
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv
  nvcc --version | tail -2
  cmake --version | head -1
  for c in g++ ninja mpicxx mpirun python3; do printf '%s: ' "$c"; command -v "$c" || echo missing; done
  ls /usr/local/cuda/include/nccl.h /usr/include/nccl.h 2>&1
  python3 -c "import torch, torchvision; print('torch', torch.__version__, 'torchvision', torchvision.__version__)" 2>&1
  for p in libfmt-dev libcli11-dev nlohmann-json3-dev libgtest-dev libbenchmark-dev libopenblas-dev libopenmpi-dev; do
    dpkg-query -W -f='${Package} ${Version}\n' "$p" 2>/dev/null || echo "$p: not installed"
  done
} >"$logs/environment.txt" 2>&1
cat "$logs/environment.txt" >&2

# --- dependencies from .deb files, unpacked into a private prefix (never into /)
cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES="${GPU_ARCH:-native}"
            "-DSCALEBENCH_SKIP_TEST_DIRS=harness;workloads;kernels;e2e;mpi;reports;slurm")
debs=${DEBS:-$root/.debs}
if [ -d "$debs" ]; then
  prefix=$build/deps
  mkdir -p "$prefix"
  step "unpacking $(ls "$debs"/*.deb | wc -l) .deb files into $prefix"
  for f in "$debs"/*.deb; do dpkg -x "$f" "$prefix"; done
  arch=x86_64-linux-gnu
  cmake_args+=(-DCMAKE_PREFIX_PATH="$prefix/usr")
  if [ ! -e "/usr/include/$arch/openblas-openmp/cblas.h" ] && [ ! -e "/usr/include/$arch/openblas-pthread/cblas.h" ]; then
    cmake_args+=(-DCBLAS_INCLUDE_DIR="$prefix/usr/include/$arch/openblas-openmp"
                 -DOPENBLAS_LIBRARY="$prefix/usr/lib/$arch/openblas-openmp/libopenblas.so")
  fi
  export LD_LIBRARY_PATH="$prefix/usr/lib/$arch:$prefix/usr/lib/$arch/openblas-openmp:${LD_LIBRARY_PATH:-}"
  if ! command -v mpicxx >/dev/null && [ -d "$debs/mpi" ]; then
    step "no MPI here: Open MPI from $debs/mpi (relocated with OPAL_PREFIX)"
    for f in "$debs"/mpi/*.deb; do dpkg -x "$f" "$prefix"; done
    export OPAL_PREFIX="$prefix/usr/lib/$arch/openmpi" PATH="$prefix/usr/bin:$PATH"
    export LD_LIBRARY_PATH="$prefix/usr/lib/$arch/openmpi/lib:$LD_LIBRARY_PATH"
    cmake_args+=(-DMPI_CXX_COMPILER="$prefix/usr/bin/mpicxx")
  fi
fi
# NCCL: the CUDA toolkit's, else the one in PyTorch's nvidia-nccl wheel.
if [ ! -e /usr/local/cuda/include/nccl.h ] && [ ! -e /usr/include/nccl.h ] && [ -z "${NCCL_HOME:-}" ]; then
  wheel=$(python3 -c "import nvidia.nccl as n; print(list(n.__path__)[0])" 2>/dev/null || true)
  if [ -n "$wheel" ] && [ -e "$wheel/include/nccl.h" ]; then
    export NCCL_HOME=$wheel LD_LIBRARY_PATH="$wheel/lib:${LD_LIBRARY_PATH:-}"
    step "NCCL from the Python wheel: $wheel"
  fi
fi

# --- build
step "configure"
if ! cmake -S . -B "$build" "${cmake_args[@]}" >"$logs/configure.log" 2>&1; then
  tail -30 "$logs/configure.log" >&2
  step "configure FAILED"
  tar czf "$out/gpu_check_logs.tgz" -C "$out" logs
  exit 1
fi
grep "scalebench:" "$logs/configure.log" >&2
step "build (GPU tests and benchmarks)"
if ! ninja -C "$build" gpu_device_test gpu_communicator_test bench_gpu_gemm bench_gpu_memory bench_allreduce \
      >"$logs/build.log" 2>&1; then
  grep -E "error|Error" -A3 "$logs/build.log" | head -40 >&2
  step "build FAILED"
  tar czf "$out/gpu_check_logs.tgz" -C "$out" logs
  exit 1
fi
if [ $fidelity = 1 ]; then
  step "build (scalebench, for the fidelity comparison)"
  ninja -C "$build" scalebench >"$logs/build_scalebench.log" 2>&1 || step "scalebench did not build (see build_scalebench.log)"
fi

# --- tests (the binaries directly: one CUDA context for all, not one per ctest process)
step "GPU tests"
timeout 300 "$build/tests/gpu/gpu_device_test" --gtest_output="json:$logs/gpu_device_test.json" \
  >"$logs/gpu_device_test.log" 2>&1
echo "gpu_device_test exit $?" >>"$logs/steps.log"
timeout 120 "$build/tests/gpu/gpu_communicator_test" --gtest_output="json:$logs/gpu_communicator_test.json" \
  >"$logs/gpu_communicator_test.log" 2>&1
echo "gpu_communicator_test exit $?" >>"$logs/steps.log"
grep -E "^\[  (FAILED|PASSED) +\]|tests, listed below" "$logs"/gpu_*_test.log | head -30 >&2

# --- benchmarks
bench() {  # name, timeout, command...
  local name=$1 limit=$2
  shift 2
  step "bench $name"
  timeout "$limit" "$@" --benchmark_out="$logs/bench_$name.json" --benchmark_out_format=json \
    >"$logs/bench_$name.log" 2>&1 || echo "bench $name exit $?" >>"$logs/steps.log"
}
bench memory_bf16 90 "$build/bench/gpu/bench_gpu_memory" --precision=bf16
bench memory_fp32 90 "$build/bench/gpu/bench_gpu_memory" --precision=fp32
if [ $gemm = 0 ]; then
  :
elif [ $quick = 1 ]; then
  bench gemm_bf16 120 "$build/bench/gpu/bench_gpu_gemm" --precision=bf16 --workload=resnet50 --batch=128
else
  bench gemm_bf16 150 "$build/bench/gpu/bench_gpu_gemm" --precision=bf16 --batch=128
  bench gemm_tf32 150 "$build/bench/gpu/bench_gpu_gemm" --precision=tf32 --batch=128 --workload=resnet50
fi
bench allreduce 60 "$build/bench/comm/bench_allreduce" --backend=cuda --max-bytes=268435456

# --- PyTorch reference and scalebench side by side
if [ $fidelity = 1 ]; then
  step "fidelity (PyTorch vs scalebench)"
  STEPS=20 WARMUP=8 timeout 240 "$root/scripts/fidelity/compare.sh" -b "$build" -p bf16 -o "$logs/fidelity" $pytorch_flag \
    resnet50:128 vit_b16:128 >"$logs/fidelity.txt" 2>"$logs/fidelity.log" || echo "fidelity exit $?" >>"$logs/steps.log"
fi

# --- summary
step "summary"
python3 - "$logs" >"$out/summary.txt" 2>&1 <<'PY'
import glob, json, os, sys
logs = sys.argv[1]
def load(p):
    try:
        with open(p) as f:
            return json.load(f)
    except Exception:
        return None
env = open(os.path.join(logs, "environment.txt")).read().splitlines()
print("GPU:", env[1] if len(env) > 1 else "?")
for t in ("gpu_device_test", "gpu_communicator_test"):
    j = load(os.path.join(logs, f"{t}.json"))
    if not j:
        print(f"{t}: no result (crash or timeout; see {t}.log)")
        continue
    failed, skipped, total = [], 0, 0
    for suite in j.get("testsuites", []):
        for c in suite.get("testsuite", []):
            total += 1
            if c.get("failures"):
                failed.append(suite["name"] + "." + c["name"])
            elif c.get("result") == "SKIPPED":
                skipped += 1
    print(f"{t}: {total - len(failed) - skipped} passed, {len(failed)} failed, {skipped} skipped")
    for f in failed[:20]:
        print("  FAILED", f)
for prec in ("bf16", "fp32"):
    j = load(os.path.join(logs, f"bench_memory_{prec}.json"))
    if not j:
        continue
    runs = [b for b in j["benchmarks"] if b.get("run_type") == "iteration"]
    copy = next((b["GB/s"] for b in runs if "/d2d_copy" in b["name"]), None)
    print(f"\nmemory passes ({prec}, 256 MiB tensors): GB/s and share of the D2D copy measured in the same run")
    for b in runs:
        share = b["GB/s"] / copy if copy else float("nan")
        print(f"  {b['name'].split('/')[2]:<28} {b['GB/s']:8.0f} GB/s  {share:6.1%}  {b['real_time']:9.1f} us")
for name in sorted(glob.glob(os.path.join(logs, "bench_gemm_*.json"))):
    j = load(name)
    if not j:
        continue
    runs = [b for b in j["benchmarks"] if b.get("run_type") == "iteration"]
    print(f"\nGEMMs ({os.path.basename(name)[11:-5]}): per workload, time per step = sum(calls x time), weighted TFLOP/s")
    by_wl = {}
    for b in runs:
        parts = b["name"].split("/")
        wl = parts[2]
        d = by_wl.setdefault(wl, [0.0, 0.0, []])
        t_ms = b["real_time"] / 1e3  # microseconds -> ms
        d[0] += t_ms * b["per_step"]
        d[1] += b["TFLOP/s"] * t_ms * b["per_step"]
        d[2].append((b["TFLOP/s"], t_ms * b["per_step"], "/".join(parts[3:5])))
    for wl, (ms, weighted, shapes) in by_wl.items():
        print(f"  {wl:<10} {len(shapes):3d} shapes  {ms:8.2f} ms/step  {weighted / ms if ms else 0:6.1f} TFLOP/s (time-weighted)")
        for tf, share, nm in sorted(shapes, key=lambda s: -s[1])[:4]:
            print(f"      {nm:<45} {tf:6.1f} TFLOP/s  {share:7.3f} ms/step")
j = load(os.path.join(logs, "bench_allreduce.json"))
if j:
    runs = [b for b in j["benchmarks"] if b.get("run_type") == "iteration"]
    big = [b for b in runs if b.get("bytes", 0) >= 1 << 20]
    print("\nall-reduce (1 process, 1 GPU: a local copy):", ", ".join(f"{int(b['bytes']) >> 20} MiB {b['real_time']:.0f} us" for b in big[-3:]))
fid = os.path.join(logs, "fidelity.txt")
if os.path.exists(fid):
    print("\nfidelity:")
    print(open(fid).read())
PY
cat "$out/summary.txt"
tar czf "$out/gpu_check_logs.tgz" -C "$out" logs
step "done"
