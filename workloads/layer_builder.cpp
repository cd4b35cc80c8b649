// Appending layers with shapes derived from their inputs, so a table cannot disagree with itself.
#include "workloads/layer_builder.hpp"

namespace scalebench {

int LayerBuilder::append(Layer layer) {
  model_.layers.push_back(std::move(layer));
  return last();
}

Tensor4 LayerBuilder::conv(const std::string& name, const Tensor4& x, std::int64_t c_out,
                           std::int64_t kernel, std::int64_t stride, std::int64_t pad, bool bias) {
  const std::int64_t ho = (x.h + 2 * pad - kernel) / stride + 1;
  const std::int64_t wo = (x.w + 2 * pad - kernel) / stride + 1;
  Layer l;
  l.name = name;
  l.kind = LayerKind::conv;
  l.input = x.producer;
  l.in_elems = x.elems();
  l.m = x.n * ho * wo;
  l.n = c_out;
  l.k = x.c * kernel * kernel;
  l.out_elems = l.m * l.n;
  l.lowered = !(kernel == 1 && stride == 1 && pad == 0);
  l.input_grad = x.producer != -1;
  l.param_sizes.push_back(c_out * x.c * kernel * kernel);
  if (bias) l.param_sizes.push_back(c_out);
  return Tensor4{append(std::move(l)), x.n, ho, wo, c_out};
}

Tensor4 LayerBuilder::batch_norm(const std::string& name, const Tensor4& x) {
  Layer l;
  l.name = name;
  l.kind = LayerKind::norm;
  l.input = x.producer;
  l.in_elems = l.out_elems = x.elems();
  l.rows = x.n * x.h * x.w;
  l.cols = x.c;
  l.per_column = true;
  l.param_sizes = {x.c, x.c};  // weight (gamma), bias (beta)
  return Tensor4{append(std::move(l)), x.n, x.h, x.w, x.c};
}

Tensor4 LayerBuilder::relu(const std::string& name, const Tensor4& x) {
  Tensor4 y = x;
  y.producer = activation(name, x.producer, x.elems());
  return y;
}

Tensor4 LayerBuilder::max_pool(const std::string& name, const Tensor4& x, std::int64_t kernel,
                               std::int64_t stride, std::int64_t pad) {
  const std::int64_t ho = (x.h + 2 * pad - kernel) / stride + 1;
  const std::int64_t wo = (x.w + 2 * pad - kernel) / stride + 1;
  Layer l;
  l.name = name;
  l.kind = LayerKind::pool;
  l.input = x.producer;
  l.in_elems = x.elems();
  l.out_elems = x.n * ho * wo * x.c;
  return Tensor4{append(std::move(l)), x.n, ho, wo, x.c};
}

Tensor4 LayerBuilder::adaptive_pool(const std::string& name, const Tensor4& x,
                                    std::int64_t out_hw) {
  Layer l;
  l.name = name;
  l.kind = LayerKind::pool;
  l.input = x.producer;
  l.in_elems = x.elems();
  l.out_elems = x.n * out_hw * out_hw * x.c;
  return Tensor4{append(std::move(l)), x.n, out_hw, out_hw, x.c};
}

Tensor4 LayerBuilder::add(const std::string& name, const Tensor4& x, const Tensor4& skip) {
  Tensor4 y = x;
  y.producer = add(name, x.producer, skip.producer, x.elems());
  return y;
}

Tensor4 LayerBuilder::dropout(const std::string& name, const Tensor4& x) {
  Tensor4 y = x;
  y.producer = dropout(name, x.producer, x.elems());
  return y;
}

int LayerBuilder::linear(const std::string& name, int input, std::int64_t rows,
                         std::int64_t in_features, std::int64_t out_features, bool bias) {
  Layer l;
  l.name = name;
  l.kind = LayerKind::linear;
  l.input = input;
  l.m = rows;
  l.n = out_features;
  l.k = in_features;
  l.in_elems = rows * in_features;
  l.out_elems = rows * out_features;
  l.input_grad = input != -1;
  l.param_sizes.push_back(in_features * out_features);
  if (bias) l.param_sizes.push_back(out_features);
  return append(std::move(l));
}

int LayerBuilder::layer_norm(const std::string& name, int input, std::int64_t rows,
                             std::int64_t width) {
  Layer l;
  l.name = name;
  l.kind = LayerKind::norm;
  l.input = input;
  l.in_elems = l.out_elems = rows * width;
  l.rows = rows;
  l.cols = width;
  l.per_column = false;
  l.param_sizes = {width, width};
  return append(std::move(l));
}

int LayerBuilder::elementwise(const std::string& name, LayerKind kind, int input,
                              std::int64_t elems) {
  Layer l;
  l.name = name;
  l.kind = kind;
  l.input = input;
  l.in_elems = l.out_elems = elems;
  return append(std::move(l));
}

int LayerBuilder::activation(const std::string& name, int input, std::int64_t elems) {
  return elementwise(name, LayerKind::activation, input, elems);
}

int LayerBuilder::dropout(const std::string& name, int input, std::int64_t elems) {
  return elementwise(name, LayerKind::dropout, input, elems);
}

int LayerBuilder::add(const std::string& name, int input, int skip, std::int64_t elems) {
  const int i = elementwise(name, LayerKind::add, input, elems);
  model_.layers[i].input2 = skip;
  return i;
}

int LayerBuilder::loss(const std::string& name, int input, std::int64_t batch,
                       std::int64_t classes) {
  Layer l;
  l.name = name;
  l.kind = LayerKind::loss;
  l.input = input;
  l.in_elems = l.out_elems = batch * classes;
  l.rows = batch;
  l.cols = classes;
  return append(std::move(l));
}

}  // namespace scalebench
