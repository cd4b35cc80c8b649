// The distinct GEMMs a workload's training step issues (forward, data and weight gradients,
// attention), with how often each occurs per step: what the GEMM benchmarks time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/device.hpp"
#include "workloads/workload.hpp"

namespace scalebench {

struct GemmShape {
  GemmOp op;
  std::string role;        // "fwd", "dgrad", "wgrad", "attn"
  std::int64_t count = 0;  // occurrences per training step
};

std::vector<GemmShape> distinct_gemm_shapes(const Model& model);
// Convenience for benchmarks: the workload at its default image size and the given batch.
std::vector<GemmOp> distinct_gemm_shapes(const std::string& workload, std::int64_t batch);

}  // namespace scalebench
