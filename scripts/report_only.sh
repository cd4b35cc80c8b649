#!/usr/bin/env bash
# The report-only build (SCALEBENCH_REPORT_ONLY=ON), as a login node without MPI, BLAS or a GPU
# toolkit would build it: those packages are made invisible to CMake, the build must still
# configure, and its tests (records, model tables, reports, planning) must pass. Also checks that
# the binary links none of them. Run by .ci/run after the README's test command has installed
# the packages (so "invisible" is a real test: they are on the machine).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-report-only}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSCALEBENCH_REPORT_ONLY=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON -DCMAKE_DISABLE_FIND_PACKAGE_OpenMP=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_BLAS=ON -DCMAKE_DISABLE_FIND_PACKAGE_CUDAToolkit=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_hip=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON \
  -DCMAKE_IGNORE_PATH="/usr/lib/x86_64-linux-gnu/openblas-openmp;/usr/lib/x86_64-linux-gnu/openblas-pthread;/usr/local/cuda" \
  "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 600
