// Turning a layer table into kernels: which GEMMs and memory passes each layer kind issues in
// forward and backward. Memory passes move the bytes a framework's kernel would move.
#include "workloads/training_step.hpp"

#include <algorithm>
#include <cstring>

namespace scalebench {
namespace {

constexpr float kLearningRate = 1e-4f;
constexpr float kMomentum = 0.9f;

// Each helper fills in every element type: a pass moves the bytes of the types it names.
MemoryPass unary(const void* src, void* dst, std::int64_t n, DType type) {
  MemoryPass p;
  p.kind = PassKind::unary;
  p.src = src;
  p.dst = dst;
  p.src_count = p.dst_count = n;
  p.src_type = p.src2_type = p.dst_type = type;
  return p;
}

MemoryPass binary(const void* a, const void* b, void* dst, std::int64_t n, DType type) {
  MemoryPass p = unary(a, dst, n, type);
  p.kind = PassKind::binary;
  p.src2 = b;
  return p;
}

MemoryPass convert(const void* src, DType from, void* dst, DType to, std::int64_t n) {
  MemoryPass p = unary(src, dst, n, to);
  p.kind = PassKind::cast;
  p.src_type = from;
  return p;
}

MemoryPass reduce(PassKind kind, const void* src, std::int64_t src_n, void* dst,
                  std::int64_t dst_n, DType type) {
  MemoryPass p = unary(src, dst, dst_n, type);
  p.kind = kind;
  p.src_count = src_n;
  return p;
}

MemoryPass norm(PassKind kind, const void* src, const void* src2, void* dst, const Layer& l,
                DType type) {
  MemoryPass p = unary(src, dst, l.rows * l.cols, type);
  p.kind = kind;
  p.src2 = src2;
  p.rows = l.rows;
  p.cols = l.cols;
  p.per_column = l.per_column;
  return p;
}

bool is_gemm(const Layer& l) { return l.kind == LayerKind::conv || l.kind == LayerKind::linear; }

}  // namespace

std::vector<ParamTensor> parameter_tensors(const Model& model) {
  std::vector<ParamTensor> tensors;
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    for (std::int64_t count : model.layers[i].param_sizes) {
      tensors.push_back(ParamTensor{int(i), offset, count});
      offset += count;
    }
  }
  return tensors;
}

namespace {

// Sizes of the buffers a step shares between layers (the largest any layer needs), and the bytes
// of everything the constructor allocates: one place, so that the memory check before
// allocating counts exactly what is allocated.
struct StepBufferSizes {
  std::int64_t lowered_elems = 0, scratch_elems = 0, bias_elems = 0, cast_grad_bytes = 0;
  std::int64_t ctx_elems = 0, dheads_elems = 0, dprobs_elems = 0;
  std::int64_t total_bytes = 0;
};

StepBufferSizes step_buffer_sizes(const Model& model, const ModelTypes& types, DType compute) {
  StepBufferSizes z;
  const auto bytes = [](std::int64_t elems, DType type) {
    return elems * std::int64_t(dtype_bytes(type));
  };
  const std::int64_t params = model.parameters();
  z.total_bytes = 3 * bytes(params, DType::f32);  // parameters, gradients, momentum
  if (compute != DType::f32) z.total_bytes += bytes(params, compute);
  z.total_bytes += 2 * bytes(model.input_elems(), types.input);
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    const Layer& l = model.layers[i];
    const LayerTypes& t = types.layers[i];
    z.total_bytes += 2 * bytes(l.out_elems, t.out);  // output and its gradient
    if (t.cast_input) {
      z.total_bytes += bytes(l.in_elems, t.compute);
      z.cast_grad_bytes = std::max(z.cast_grad_bytes, bytes(l.in_elems, t.compute));
    }
    z.scratch_elems = std::max({z.scratch_elems, l.out_elems, l.in_elems});
    if (l.kind == LayerKind::conv && l.lowered) z.lowered_elems = std::max(z.lowered_elems, l.m * l.k);
    if (is_gemm(l)) z.bias_elems = std::max(z.bias_elems, l.n);
    if (l.kind == LayerKind::attention) {
      z.total_bytes += bytes(l.in_elems, compute) + bytes(l.groups * l.seq * l.seq, compute);
      z.ctx_elems = std::max(z.ctx_elems, l.out_elems);
      z.dheads_elems = std::max(z.dheads_elems, l.in_elems);
      z.dprobs_elems = std::max(z.dprobs_elems, l.groups * l.seq * l.seq);
    }
  }
  z.total_bytes += 2 * bytes(z.lowered_elems, compute) + bytes(z.scratch_elems, DType::f32) +
                   (z.cast_grad_bytes + 3) / 4 * 4 + bytes(z.bias_elems, compute) +
                   bytes(z.ctx_elems, compute) + bytes(z.dheads_elems, compute) +
                   bytes(z.dprobs_elems, compute);
  return z;
}

}  // namespace

std::int64_t TrainingStep::device_bytes(const Device& device, const Model& model, TypeRules rules) {
  return step_buffer_sizes(model, autocast_types(model, device.precision(), rules),
                           device.activation_type())
      .total_bytes;
}

TrainingStep::TrainingStep(Device& device, const Model& model, std::uint64_t seed,
                           TypeRules rules)
    : device_(device),
      model_(model),
      types_(autocast_types(model, device.precision(), rules)),
      elem_bytes_(dtype_bytes(device.activation_type())) {
  const std::size_t n_layers = model.layers.size();
  tensors_ = parameter_tensors(model);
  param_count_ = model.parameters();
  first_param_offset_.assign(n_layers, -1);
  for (const ParamTensor& t : tensors_) {
    if (first_param_offset_[t.layer] < 0) first_param_offset_[t.layer] = t.offset;
  }
  const std::size_t param_bytes = std::size_t(param_count_) * sizeof(float);
  params_ = DeviceBuffer(device, param_bytes);
  grads_ = DeviceBuffer(device, param_bytes);
  velocity_ = DeviceBuffer(device, param_bytes);
  device.fill_random(params_.get(), param_count_, DType::f32, seed, 0.05f);
  device.fill_random(grads_.get(), param_count_, DType::f32, seed + 1, 0.01f);
  device.fill_random(velocity_.get(), param_count_, DType::f32, seed + 2, 0.001f);
  if (device.activation_type() != DType::f32) {
    weights_compute_ = DeviceBuffer(device, std::size_t(param_count_) * elem_bytes_);
  }

  const DType compute = device.activation_type();
  auto alloc_random = [&](std::int64_t elems, DType type, std::uint64_t s) {
    DeviceBuffer b(device, std::size_t(elems) * dtype_bytes(type));
    device.fill_random(b.get(), elems, type, s, 1.0f);
    activation_bytes_ += std::int64_t(b.bytes());
    return b;
  };

  input_ = alloc_random(model.input_elems(), types_.input, seed + 3);
  input_grad_ = alloc_random(model.input_elems(), types_.input, seed + 4);
  acts_.resize(n_layers);
  grad_bufs_.resize(n_layers);
  cast_inputs_.resize(n_layers);
  attn_heads_.resize(n_layers);
  attn_probs_.resize(n_layers);
  for (std::size_t i = 0; i < n_layers; ++i) {
    const Layer& l = model.layers[i];
    const LayerTypes& t = types_.layers[i];
    acts_[i] = alloc_random(l.out_elems, t.out, seed + 100 + i);
    grad_bufs_[i] = alloc_random(l.out_elems, t.out, seed + 100000 + i);
    if (t.cast_input) cast_inputs_[i] = alloc_random(l.in_elems, t.compute, seed + 400000 + i);
    if (l.kind == LayerKind::attention) {
      attn_heads_[i] = alloc_random(l.in_elems, compute, seed + 200000 + i);
      attn_probs_[i] = alloc_random(l.groups * l.seq * l.seq, compute, seed + 300000 + i);
    }
  }
  const StepBufferSizes shared = step_buffer_sizes(model, types_, compute);
  lowered_ = alloc_random(shared.lowered_elems, compute, seed + 5);
  lowered_grad_ = alloc_random(shared.lowered_elems, compute, seed + 6);
  // Scratch gradients may be fp32 or the compute dtype: sized for fp32.
  scratch_ = alloc_random(shared.scratch_elems, DType::f32, seed + 7);
  cast_grad_ = alloc_random((shared.cast_grad_bytes + 3) / 4, DType::f32, seed + 12);
  bias_grad_scratch_ = alloc_random(shared.bias_elems, compute, seed + 8);
  attn_ctx_ = alloc_random(shared.ctx_elems, compute, seed + 9);
  attn_dheads_ = alloc_random(shared.dheads_elems, compute, seed + 10);
  attn_dprobs_ = alloc_random(shared.dprobs_elems, compute, seed + 11);
  grad_ptr_.assign(n_layers, nullptr);
  grad_written_.assign(n_layers, false);
  device.synchronize();
}

void* TrainingStep::act(int producer) const {
  return producer < 0 ? input_.get() : acts_[producer].get();
}

void* TrainingStep::input_of(int layer) const {
  if (types_.layers[layer].cast_input) return cast_inputs_[layer].get();
  return act(model_.layers[layer].input);
}

void* TrainingStep::weight(int layer) const {
  const std::int64_t offset = first_param_offset_[layer];
  if (weights_compute_.get()) return static_cast<char*>(weights_compute_.get()) + offset * elem_bytes_;
  return params_.f32() + offset;
}

void* TrainingStep::grad_target(int producer) {
  if (producer < 0) return input_grad_.get();
  if (!grad_written_[producer]) {
    grad_written_[producer] = true;
    if (!grad_ptr_[producer]) grad_ptr_[producer] = grad_bufs_[producer].get();
    return grad_ptr_[producer];
  }
  return scratch_.get();
}

void TrainingStep::accumulate_if_needed(int producer, void* written, std::int64_t elems) {
  // A tensor read by two layers (a residual branch) receives two gradients: sum them, as
  // autograd does when the second one arrives.
  if (producer >= 0 && written == scratch_.get()) {
    device_.memory_pass(binary(grad_ptr_[producer], scratch_.get(), grad_ptr_[producer], elems,
                               types_.of(producer)));
  }
}

namespace {
const char* layer_class(LayerKind kind) {
  switch (kind) {
    case LayerKind::conv:
    case LayerKind::linear: return "gemm";
    case LayerKind::attention: return "attention";
    case LayerKind::norm: return "normalization";
    case LayerKind::pool: return "pooling";
    default: return "elementwise";
  }
}

// Layers that compute the gradient of their input (the first GEMM does not: nothing needs it).
bool has_input_grad(const Layer& l) { return !is_gemm(l) || l.input_grad; }
}  // namespace

void TrainingStep::profiled_step(const PieceRunner& piece) {
  if (weights_compute_.get()) piece("elementwise", [&] { cast_weights(); });
  for (std::size_t i = 0; i < model_.layers.size(); ++i) {
    if (types_.layers[i].cast_input) piece("elementwise", [&] { cast_input(int(i)); });
    piece(layer_class(model_.layers[i].kind), [&] { forward_layer(int(i)); });
  }
  begin_backward();
  for (int i = int(model_.layers.size()) - 1; i >= 0; --i) {
    piece(layer_class(model_.layers[i].kind), [&] { backward_layer(i); });
    if (types_.layers[i].cast_input) piece("elementwise", [&] { uncast_input_grad(i); });
  }
  piece("optimizer", [&] { optimizer(); });
}

void TrainingStep::cast_weights() {
  // autocast: parameters are fp32, GEMMs read a copy in the compute dtype made each step.
  device_.memory_pass(convert(params_.get(), DType::f32, weights_compute_.get(),
                              device_.activation_type(), param_count_));
}

void TrainingStep::forward() {
  if (weights_compute_.get()) cast_weights();
  for (std::size_t i = 0; i < model_.layers.size(); ++i) {
    cast_input(int(i));
    forward_layer(int(i));
  }
}

void TrainingStep::cast_input(int i) {
  const LayerTypes& t = types_.layers[i];
  if (!t.cast_input) return;
  const Layer& l = model_.layers[i];
  device_.memory_pass(
      convert(act(l.input), types_.of(l.input), cast_inputs_[i].get(), t.compute, l.in_elems));
}

void TrainingStep::forward_layer(int i) {
  const Layer& l = model_.layers[i];
  const LayerTypes& t = types_.layers[i];
  void* x = input_of(i);
  void* y = acts_[i].get();
  switch (l.kind) {
    case LayerKind::conv:
    case LayerKind::linear: {
      // Convolutions run as implicit GEMMs: a strided or k>1 convolution's GEMM operand is the
      // lowered (m x k) view of its input, which implicit-GEMM kernels gather on the fly.
      const void* a = (l.kind == LayerKind::conv && l.lowered) ? lowered_.get() : x;
      device_.gemm(GemmOp{l.m, l.n, l.k}, a, weight(i), y);
      break;
    }
    case LayerKind::attention: {
      const std::int64_t head_elems = l.groups * l.seq * l.head_dim;
      char* heads = static_cast<char*>(attn_heads_[i].get());
      void* q = heads;
      void* k = heads + head_elems * elem_bytes_;
      void* v = heads + 2 * head_elems * elem_bytes_;
      void* probs = attn_probs_[i].get();
      device_.memory_pass(unary(x, heads, l.in_elems, t.compute));  // (B,S,3,H,d) -> (3,B,H,S,d)
      GemmOp scores{l.seq, l.seq, l.head_dim, l.groups};
      scores.trans_b = true;
      device_.gemm(scores, q, k, probs);
      device_.softmax(probs, l.groups * l.seq, l.seq, t.compute);
      device_.gemm(GemmOp{l.seq, l.head_dim, l.seq, l.groups}, probs, v, attn_ctx_.get());
      device_.memory_pass(unary(attn_ctx_.get(), y, l.out_elems, t.out));  // (B,H,S,d) -> (B,S,H*d)
      break;
    }
    case LayerKind::norm:
      device_.memory_pass(norm(PassKind::normalize, x, nullptr, y, l, t.compute));
      break;
    case LayerKind::activation:
    case LayerKind::dropout:
      device_.memory_pass(unary(x, y, l.out_elems, t.compute));
      break;
    case LayerKind::pool:
      device_.memory_pass(reduce(PassKind::pool, x, l.in_elems, y, l.out_elems, t.compute));
      break;
    case LayerKind::add: {
      MemoryPass add = binary(x, act(l.input2), y, l.out_elems, t.out);
      add.src_type = types_.of(l.input);
      add.src2_type = types_.of(l.input2);
      device_.memory_pass(add);
      break;
    }
    case LayerKind::embed:
      // Patch tokens copied behind the class token (promoted to the output's type), position
      // embedding added.
      device_.memory_pass(convert(x, t.compute, y, t.out, l.in_elems));
      device_.memory_pass(binary(y, y, y, l.out_elems, t.out));
      break;
    case LayerKind::loss:
      device_.memory_pass(unary(x, y, l.out_elems, t.compute));
      device_.softmax(y, l.rows, l.cols, t.compute);
      break;
  }
}

void TrainingStep::begin_backward() {
  std::fill(grad_written_.begin(), grad_written_.end(), false);
  std::fill(grad_ptr_.begin(), grad_ptr_.end(), nullptr);
}

void TrainingStep::backward(const std::function<void(int layer)>& layer_done) {
  begin_backward();
  for (int i = int(model_.layers.size()) - 1; i >= 0; --i) {
    backward_layer(i);
    if (layer_done) layer_done(i);
    uncast_input_grad(i);
  }
}

void TrainingStep::backward_layer(int i) {
  const Layer& l = model_.layers[i];
  const LayerTypes& t = types_.layers[i];
  void* dy = grad_ptr_[i] ? grad_ptr_[i] : grad_bufs_[i].get();
  void* x = input_of(i);
  switch (l.kind) {
    case LayerKind::loss: {
      // d(cross-entropy)/d(logits) = softmax - one_hot
      void* dx = input_grad_target(i);
      device_.memory_pass(unary(acts_[i].get(), dx, l.out_elems, t.compute));
      input_grad_written(i, dx);
      break;
    }
    case LayerKind::conv:
    case LayerKind::linear:
      backward_gemm(i, dy);
      break;
    case LayerKind::attention:
      backward_attention(i, dy);
      break;
    case LayerKind::norm: {
      void* dx = input_grad_target(i);
      device_.memory_pass(norm(PassKind::normalize_backward, dy, x, dx, l, t.compute));
      input_grad_written(i, dx);
      break;
    }
    case LayerKind::activation:
    case LayerKind::dropout: {
      // ReLU/GELU backward reads the input; dropout backward reads its mask.
      void* dx = input_grad_target(i);
      device_.memory_pass(binary(dy, x, dx, l.in_elems, t.compute));
      input_grad_written(i, dx);
      break;
    }
    case LayerKind::pool: {
      void* dx = input_grad_target(i);
      device_.memory_pass(reduce(PassKind::unpool, dy, l.out_elems, dx, l.in_elems, t.compute));
      input_grad_written(i, dx);
      break;
    }
    case LayerKind::add:
      // The incoming gradient flows unchanged to a branch of the output's type: no kernel, as in
      // autograd. A branch of another type (bf16 into an fp32 stream) gets it cast back.
      for (int producer : {l.input, l.input2}) {
        if (producer < 0) continue;
        const DType branch = types_.of(producer);
        if (branch != t.out) {
          void* dx = grad_target(producer);
          device_.memory_pass(convert(dy, t.out, dx, branch, l.out_elems));
          accumulate_if_needed(producer, dx, l.out_elems);
        } else if (!grad_written_[producer]) {
          grad_written_[producer] = true;
          grad_ptr_[producer] = dy;
        } else {
          device_.memory_pass(binary(grad_ptr_[producer], dy, grad_ptr_[producer], l.out_elems, branch));
        }
      }
      break;
    case LayerKind::embed: {
      // Gradient of the position embedding: a sum over the batch; patch tokens pass through
      // (cast back to their type).
      device_.memory_pass(reduce(PassKind::pool, dy, l.out_elems, scratch_.get(),
                                 l.out_elems / model_.batch, t.out));
      void* dx = input_grad_target(i);
      device_.memory_pass(convert(dy, t.out, dx, t.compute, l.in_elems));
      input_grad_written(i, dx);
      break;
    }
  }
}

void* TrainingStep::input_grad_target(int i) {
  return types_.layers[i].cast_input ? cast_grad_.get() : grad_target(model_.layers[i].input);
}

void TrainingStep::input_grad_written(int i, void* dx) {
  if (!types_.layers[i].cast_input) accumulate_if_needed(model_.layers[i].input, dx, model_.layers[i].in_elems);
}

void TrainingStep::uncast_input_grad(int i) {
  const Layer& l = model_.layers[i];
  const LayerTypes& t = types_.layers[i];
  if (!t.cast_input || !has_input_grad(l)) return;
  void* dx = grad_target(l.input);
  device_.memory_pass(convert(cast_grad_.get(), t.compute, dx, types_.of(l.input), l.in_elems));
  accumulate_if_needed(l.input, dx, l.in_elems);
}

void TrainingStep::backward_gemm(int i, void* dy) {
  const Layer& l = model_.layers[i];
  const LayerTypes& t = types_.layers[i];
  const bool lowered = l.kind == LayerKind::conv && l.lowered;
  const void* a = lowered ? lowered_.get() : input_of(i);
  float* dw = grads_.f32() + first_param_offset_[i];
  // Weight gradient dW (k x n) = A^T (k x m) * dY (m x n), written in fp32.
  GemmOp wgrad{l.k, l.n, l.m};
  wgrad.trans_a = true;
  wgrad.c_f32 = true;
  device_.gemm(wgrad, a, dy, dw);
  if (l.param_sizes.size() > 1) {
    // Bias gradient: a reduction of dY over its m rows.
    device_.memory_pass(
        reduce(PassKind::pool, dy, l.m * l.n, bias_grad_scratch_.get(), l.n, t.out));
  }
  if (!l.input_grad) return;
  // Input gradient dA (m x k) = dY (m x n) * W^T (n x k).
  GemmOp dgrad{l.m, l.k, l.n};
  dgrad.trans_b = true;
  if (lowered) {
    // Implicit-GEMM data gradient: the scatter back to the input (col2im) is fused in the
    // kernel, whose output is the input's gradient; a second gradient of the same tensor (the
    // block input read by a downsample and a conv) is then summed into the first.
    device_.gemm(dgrad, dy, weight(i), lowered_grad_.get());
    if (t.cast_input) return;  // uncast_input_grad delivers it
    void* dx = grad_target(l.input);
    accumulate_if_needed(l.input, dx, l.in_elems);
    return;
  }
  if (t.cast_input) {
    device_.gemm(dgrad, dy, weight(i), cast_grad_.get());
  } else if (l.input >= 0 && grad_written_[l.input]) {
    dgrad.accumulate = true;  // second consumer of the tensor: C += ...
    device_.gemm(dgrad, dy, weight(i), grad_ptr_[l.input]);
  } else {
    device_.gemm(dgrad, dy, weight(i), grad_target(l.input));
  }
}

void TrainingStep::backward_attention(int i, void* dy) {
  const Layer& l = model_.layers[i];
  const DType type = types_.layers[i].compute;
  const std::int64_t head_elems = l.groups * l.seq * l.head_dim;
  char* heads = static_cast<char*>(attn_heads_[i].get());
  const void* q = heads;
  const void* k = heads + head_elems * elem_bytes_;
  const void* v = heads + 2 * head_elems * elem_bytes_;
  char* dheads = static_cast<char*>(attn_dheads_.get());
  void* dq = dheads;
  void* dk = dheads + head_elems * elem_bytes_;
  void* dv = dheads + 2 * head_elems * elem_bytes_;
  void* probs = attn_probs_[i].get();
  void* dprobs = attn_dprobs_.get();
  void* dctx = attn_ctx_.get();
  const std::int64_t score_elems = l.groups * l.seq * l.seq;

  device_.memory_pass(unary(dy, dctx, l.out_elems, type));  // (B,S,H*d) -> (B,H,S,d)
  GemmOp dv_op{l.seq, l.head_dim, l.seq, l.groups};   // dV = P^T dO
  dv_op.trans_a = true;
  device_.gemm(dv_op, probs, dctx, dv);
  GemmOp dp_op{l.seq, l.seq, l.head_dim, l.groups};  // dP = dO V^T
  dp_op.trans_b = true;
  device_.gemm(dp_op, dctx, v, dprobs);
  // Softmax backward: dS = P * (dP - rowsum(dP * P)), one pass reading P and dP.
  device_.memory_pass(binary(dprobs, probs, dprobs, score_elems, type));
  device_.gemm(GemmOp{l.seq, l.head_dim, l.seq, l.groups}, dprobs, k, dq);  // dQ = dS K
  GemmOp dk_op{l.seq, l.head_dim, l.seq, l.groups};                          // dK = dS^T Q
  dk_op.trans_a = true;
  device_.gemm(dk_op, dprobs, q, dk);
  void* dx = input_grad_target(i);
  device_.memory_pass(unary(dheads, dx, l.in_elems, type));  // (3,B,H,S,d) -> (B,S,3*H*d)
  input_grad_written(i, dx);
}

void TrainingStep::optimizer() {
  device_.sgd_momentum(params_.f32(), grads_.f32(), velocity_.f32(), std::size_t(param_count_),
                       kLearningRate, kMomentum);
}

}  // namespace scalebench
