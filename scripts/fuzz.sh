#!/usr/bin/env bash
# Fuzzes scalebench's readers of outside files (fuzz/: results, plans, cluster profiles, Google
# Benchmark output): builds the libFuzzer targets with clang in build-fuzz, writes their seed
# corpora from scalebench's own writers (ctest fuzz.seeds), runs every seed once, then each target
# for a bounded time. Fails on any crash, sanitizer report, leak, hang or undocumented exception.
#   FUZZ_SECONDS    seconds per target (default 60)
#   FUZZ_TARGETS    which targets (default: result_reader plan_reader cluster_profile busbw_reader
#                   predict_inputs)
#   FUZZ_CORPUS     folder that keeps what the runs find, one subfolder per target
#                   (default build-fuzz/corpus; reused by the next run)
#   FUZZ_BUILD_DIR  build folder (default build-fuzz); FUZZ_BUILD_JOBS build jobs (default nproc)
#   FUZZ_SKIP_BUILD=1  run the targets already built there
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
targets=(${FUZZ_TARGETS:-result_reader plan_reader cluster_profile busbw_reader predict_inputs})
corpus_root=${FUZZ_CORPUS:-$build/corpus}
case "$seconds" in ''|*[!0-9]*|0) echo "fuzz.sh: FUZZ_SECONDS must be a positive integer, got '$seconds'" >&2; exit 2;; esac

if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSCALEBENCH_GPU=none -DSCALEBENCH_FUZZ=ON -DSCALEBENCH_TESTS=OFF -DSCALEBENCH_BENCH=OFF >/dev/null
  cmake --build "$build" --target fuzz_targets -j "${FUZZ_BUILD_JOBS:-$(nproc)}"
fi
# Seeds first (fuzz.seeds), then every seed once through its target.
ctest --test-dir "$build" --output-on-failure --timeout 300

# Every sanitizer report stops the target, so libFuzzer keeps the input as a crash artifact.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
seeds=$build/fuzz/seeds
corpus_of() { case "$1" in result_reader) echo result;; plan_reader) echo plan;;
  cluster_profile) echo cluster_profile;; busbw_reader) echo busbw;; predict_inputs) echo predict;;
  *) echo "fuzz.sh: unknown target '$1'" >&2; exit 2;; esac; }

failed=0
summary=()
for t in "${targets[@]}"; do
  c=$(corpus_of "$t")
  corpus=$corpus_root/$t
  artifacts=$build/fuzz-artifacts/$t
  log=$build/fuzz-logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  rm -f "$artifacts"/*
  echo "fuzz.sh: $t for ${seconds} s (log $log)"
  status=0
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: 2 GiB is a runaway allocation.
  "$build/fuzz/${t}_fuzz" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2048 -dict="$seeds/$c.dict" -artifact_prefix="$artifacts/" \
    "$corpus" "$seeds/$c" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  files=$(find "$corpus" -type f | wc -l)
  crashes=$(find "$artifacts" -type f | wc -l)
  line=$(printf '%-16s %10s execs %7s exec/s  cov %5s  ft %6s  corpus %5s files  crashes %s' \
    "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$files" "$crashes")
  if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    line="$line  FAILED (exit $status)"
    grep -E 'ERROR: |runtime error|undocumented exception|SUMMARY' "$log" | head -5 >&2 || true
    find "$artifacts" -type f | sed 's/^/  artifact: /' >&2
  fi
  summary+=("$line")
done
echo "fuzz.sh summary (${seconds} s per target):"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "fuzz.sh: FAILED; reproduce with: $build/fuzz/<target>_fuzz <artifact>" >&2
  exit 1
fi
