// The strategy table: one row per strategy of vocabulary::kStrategies.
#include "workloads/strategies.hpp"

#include <fmt/format.h>

#include "records/errors.hpp"
#include "records/script_safety.hpp"
#include "records/vocabulary.hpp"

namespace scalebench {
namespace {

nlohmann::json ddp_options(const StrategyOptions& o) {
  return {{"bucket_mb", o.bucket_mb},
          {"first_bucket_mb", o.first_bucket_mb},
          {"overlap", o.overlap},
          {"graph", o.graph}};
}

nlohmann::json mirrored_options(const StrategyOptions& o) {
  return {{"packs", o.packs}, {"devices_per_process", o.devices_per_process}, {"graph", o.graph}};
}

const StrategyInfo kStrategyTable[] = {
    {vocabulary::kDdp, ProcessLayout::per_device,
     "one process per device; bucketed gradients all-reduced during backward (PyTorch DDP)",
     ddp_options},
    {vocabulary::kMirrored, ProcessLayout::per_node,
     "one process per node driving all its devices; gradient packs all-reduced after backward "
     "(TensorFlow MirroredStrategy)",
     mirrored_options},
};

}  // namespace

std::span<const StrategyInfo> strategies() { return kStrategyTable; }

std::string strategy_names() {
  std::string out;
  for (const StrategyInfo& s : kStrategyTable) {
    if (!out.empty()) out += ", ";
    out += s.name;
  }
  return out;
}

const StrategyInfo* lookup_strategy(std::string_view name) {
  for (const StrategyInfo& s : kStrategyTable)
    if (s.name == name) return &s;
  return nullptr;
}

const StrategyInfo& find_strategy(std::string_view name) {
  if (const StrategyInfo* s = lookup_strategy(name)) return *s;
  throw UsageError(
      fmt::format("unknown strategy '{}' (valid: {})", printable(name), strategy_names()));
}

}  // namespace scalebench
