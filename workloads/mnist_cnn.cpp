// mnist_cnn: the PyTorch examples MNIST network (github.com/pytorch/examples, mnist/main.py).
#include "workloads/layer_builder.hpp"

namespace scalebench {

Model build_mnist_cnn(std::int64_t batch, std::int64_t image_size) {
  Model model{"mnist_cnn", batch, image_size, {}};
  LayerBuilder b(model);
  Tensor4 x{-1, batch, image_size, image_size, 1};
  x = b.conv("conv1", x, 32, 3, 1, 0, true);
  x = b.relu("relu1", x);
  x = b.conv("conv2", x, 64, 3, 1, 0, true);
  x = b.relu("relu2", x);
  // max_pool2d(2) turns 24x24 into 12x12 at 28 px; pooling to 12x12 keeps fc1 at 9216 inputs
  // for other image sizes too.
  x = b.adaptive_pool("pool", x, 12);
  x = b.dropout("dropout1", x);
  int h = b.linear("fc1", x.producer, batch, 12 * 12 * 64, 128, true);
  h = b.activation("relu3", h, batch * 128);
  h = b.dropout("dropout2", h, batch * 128);
  h = b.linear("fc2", h, batch, 128, 10, true);
  b.loss("loss", h, batch, 10);
  return model;
}

}  // namespace scalebench
