// mirrored: one process per node driving all its devices (TensorFlow MirroredStrategy, and
// MultiWorkerMirroredStrategy across nodes): gradients packed and all-reduced after backward.
#include "workloads/data_parallel.hpp"
#include "records/vocabulary.hpp"

namespace scalebench {

StrategyConfig make_mirrored(const Model& model, const StrategyOptions& options) {
  StrategyConfig config;
  config.name = std::string(vocabulary::kMirrored);
  config.units = mirrored_packs(parameter_tensors(model), int(options.packs));
  config.overlap = false;
  return config;
}

}  // namespace scalebench
