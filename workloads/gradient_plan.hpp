// How gradients travel: the units (ddp buckets, mirrored packs) that are all-reduced together.
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/training_step.hpp"

namespace scalebench {

// A contiguous range of the flat fp32 gradient buffer, all-reduced as one message.
struct GradientUnit {
  std::int64_t index = 0;
  std::int64_t offset = 0;  // elements
  std::int64_t count = 0;   // elements
  std::int64_t tensors = 0;
  // Backward has produced every gradient of the unit once the backward of this layer is done
  // (the lowest layer index among its tensors: backward runs from the last layer down).
  int ready_layer = 0;

  std::int64_t bytes() const { return count * std::int64_t(sizeof(float)); }
};

// PyTorch DDP bucketing (torch/csrc/distributed/c10d/reducer.cpp,
// compute_bucket_assignment_by_size): tensors in reverse order of definition; a bucket closes as
// soon as it holds at least its cap; the first bucket's cap is first_cap_bytes (1 MiB in DDP).
// A tensor larger than the cap gets a bucket of its own.
std::vector<GradientUnit> ddp_buckets(const std::vector<ParamTensor>& tensors,
                                      std::int64_t cap_bytes, std::int64_t first_cap_bytes);

// TensorFlow MirroredStrategy packing (all-reduce num_packs): the concatenated gradients split
// into `packs` contiguous pieces of nearly equal size at tensor boundaries, all-reduced after
// backward.
std::vector<GradientUnit> mirrored_packs(const std::vector<ParamTensor>& tensors, int packs);

}  // namespace scalebench
