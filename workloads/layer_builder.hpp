// Helpers the layer tables use to append layers with consistent shapes (NHWC activations).
#pragma once

#include <cstdint>
#include <string>

#include "workloads/workload.hpp"

namespace scalebench {

// A feature map flowing through a convolutional table.
struct Tensor4 {
  int producer = -1;  // layer index; -1 = model input
  std::int64_t n = 0, h = 0, w = 0, c = 0;
  std::int64_t elems() const { return n * h * w * c; }
};

class LayerBuilder {
 public:
  explicit LayerBuilder(Model& model) : model_(model) {}

  Tensor4 conv(const std::string& name, const Tensor4& x, std::int64_t c_out, std::int64_t kernel,
               std::int64_t stride, std::int64_t pad, bool bias);
  Tensor4 batch_norm(const std::string& name, const Tensor4& x);
  Tensor4 relu(const std::string& name, const Tensor4& x);
  Tensor4 max_pool(const std::string& name, const Tensor4& x, std::int64_t kernel,
                   std::int64_t stride, std::int64_t pad);
  // Pools to a fixed output size (adaptive pooling keeps the next layer's shape fixed).
  Tensor4 adaptive_pool(const std::string& name, const Tensor4& x, std::int64_t out_hw);
  Tensor4 add(const std::string& name, const Tensor4& x, const Tensor4& skip);
  Tensor4 dropout(const std::string& name, const Tensor4& x);

  // Token sequences: rows = batch * tokens, width = features. Returns the layer index.
  int linear(const std::string& name, int input, std::int64_t rows, std::int64_t in_features,
             std::int64_t out_features, bool bias);
  int layer_norm(const std::string& name, int input, std::int64_t rows, std::int64_t width);
  int activation(const std::string& name, int input, std::int64_t elems);
  int dropout(const std::string& name, int input, std::int64_t elems);
  int add(const std::string& name, int input, int skip, std::int64_t elems);
  int loss(const std::string& name, int input, std::int64_t batch, std::int64_t classes);

  int append(Layer layer);
  int last() const { return int(model_.layers.size()) - 1; }

 private:
  // A layer that reads `elems` elements of `input` and writes as many (a memory pass).
  int elementwise(const std::string& name, LayerKind kind, int input, std::int64_t elems);

  Model& model_;
};

}  // namespace scalebench
