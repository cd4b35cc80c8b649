// mirrored: one process per node driving all its devices (TensorFlow MirroredStrategy, and
// MultiWorkerMirroredStrategy across nodes): gradients packed and all-reduced after backward.
#include "workloads/data_parallel.hpp"

namespace scalebench {

StrategyConfig make_mirrored(const Model& model, int packs) {
  StrategyConfig config;
  config.name = "mirrored";
  config.units = mirrored_packs(parameter_tensors(model), packs);
  config.overlap = false;
  return config;
}

}  // namespace scalebench
