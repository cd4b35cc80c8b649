// All-reduce micro-benchmark results (Google Benchmark JSON with bytes and busbw_gbps counters).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace scalebench::reports {

struct BusbwPoint {
  double bytes = 0;
  double busbw_gbps = 0;
};

// One benchmark family of one file, e.g. "mahti BM_AllReduce": busbw by message size.
struct BusbwSeries {
  std::string name;
  std::string system;
  std::filesystem::path source;
  std::vector<BusbwPoint> points;  // sorted by bytes, one per size (median of repeats)
};

// True when the document has the shape of `--benchmark_out` output: a "context" object and a
// "benchmarks" array.
bool is_google_benchmark_output(const nlohmann::json& doc);

// The series of a Google Benchmark document whose benchmarks carry `bytes` and `busbw_gbps`
// counters. Aggregates are used when present (the median), else every iteration run.
// `system` defaults to the context's host_name when empty. Empty when no benchmark qualifies.
std::vector<BusbwSeries> read_busbw_series(const nlohmann::json& doc,
                                           const std::filesystem::path& source,
                                           const std::string& system);

}  // namespace scalebench::reports
