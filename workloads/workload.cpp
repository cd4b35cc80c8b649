// The table of workloads and validation of their input sizes.
#include "workloads/workload.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "records/errors.hpp"

namespace scalebench {
namespace {

const WorkloadInfo kWorkloads[] = {
    {"mnist_cnn", "PyTorch examples MNIST CNN (2 conv, 2 fc), 28x28x1", 64, 28, 16, 1, 1,
     build_mnist_cnn},
    {"resnet50", "torchvision ResNet-50 v1.5, 224x224x3, 1000 classes", 32, 224, 32, 32, 3,
     build_resnet50},
    {"vit_b16", "torchvision ViT-B/16, 224x224x3, 12 layers, width 768, 1000 classes", 32, 224, 16,
     16, 3, build_vit_b16},
};

}  // namespace

std::span<const WorkloadInfo> workloads() { return kWorkloads; }

std::string workload_names() {
  std::string names;
  for (const WorkloadInfo& w : kWorkloads) {
    if (!names.empty()) names += ", ";
    names += w.name;
  }
  return names;
}

const WorkloadInfo& find_workload(std::string_view name) {
  for (const WorkloadInfo& w : kWorkloads) {
    if (w.name == name) return w;
  }
  throw UsageError(fmt::format("unknown workload '{}' (valid: {})", name, workload_names()));
}

namespace {

void check_image_size(const WorkloadInfo& info, std::int64_t image_size) {
  if (image_size < info.min_image_size || image_size % info.image_size_multiple != 0 ||
      image_size > 4096) {
    throw UsageError(fmt::format(
        "image size {} is not allowed for {} (allowed: {} to 4096 px, a multiple of {})",
        image_size, info.name, info.min_image_size, info.image_size_multiple));
  }
}

// Elements of one sample in the largest quantity any layer's arithmetic forms: every tensor (and
// every product the layer builder or the training step forms: m*k of a lowered convolution,
// groups*seq*seq of attention probabilities) grows linearly with the batch.
std::int64_t largest_elems_per_sample(const Model& one) {
  std::int64_t most = 0;
  for (const Layer& l : one.layers) {
    most = std::max({most, l.in_elems, l.out_elems, l.m * l.k, l.m * l.n, l.groups * l.seq * l.seq,
                     l.rows * l.cols});
  }
  return std::max<std::int64_t>(most, 1);
}

}  // namespace

std::int64_t max_batch(const WorkloadInfo& info, std::int64_t image_size) {
  check_image_size(info, image_size);
  return kMaxTensorElems / largest_elems_per_sample(info.build(1, image_size));
}

Model build_model(const WorkloadInfo& info, std::int64_t batch, std::int64_t image_size) {
  if (batch <= 0) throw UsageError(fmt::format("batch must be a positive integer, got {}", batch));
  const std::int64_t most = max_batch(info, image_size);
  if (batch > most) {
    throw UsageError(fmt::format(
        "batch {} is too large for {} at {} px: its tensors would exceed 2^48 elements, more than "
        "any device holds (allowed: 1 to {} per device)",
        batch, info.name, image_size, most));
  }
  return info.build(batch, image_size);
}

std::int64_t Model::parameters() const {
  std::int64_t total = 0;
  for (const Layer& l : layers) total += l.parameters();
  return total;
}

double Model::forward_flops() const {
  double total = 0;
  for (const Layer& l : layers) total += l.forward_flops();
  return total;
}

std::int64_t Model::input_elems() const {
  for (const Layer& l : layers) {
    if (l.input == -1) return l.in_elems;
  }
  return 0;
}

}  // namespace scalebench
