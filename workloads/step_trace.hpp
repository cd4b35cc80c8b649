// A training step recorded instead of run: every GEMM, memory pass and softmax it issues, with
// its layer class, on a device that hands out address ranges and runs nothing. Each access is
// checked to lie inside one allocation for the element types it names, so a trace both counts
// the bytes a step moves and proves its buffers are sized for them (at any batch, for free).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kernels/device.hpp"
#include "workloads/autocast.hpp"
#include "workloads/workload.hpp"

namespace scalebench {

struct TracedPass {
  std::string layer_class;  // as TrainingStep::profiled_step names it
  MemoryPass pass;
  PassTypes types;
  double bytes = 0;  // pass_bytes()
};

struct TracedGemm {
  std::string layer_class;
  GemmOp op;
};

struct StepTrace {
  std::vector<TracedPass> passes;      // memory passes, softmax (as a unary pass), SGD excluded
  std::vector<TracedGemm> gemms;
  std::vector<std::string> range_errors;  // accesses outside every allocation (empty when sound)

  // Bytes of the memory passes per layer class.
  std::map<std::string, double> bytes_by_class() const;
};

// One forward + backward + optimizer step of `model` under `precision`.
StepTrace trace_step(const Model& model, Precision precision, TypeRules rules = TypeRules::autocast);

}  // namespace scalebench
