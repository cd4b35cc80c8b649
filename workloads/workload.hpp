// The workloads scalebench knows, as one explicit table, and building a model's layer table.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/layer.hpp"

namespace scalebench {

struct Model {
  std::string workload;
  std::int64_t batch = 0;
  std::int64_t image_size = 0;
  std::vector<Layer> layers;

  std::int64_t parameters() const;
  double forward_flops() const;  // whole batch
  std::int64_t input_elems() const;
};

struct WorkloadInfo {
  std::string_view name;
  std::string_view description;
  std::int64_t default_batch;
  std::int64_t default_image_size;
  std::int64_t min_image_size;
  std::int64_t image_size_multiple;  // image sizes must be a multiple of this
  std::int64_t input_channels;
  Model (*build)(std::int64_t batch, std::int64_t image_size);
};

std::span<const WorkloadInfo> workloads();
std::string workload_names();  // "mnist_cnn, resnet50, vit_b16"
// Throws UsageError naming the valid workloads.
const WorkloadInfo& find_workload(std::string_view name);
// Throws UsageError when the image size is not allowed for the workload.
// Builds the layer table; throws UsageError for a batch or image size outside what is allowed
// (so that no size in the table can overflow).
Model build_model(const WorkloadInfo& info, std::int64_t batch, std::int64_t image_size);
// The largest tensor any layer may form: 2^48 elements (a petabyte in fp32, far beyond any
// device), so that every size, and every size times 8 bytes, fits in 64 bits with room to spare.
inline constexpr std::int64_t kMaxTensorElems = std::int64_t(1) << 48;
// The largest per-device batch whose tensors all stay within kMaxTensorElems.
std::int64_t max_batch(const WorkloadInfo& info, std::int64_t image_size);

// The three tables (one file each).
Model build_mnist_cnn(std::int64_t batch, std::int64_t image_size);
Model build_resnet50(std::int64_t batch, std::int64_t image_size);
Model build_vit_b16(std::int64_t batch, std::int64_t image_size);

}  // namespace scalebench
