// Turning a layer table into kernels: which GEMMs and memory passes each layer kind issues in
// forward and backward. Memory passes move the bytes a framework's kernel would move.
#include "workloads/training_step.hpp"

#include <algorithm>
#include <cstring>

namespace scalebench {
namespace {

constexpr float kLearningRate = 1e-4f;
constexpr float kMomentum = 0.9f;

MemoryPass unary(const void* src, void* dst, std::int64_t n) {
  MemoryPass p;
  p.kind = PassKind::unary;
  p.src = src;
  p.dst = dst;
  p.src_count = p.dst_count = n;
  return p;
}

MemoryPass binary(const void* a, const void* b, void* dst, std::int64_t n) {
  MemoryPass p = unary(a, dst, n);
  p.kind = PassKind::binary;
  p.src2 = b;
  return p;
}

MemoryPass reduce(PassKind kind, const void* src, std::int64_t src_n, void* dst,
                  std::int64_t dst_n) {
  MemoryPass p;
  p.kind = kind;
  p.src = src;
  p.dst = dst;
  p.src_count = src_n;
  p.dst_count = dst_n;
  return p;
}

MemoryPass norm(PassKind kind, const void* src, const void* src2, void* dst, const Layer& l) {
  MemoryPass p;
  p.kind = kind;
  p.src = src;
  p.src2 = src2;
  p.dst = dst;
  p.src_count = p.dst_count = l.rows * l.cols;
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

TrainingStep::TrainingStep(Device& device, const Model& model, std::uint64_t seed)
    : device_(device), model_(model), elem_bytes_(dtype_bytes(device.activation_type())) {
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

  const DType act_type = device.activation_type();
  auto alloc_random = [&](std::int64_t elems, std::uint64_t s) {
    DeviceBuffer b(device, std::size_t(elems) * elem_bytes_);
    device.fill_random(b.get(), elems, act_type, s, 1.0f);
    activation_bytes_ += std::int64_t(b.bytes());
    return b;
  };

  input_ = alloc_random(model.input_elems(), seed + 3);
  input_grad_ = alloc_random(model.input_elems(), seed + 4);
  std::int64_t lowered_elems = 0, scratch_elems = 0, bias_elems = 0;
  std::int64_t ctx_elems = 0, dheads_elems = 0, dprobs_elems = 0;
  acts_.resize(n_layers);
  grad_bufs_.resize(n_layers);
  attn_heads_.resize(n_layers);
  attn_probs_.resize(n_layers);
  for (std::size_t i = 0; i < n_layers; ++i) {
    const Layer& l = model.layers[i];
    acts_[i] = alloc_random(l.out_elems, seed + 100 + i);
    grad_bufs_[i] = alloc_random(l.out_elems, seed + 100000 + i);
    scratch_elems = std::max({scratch_elems, l.out_elems, l.in_elems});
    if (l.kind == LayerKind::conv && l.lowered) lowered_elems = std::max(lowered_elems, l.m * l.k);
    if (is_gemm(l)) bias_elems = std::max(bias_elems, l.n);
    if (l.kind == LayerKind::attention) {
      attn_heads_[i] = alloc_random(l.in_elems, seed + 200000 + i);
      attn_probs_[i] = alloc_random(l.groups * l.seq * l.seq, seed + 300000 + i);
      ctx_elems = std::max(ctx_elems, l.out_elems);
      dheads_elems = std::max(dheads_elems, l.in_elems);
      dprobs_elems = std::max(dprobs_elems, l.groups * l.seq * l.seq);
    }
  }
  lowered_ = alloc_random(lowered_elems, seed + 5);
  lowered_grad_ = alloc_random(lowered_elems, seed + 6);
  scratch_ = alloc_random(scratch_elems, seed + 7);
  bias_grad_scratch_ = alloc_random(bias_elems, seed + 8);
  attn_ctx_ = alloc_random(ctx_elems, seed + 9);
  attn_dheads_ = alloc_random(dheads_elems, seed + 10);
  attn_dprobs_ = alloc_random(dprobs_elems, seed + 11);
  grad_ptr_.assign(n_layers, nullptr);
  grad_written_.assign(n_layers, false);
  device.synchronize();
}

void* TrainingStep::act(int producer) const {
  return producer < 0 ? input_.get() : acts_[producer].get();
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
    device_.memory_pass(binary(grad_ptr_[producer], scratch_.get(), grad_ptr_[producer], elems));
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
}  // namespace

void TrainingStep::profiled_step(const PieceRunner& piece) {
  if (weights_compute_.get()) {
    piece("elementwise", [&] {
      MemoryPass cast = unary(params_.get(), weights_compute_.get(), param_count_);
      cast.kind = PassKind::cast;
      device_.memory_pass(cast);
    });
  }
  for (std::size_t i = 0; i < model_.layers.size(); ++i) {
    piece(layer_class(model_.layers[i].kind), [&] { forward_layer(int(i)); });
  }
  begin_backward();
  for (int i = int(model_.layers.size()) - 1; i >= 0; --i) {
    piece(layer_class(model_.layers[i].kind), [&] { backward_layer(i); });
  }
  piece("optimizer", [&] { optimizer(); });
}

void TrainingStep::forward() {
  if (weights_compute_.get()) {
    // autocast: parameters are fp32, GEMMs read a copy in the compute dtype made each step.
    MemoryPass cast = unary(params_.get(), weights_compute_.get(), param_count_);
    cast.kind = PassKind::cast;
    device_.memory_pass(cast);
  }
  for (std::size_t i = 0; i < model_.layers.size(); ++i) forward_layer(int(i));
}

void TrainingStep::forward_layer(int i) {
  const Layer& l = model_.layers[i];
  void* x = act(l.input);
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
      device_.memory_pass(unary(x, heads, l.in_elems));  // (B,S,3,H,d) -> (3,B,H,S,d)
      GemmOp scores{l.seq, l.seq, l.head_dim, l.groups};
      scores.trans_b = true;
      device_.gemm(scores, q, k, probs);
      device_.softmax(probs, l.groups * l.seq, l.seq);
      device_.gemm(GemmOp{l.seq, l.head_dim, l.seq, l.groups}, probs, v, attn_ctx_.get());
      device_.memory_pass(unary(attn_ctx_.get(), y, l.out_elems));  // (B,H,S,d) -> (B,S,H*d)
      break;
    }
    case LayerKind::norm:
      device_.memory_pass(norm(PassKind::normalize, x, nullptr, y, l));
      break;
    case LayerKind::activation:
    case LayerKind::dropout:
      device_.memory_pass(unary(x, y, l.out_elems));
      break;
    case LayerKind::pool:
      device_.memory_pass(reduce(PassKind::pool, x, l.in_elems, y, l.out_elems));
      break;
    case LayerKind::add:
      device_.memory_pass(binary(x, act(l.input2), y, l.out_elems));
      break;
    case LayerKind::embed:
      // Patch tokens copied behind the class token, position embedding added.
      device_.memory_pass(unary(x, y, l.in_elems));
      device_.memory_pass(binary(y, y, y, l.out_elems));
      break;
    case LayerKind::loss:
      device_.memory_pass(unary(x, y, l.out_elems));
      device_.softmax(y, l.rows, l.cols);
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
  }
}

void TrainingStep::backward_layer(int i) {
  const Layer& l = model_.layers[i];
  void* dy = grad_ptr_[i] ? grad_ptr_[i] : grad_bufs_[i].get();
  void* x = act(l.input);
  switch (l.kind) {
    case LayerKind::loss: {
      // d(cross-entropy)/d(logits) = softmax - one_hot
      void* dx = grad_target(l.input);
      device_.memory_pass(unary(acts_[i].get(), dx, l.out_elems));
      accumulate_if_needed(l.input, dx, l.in_elems);
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
      void* dx = grad_target(l.input);
      device_.memory_pass(norm(PassKind::normalize_backward, dy, x, dx, l));
      accumulate_if_needed(l.input, dx, l.in_elems);
      break;
    }
    case LayerKind::activation:
    case LayerKind::dropout: {
      // ReLU/GELU backward reads the input; dropout backward reads its mask.
      void* dx = grad_target(l.input);
      device_.memory_pass(binary(dy, x, dx, l.in_elems));
      accumulate_if_needed(l.input, dx, l.in_elems);
      break;
    }
    case LayerKind::pool: {
      void* dx = grad_target(l.input);
      device_.memory_pass(reduce(PassKind::unpool, dy, l.out_elems, dx, l.in_elems));
      accumulate_if_needed(l.input, dx, l.in_elems);
      break;
    }
    case LayerKind::add:
      // The incoming gradient flows unchanged to both branches: no kernel, as in autograd.
      for (int producer : {l.input, l.input2}) {
        if (producer < 0) continue;
        if (!grad_written_[producer]) {
          grad_written_[producer] = true;
          grad_ptr_[producer] = dy;
        } else {
          device_.memory_pass(binary(grad_ptr_[producer], dy, grad_ptr_[producer], l.out_elems));
        }
      }
      break;
    case LayerKind::embed: {
      // Gradient of the position embedding: a sum over the batch; patch tokens pass through.
      device_.memory_pass(reduce(PassKind::pool, dy, l.out_elems, scratch_.get(),
                                 l.out_elems / model_.batch));
      void* dx = grad_target(l.input);
      device_.memory_pass(unary(dy, dx, l.in_elems));
      accumulate_if_needed(l.input, dx, l.in_elems);
      break;
    }
  }
}

void TrainingStep::backward_gemm(int i, void* dy) {
  const Layer& l = model_.layers[i];
  const bool lowered = l.kind == LayerKind::conv && l.lowered;
  const void* a = lowered ? lowered_.get() : act(l.input);
  float* dw = grads_.f32() + first_param_offset_[i];
  // Weight gradient dW (k x n) = A^T (k x m) * dY (m x n), written in fp32.
  GemmOp wgrad{l.k, l.n, l.m};
  wgrad.trans_a = true;
  wgrad.c_f32 = true;
  device_.gemm(wgrad, a, dy, dw);
  if (l.param_sizes.size() > 1) {
    // Bias gradient: a reduction of dY over its m rows.
    device_.memory_pass(reduce(PassKind::pool, dy, l.m * l.n, bias_grad_scratch_.get(), l.n));
  }
  if (!l.input_grad) return;
  // Input gradient dA (m x k) = dY (m x n) * W^T (n x k).
  GemmOp dgrad{l.m, l.k, l.n};
  dgrad.trans_b = true;
  if (lowered) {
    // Implicit-GEMM data gradient: the scatter back to the input (col2im) is fused in the
    // kernel; the GEMM writes the lowered gradient.
    device_.gemm(dgrad, dy, weight(i), lowered_grad_.get());
    if (!grad_written_[l.input]) {
      grad_written_[l.input] = true;
      grad_ptr_[l.input] = grad_bufs_[l.input].get();
    }
    return;
  }
  if (l.input >= 0 && grad_written_[l.input]) {
    dgrad.accumulate = true;  // second consumer of the tensor: C += ...
    device_.gemm(dgrad, dy, weight(i), grad_ptr_[l.input]);
  } else {
    device_.gemm(dgrad, dy, weight(i), grad_target(l.input));
  }
}

void TrainingStep::backward_attention(int i, void* dy) {
  const Layer& l = model_.layers[i];
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

  device_.memory_pass(unary(dy, dctx, l.out_elems));  // (B,S,H*d) -> (B,H,S,d)
  GemmOp dv_op{l.seq, l.head_dim, l.seq, l.groups};   // dV = P^T dO
  dv_op.trans_a = true;
  device_.gemm(dv_op, probs, dctx, dv);
  GemmOp dp_op{l.seq, l.seq, l.head_dim, l.groups};  // dP = dO V^T
  dp_op.trans_b = true;
  device_.gemm(dp_op, dctx, v, dprobs);
  // Softmax backward: dS = P * (dP - rowsum(dP * P)), one pass reading P and dP.
  device_.memory_pass(binary(dprobs, probs, dprobs, score_elems));
  device_.gemm(GemmOp{l.seq, l.head_dim, l.seq, l.groups}, dprobs, k, dq);  // dQ = dS K
  GemmOp dk_op{l.seq, l.head_dim, l.seq, l.groups};                          // dK = dS^T Q
  dk_op.trans_a = true;
  device_.gemm(dk_op, dprobs, q, dk);
  void* dx = grad_target(l.input);
  device_.memory_pass(unary(dheads, dx, l.in_elems));  // (3,B,H,S,d) -> (B,S,3*H*d)
  accumulate_if_needed(l.input, dx, l.in_elems);
}

void TrainingStep::optimizer() {
  device_.sgd_momentum(params_.f32(), grads_.f32(), velocity_.f32(), std::size_t(param_count_),
                       kLearningRate, kMomentum);
}

}  // namespace scalebench
