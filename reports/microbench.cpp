// Reads busbw-by-message-size series out of Google Benchmark JSON output.
#include "reports/microbench.hpp"

#include <algorithm>
#include <map>

#include "reports/median.hpp"

namespace scalebench::reports {
namespace {

using nlohmann::json;

bool has_busbw_counters(const json& bench) {
  const auto bytes = bench.find("bytes");
  const auto busbw = bench.find("busbw_gbps");
  return bytes != bench.end() && bytes->is_number() && busbw != bench.end() && busbw->is_number();
}

bool is_aggregate(const json& bench) { return bench.value("run_type", "") == "aggregate"; }

// "BM_AllReduce/1048576/real_time" -> "BM_AllReduce"
std::string family_name(const json& bench) {
  const std::string name = bench.contains("run_name") && bench["run_name"].is_string()
                               ? bench["run_name"].get<std::string>()
                               : bench.value("name", std::string("benchmark"));
  return name.substr(0, name.find('/'));
}

}  // namespace

bool is_google_benchmark_output(const json& doc) {
  if (!doc.is_object()) return false;
  const auto context = doc.find("context");
  const auto benchmarks = doc.find("benchmarks");
  return context != doc.end() && context->is_object() && benchmarks != doc.end() &&
         benchmarks->is_array();
}

std::vector<BusbwSeries> read_busbw_series(const json& doc, const std::filesystem::path& source,
                                           const std::string& system) {
  const json& benchmarks = doc.at("benchmarks");
  const bool use_aggregates = std::any_of(benchmarks.begin(), benchmarks.end(), [](const json& b) {
    return is_aggregate(b) && b.value("aggregate_name", "") == "median" && has_busbw_counters(b);
  });
  // family -> bytes -> busbw values
  std::map<std::string, std::map<double, std::vector<double>>> by_family;
  for (const json& bench : benchmarks) {
    if (!bench.is_object() || !has_busbw_counters(bench)) continue;
    if (use_aggregates != is_aggregate(bench)) continue;
    if (use_aggregates && bench.value("aggregate_name", "") != "median") continue;
    const double bytes = bench["bytes"].get<double>();
    if (bytes <= 0) continue;
    by_family[family_name(bench)][bytes].push_back(bench["busbw_gbps"].get<double>());
  }
  const std::string host = doc["context"].value("host_name", std::string());
  const std::string owner = system.empty() ? host : system;
  std::vector<BusbwSeries> series;
  for (const auto& [family, sizes] : by_family) {
    BusbwSeries s{owner.empty() ? family : owner + " " + family, owner, source, {}};
    for (const auto& [bytes, values] : sizes) s.points.push_back({bytes, median(values)});
    series.push_back(std::move(s));
  }
  return series;
}

}  // namespace scalebench::reports
