// The words the file formats share: strategies, precisions, backends, scalings and statuses. Every
// reader and every command-line check takes its list from here, and one function refuses a word
// that is not on it, naming the valid ones.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace scalebench::vocabulary {

// The data-parallel strategies (workloads/strategies.cpp has one row for each).
inline constexpr std::string_view kDdp = "ddp";
inline constexpr std::string_view kMirrored = "mirrored";
inline constexpr std::array<std::string_view, 2> kStrategies = {kDdp, kMirrored};

inline constexpr std::array<std::string_view, 4> kPrecisions = {"fp32", "tf32", "bf16", "fp16"};
inline constexpr std::array<std::string_view, 3> kBackends = {"cpu", "cuda", "hip"};

// Cluster profiles: whether a cluster still runs jobs, its compute nodes' CPU architecture, what
// its scheduler calls a GPU, and how an interconnect figure was obtained.
inline constexpr std::array<std::string_view, 2> kClusterStates = {"active", "retired"};
inline constexpr std::array<std::string_view, 2> kArchs = {"x86_64", "aarch64"};
inline constexpr std::array<std::string_view, 2> kDeviceUnits = {"GPU", "GCD"};
inline constexpr std::array<std::string_view, 3> kBases = {"published", "measured", "assumed"};

// weak: the per-device batch is fixed; strong: the global batch is fixed.
inline constexpr std::string_view kWeak = "weak";
inline constexpr std::string_view kStrong = "strong";
inline constexpr std::array<std::string_view, 2> kScalings = {kWeak, kStrong};

// The status of a run point in its result file.
inline constexpr std::string_view kOk = "ok";
inline constexpr std::string_view kFailed = "failed";
inline constexpr std::string_view kTimeout = "timeout";
inline constexpr std::array<std::string_view, 3> kStatuses = {kOk, kFailed, kTimeout};

// The gradient check of a run (communication.check): the all-reduced sums compared on every
// replica, or not run.
inline constexpr std::array<std::string_view, 3> kChecks = {"passed", "failed", "skipped"};

// "a, b, c": a list as the "(valid: ...)" part of an error message shows it.
template <std::size_t N>
std::string joined(const std::array<std::string_view, N>& words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

template <std::size_t N>
bool is_one_of(std::string_view word, const std::array<std::string_view, N>& words) {
  for (std::string_view w : words)
    if (w == word) return true;
  return false;
}

// Throws UsageError "<what> 'WORD' is not known (valid: a, b, c)" unless `word` is on the list.
// The word is shown as printable() shows it (one line, control characters escaped).
void require_one_of(std::string_view word, std::string_view what, const std::string_view* words,
                    std::size_t count);
template <std::size_t N>
void require_one_of(std::string_view word, std::string_view what,
                    const std::array<std::string_view, N>& words) {
  require_one_of(word, what, words.data(), N);
}

}  // namespace scalebench::vocabulary
