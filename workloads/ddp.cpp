// ddp: one process per device (PyTorch DistributedDataParallel): bucketed gradients in reverse
// order, each bucket all-reduced as soon as backward has produced it.
#include "workloads/data_parallel.hpp"

namespace scalebench {

StrategyConfig make_ddp(const Model& model, double bucket_mb, double first_bucket_mb,
                        bool overlap) {
  constexpr double kMiB = 1024.0 * 1024.0;
  StrategyConfig config;
  config.name = "ddp";
  config.units = ddp_buckets(parameter_tensors(model), std::int64_t(bucket_mb * kMiB),
                             std::int64_t(first_bucket_mb * kMiB));
  config.overlap = overlap;
  return config;
}

}  // namespace scalebench
