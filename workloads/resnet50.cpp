// resnet50: torchvision ResNet-50 v1.5 (stride on the 3x3 convolution), 1000 classes.
#include <fmt/format.h>

#include "workloads/layer_builder.hpp"

namespace scalebench {
namespace {

// torchvision.models.resnet.Bottleneck: 1x1 -> 3x3 (stride) -> 1x1 (x4), BN after each conv.
Tensor4 bottleneck(LayerBuilder& b, const std::string& name, Tensor4 x, std::int64_t width,
                   std::int64_t stride, bool downsample) {
  const std::int64_t out = width * 4;
  Tensor4 skip = x;
  if (downsample) {
    skip = b.conv(name + ".downsample.conv", x, out, 1, stride, 0, false);
    skip = b.batch_norm(name + ".downsample.bn", skip);
  }
  Tensor4 y = b.conv(name + ".conv1", x, width, 1, 1, 0, false);
  y = b.batch_norm(name + ".bn1", y);
  y = b.relu(name + ".relu1", y);
  y = b.conv(name + ".conv2", y, width, 3, stride, 1, false);
  y = b.batch_norm(name + ".bn2", y);
  y = b.relu(name + ".relu2", y);
  y = b.conv(name + ".conv3", y, out, 1, 1, 0, false);
  y = b.batch_norm(name + ".bn3", y);
  y = b.add(name + ".add", y, skip);
  return b.relu(name + ".relu3", y);
}

}  // namespace

Model build_resnet50(std::int64_t batch, std::int64_t image_size) {
  Model model{"resnet50", batch, image_size, {}};
  LayerBuilder b(model);
  Tensor4 x{-1, batch, image_size, image_size, 3};
  x = b.conv("conv1", x, 64, 7, 2, 3, false);
  x = b.batch_norm("bn1", x);
  x = b.relu("relu", x);
  x = b.max_pool("maxpool", x, 3, 2, 1);

  const std::int64_t blocks[] = {3, 4, 6, 3};
  const std::int64_t widths[] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage) {
    for (std::int64_t i = 0; i < blocks[stage]; ++i) {
      const std::int64_t stride = (stage > 0 && i == 0) ? 2 : 1;
      x = bottleneck(b, fmt::format("layer{}.{}", stage + 1, i), x, widths[stage], stride, i == 0);
    }
  }
  x = b.adaptive_pool("avgpool", x, 1);
  const int fc = b.linear("fc", x.producer, batch, 2048, 1000, true);
  b.loss("loss", fc, batch, 1000);
  return model;
}

}  // namespace scalebench
