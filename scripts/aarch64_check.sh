#!/usr/bin/env bash
# The aarch64 check (CSC Roihu's GH200 nodes are Grace, aarch64): cross-builds the report-only
# build with Debian 12's g++-aarch64-linux-gnu and the :arm64 -dev packages, checks the binary is
# AArch64, runs it under qemu-user (list, plan, report on a sample record), and runs the unit tests
# of records/, workloads/ (model and strategy tables) and reports/ under qemu-user through ctest.
# As root it installs what is missing (adding the arm64 dpkg architecture). docs/packaging.md has
# what it covers, what it cannot (tests that start an aarch64 child process), and its times.
#   scripts/aarch64_check.sh            build in build-aarch64/ (BUILD_DIR=... elsewhere)
#   JOBS=2 scripts/aarch64_check.sh     build and test with 2 jobs (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${BUILD_DIR:-build-aarch64}
jobs=${JOBS:-$(nproc)}
start=$(date +%s)
say() { echo "aarch64_check: $*"; }

# ------------------------------------------------------------------------------- packages
packages=(cmake ninja-build g++-aarch64-linux-gnu qemu-user-static
          nlohmann-json3-dev libcli11-dev libfmt-dev:arm64 libgtest-dev:arm64)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    say "adding the arm64 dpkg architecture"
    $SUDO dpkg --add-architecture arm64
  fi
  say "installing ${missing[*]}"
  timeout 600 $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive timeout 1200 $SUDO apt-get -o DPkg::Lock::Timeout=300 \
    install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ------------------------------------------------------------------------ configure, build
timeout 600 cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$src/scripts/packaging/aarch64-linux-gnu.cmake" \
  -DSCALEBENCH_REPORT_ONLY=ON "$@" >"$build.configure.log" 2>&1 || {
  cat "$build.configure.log"; exit 1; }
timeout 3600 cmake --build "$build" -j"$jobs"
built=$(date +%s)

bin="$build/scalebench"
if ! readelf -h "$bin" | grep -q 'Machine:.*AArch64'; then
  say "$bin is not an AArch64 executable:"; readelf -h "$bin" | grep Machine; exit 1
fi
emulator=(qemu-aarch64-static)
[ -e /lib/ld-linux-aarch64.so.1 ] || emulator+=(-L /usr/aarch64-linux-gnu)

# ---------------------------------------------------------------- the binary under qemu-user
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { timeout 120 "${emulator[@]}" "$@"; }
run "$bin" --version
run "$bin" list workloads | grep -q resnet50
run "$bin" list clusters | grep -q lumi
run "$bin" plan --cluster local --workloads mnist_cnn --gpus 1 --strategies ddp --batch 1 --steps 1 \
  --binary /usr/bin/true -o "$work/plan" >/dev/null
test -s "$work/plan/plan.json"
mkdir -p "$work/results"
run "$build/tests/reports/write_sample_result" "$work/results/point.json"
run "$bin" report "$work/results" -o "$work/report" >/dev/null
test -s "$work/report/summary.csv"
say "the aarch64 binary ran list, plan and report under qemu-user"

# -------------------------------------------------------------------- unit tests under qemu
# ctest runs each test binary (and the predict_cli scripts' scalebench) through
# CMAKE_CROSSCOMPILING_EMULATOR. Left out, because they start
# an aarch64 child process that qemu-user cannot start without binfmt_misc (Exec format error):
# reports' ReportCommand tests (they run the report command's binary) and the report_only.*,
# slurm.* and install tests (shell scripts running the binary).
timeout 1800 ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 300 \
  -R '^(records|workloads|reports)[.]' -E '^reports[.]ReportCommand[.]'
end=$(date +%s)
say "done in $((end - start)) s (configure and build $((built - start)) s, runs and tests $((end - built)) s)"
