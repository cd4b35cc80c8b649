// The table of workloads and validation of their input sizes.
#include "workloads/workload.hpp"

#include <fmt/format.h>

#include "kernels/errors.hpp"

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

Model build_model(const WorkloadInfo& info, std::int64_t batch, std::int64_t image_size) {
  if (batch <= 0) throw UsageError(fmt::format("batch must be a positive integer, got {}", batch));
  if (image_size < info.min_image_size || image_size % info.image_size_multiple != 0 ||
      image_size > 4096) {
    throw UsageError(fmt::format(
        "image size {} is not allowed for {} (allowed: {} to 4096 px, a multiple of {})",
        image_size, info.name, info.min_image_size, info.image_size_multiple));
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
