#!/usr/bin/env bash
# Compiles the GPU backend (kernels/gpu, the same sources as the CUDA build) as HIP for AMD GPUs
# with hipcc: the check CI runs without an AMD GPU. hipBLAS and RCCL are used when their headers
# are found; their absence is reported. Objects go to the folder given (default build-hip).
#   scripts/hip_compile_check.sh [OUT_DIR]      HIP_ARCHITECTURES="gfx90a gfx942" to change targets
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build-hip}
archs=${HIP_ARCHITECTURES:-gfx90a}
hipcc=${HIPCC:-hipcc}
mkdir -p "$out"

has_header() { echo "#include <$1>" | "$hipcc" -x c++ -E - -o /dev/null >/dev/null 2>&1; }
blas=0
rccl=0
if has_header hipblas/hipblas.h; then blas=1; else echo "hip_compile_check: hipBLAS not found: GEMMs compiled out"; fi
if has_header rccl/rccl.h || has_header rccl.h; then rccl=1; else echo "hip_compile_check: RCCL not found: host-staged MPI communicator only"; fi

offload=()
for a in $archs; do offload+=("--offload-arch=$a"); done
read -r -a mpi_flags <<<"$(mpicxx --showme:compile 2>/dev/null || true)"
flags=(-std=c++20 -O2 -Wall -Wextra -Werror -I"$root" "${mpi_flags[@]}"
       -DSCALEBENCH_HAVE_HIP=1 -DSCALEBENCH_HAVE_GPU_BLAS=$blas -DSCALEBENCH_HAVE_NCCL=$rccl
       "-DSCALEBENCH_GPU_ARCHITECTURES=\"${archs// /,}\"" "${offload[@]}")

sources=(gpu_check.cpp gpu_kernels.cu gpu_device.cpp gpu_communicator.cpp host_staging_communicator.cpp telemetry.cpp)
[ "$rccl" = 1 ] && sources+=(nccl_communicator.cpp)
for s in "${sources[@]}"; do
  echo "hip_compile_check: $s ($archs)"
  "$hipcc" "${flags[@]}" -x hip -c "$root/kernels/gpu/$s" -o "$out/${s%.*}.o"
done
echo "hip_compile_check: ok (${#sources[@]} files for $archs)"
