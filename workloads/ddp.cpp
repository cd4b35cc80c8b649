// ddp: one process per device (PyTorch DistributedDataParallel): bucketed gradients in reverse
// order, each bucket all-reduced as soon as backward has produced it.
#include "workloads/data_parallel.hpp"
#include "records/vocabulary.hpp"

namespace scalebench {

StrategyConfig make_ddp(const Model& model, const StrategyOptions& options) {
  constexpr double kMiB = 1024.0 * 1024.0;
  StrategyConfig config;
  config.name = std::string(vocabulary::kDdp);
  config.units = ddp_buckets(parameter_tensors(model), std::int64_t(options.bucket_mb * kMiB),
                             std::int64_t(options.first_bucket_mb * kMiB));
  config.overlap = options.overlap;
  return config;
}

}  // namespace scalebench
