#!/usr/bin/env bash
# CI stage: scalebench builds where its users build it, from Debian packages only (no download
# but apt's). Two builds, each printing one ok/FAILED line; exits non-zero if any failed.
#   prefix      nlohmann-json, CLI11, fmt and OpenBLAS unpacked from their .deb files into a
#               private prefix (as a Spack or EasyBuild user has them) with /usr hidden from
#               CMake (CMAKE_IGNORE_PREFIX_PATH=/usr); MPI stays /usr's: FindMPI finds mpicxx on
#               PATH, as a cluster's MPI module puts it there (no MPI_HOME needed). Checks that every one of the four came from the
#               prefix, runs `scalebench --version` and a 1-rank `scalebench run`.
#   clang-blis  clang++ (Debian 12: 14) and BLIS (libblis-openmp-dev, -DBLA_VENDOR=BLIS), not
#               OpenBLAS; builds the CPU tests and runs them (ctest: kernels., workloads.,
#               mpi., e2e.).
# Time on the 2-core CI machine: about 13 min in all (prefix ~4 min, clang-blis ~9 min).
#   scripts/build_matrix.sh [prefix] [clang-blis]     (default: both)
# Environment: BUILD_MATRIX_DIR (default build-matrix), JOBS (default: all cores).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=${BUILD_MATRIX_DIR:-$root/build-matrix}
jobs=${JOBS:-$(nproc)}
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
debarch=$(dpkg --print-architecture)
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(prefix clang-blis)
mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
start=$SECONDS
results=()
failed=0

# Runs one part, its output in $work/<name>.log; one summary line.
part() {
  local name=$1 t0=$SECONDS status=0
  shift
  echo "=== build_matrix: $name"
  "$@" >"$work/$name.log" 2>&1 || status=$?
  local line
  line=$(printf '%-11s %-6s %4d s  (log: %s)' "$name" "$([ $status -eq 0 ] && echo ok || echo FAILED)" \
    $((SECONDS - t0)) "${work#"$root"/}/$name.log")
  if [ $status -ne 0 ]; then
    failed=1
    tail -25 "$work/$name.log"
  fi
  results+=("$line")
  echo "=== build_matrix: $line"
}

# --- prefix: the header-style libraries and OpenBLAS from .deb files, /usr hidden
debs=(nlohmann-json3-dev libcli11-dev libfmt-dev libfmt9 libopenblas-openmp-dev libopenblas0-openmp)
build_prefix() {
  local debdir=$work/debs prefix=$work/prefix build=$work/build-prefix
  mkdir -p "$debdir"
  rm -rf "$prefix" "$build"
  for p in "${debs[@]}"; do
    if ! ls "$debdir/${p}_"*.deb >/dev/null 2>&1; then
      # apt's cache first (install_deps.sh put them on this machine), else apt-get download.
      local v cached
      v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null | sed 's/:/%3a/')
      cached=$(ls /var/cache/apt/archives/"${p}_${v}_$debarch.deb" /var/cache/apt/archives/"${p}_${v}_all.deb" \
               2>/dev/null | head -1)
      if [ -n "$cached" ]; then
        cp "$cached" "$debdir/"
      else
        (cd "$debdir" && apt-get download -qq "$p") || { echo "build_matrix: cannot get $p.deb"; return 1; }
      fi
    fi
    echo "unpacking $(ls "$debdir/${p}_"*.deb)"
    dpkg -x "$debdir/${p}_"*.deb "$prefix"
  done
  # As a Spack/EasyBuild module gives them: one prefix (CMAKE_PREFIX_PATH) and OPENBLAS_ROOT.
  # /usr is hidden from every find_* (its copies of all four are installed on this machine);
  # MPI is the one dependency left in /usr: FindMPI finds mpicxx on PATH (not a prefix search).
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSCALEBENCH_GPU=none \
    -DSCALEBENCH_TESTS=OFF -DSCALEBENCH_BENCH=OFF \
    -DCMAKE_IGNORE_PREFIX_PATH=/usr -DCMAKE_PREFIX_PATH="$prefix/usr" -DOPENBLAS_ROOT="$prefix/usr" \
    || return 1
  grep -E "^(fmt_DIR|CLI11_DIR|nlohmann_json_DIR|CBLAS_INCLUDE_DIR|BLAS_openblas_LIBRARY):" "$build/CMakeCache.txt"
  local bad
  bad=$(grep -E "^(fmt_DIR|CLI11_DIR|nlohmann_json_DIR|CBLAS_INCLUDE_DIR|BLAS_openblas_LIBRARY):" \
        "$build/CMakeCache.txt" | grep -v "=$prefix/") && { echo "found outside the prefix: $bad"; return 1; }
  cmake --build "$build" -j"$jobs" --target scalebench || return 1
  # Every header of the four came from the prefix (the compiler still searches /usr/include).
  bad=$(ninja -C "$build" -t deps | grep -E "^ +/usr/include/(fmt|CLI|nlohmann|$arch/(openblas|cblas))" | sort -u)
  [ -z "$bad" ] || { echo "headers from /usr, not the prefix:"; echo "$bad"; return 1; }
  ldd "$build/scalebench" | grep -E "openblas|fmt"
  bad=$(ldd "$build/scalebench" | grep -E "openblas|fmt" | grep -v "=> $prefix/")
  [ -z "$bad" ] || { echo "libraries from outside the prefix: $bad"; return 1; }
  "$build/scalebench" --version || return 1
  local out=$work/prefix-run.json
  rm -f "$out"
  timeout 300 "$build/scalebench" run --workload mnist_cnn --backend cpu --batch 2 --steps 2 --warmup 1 \
    --out "$out" || return 1
  grep -q '"blas_vendor": *"OpenBLAS"' "$out" || { echo "$out does not record blas_vendor OpenBLAS"; return 1; }
}

# --- clang-blis: another compiler, another BLAS, the CPU tests
build_clang_blis() {
  local build=$work/build-clang-blis
  command -v clang++ >/dev/null || { echo "no clang++ (scripts/install_deps.sh installs clang)"; return 1; }
  # Leaves out the test folders whose code does not touch the compiler or BLAS difference this
  # build is for, or that other stages run: records, harness, reports (plain C++, also built by
  # clang in the fuzz stage), slurm (the local Slurm cluster: the tests stage), gpu (no GPU; the
  # HIP compile check is the tests stage's), install and packaging (their own stages' scripts).
  CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSCALEBENCH_GPU=none \
    -DSCALEBENCH_BENCH=OFF -DBLA_VENDOR=BLIS \
    "-DSCALEBENCH_SKIP_TEST_DIRS=records;harness;reports;slurm;gpu;install;packaging" || return 1
  cmake --build "$build" -j"$jobs" || return 1
  ldd "$build/scalebench" | grep -E "blis|openblas|omp"
  ! ldd "$build/scalebench" | grep -q openblas || { echo "linked OpenBLAS, not BLIS"; return 1; }
  ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 600 -R '^(kernels|workloads|mpi|e2e)\.'
}

for p in "${parts[@]}"; do
  case $p in
    prefix) part prefix build_prefix ;;
    clang-blis) part clang-blis build_clang_blis ;;
    *) echo "build_matrix: unknown part '$p' (prefix, clang-blis)" >&2; exit 2 ;;
  esac
done
echo "=== build_matrix summary ($((SECONDS - start)) s):"
printf '  %s\n' "${results[@]}"
exit $failed
