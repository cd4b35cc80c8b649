// The synthetic training step of one model replica on one device: forward, backward, optimizer,
// each layer run as real kernels of its table shapes.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "kernels/device.hpp"
#include "workloads/autocast.hpp"
#include "workloads/workload.hpp"

namespace scalebench {

// One parameter tensor inside the flat fp32 parameter/gradient buffers (definition order).
struct ParamTensor {
  int layer = 0;
  std::int64_t offset = 0;  // elements
  std::int64_t count = 0;
};

std::vector<ParamTensor> parameter_tensors(const Model& model);

class TrainingStep {
 public:
  TrainingStep(Device& device, const Model& model, std::uint64_t seed,
               TypeRules rules = TypeRules::autocast);
  // Bytes a TrainingStep of this model allocates on `device` (weights and their fp32 copies,
  // gradients, momentum, activations and their gradients, scratch), before allocating any.
  static std::int64_t device_bytes(const Device& device, const Model& model,
                                   TypeRules rules = TypeRules::autocast);

  void forward();
  // Backward in reverse layer order. After the backward of layer L has issued the kernels that
  // write its parameter gradients, calls layer_done(L) (strategies start all-reduces there).
  void backward(const std::function<void(int layer)>& layer_done = {});
  // SGD with momentum over all parameters, one fused pass.
  void optimizer();
  // One forward + backward + optimizer step handed to the caller piece by piece: piece(class,
  // issue) must call issue() once; the class is the layer's ("gemm", "attention",
  // "normalization", "elementwise", "pooling", "optimizer"), so the caller can time by class.
  using PieceRunner = std::function<void(const char* layer_class, const std::function<void()>& issue)>;
  void profiled_step(const PieceRunner& piece);

  float* gradients() const { return grads_.f32(); }
  std::int64_t parameter_count() const { return param_count_; }
  const std::vector<ParamTensor>& tensors() const { return tensors_; }
  Device& device() const { return device_; }
  const ModelTypes& types() const { return types_; }
  std::int64_t activation_bytes() const { return activation_bytes_; }

 private:
  void* act(int producer) const;   // output of a layer (or the model input for -1)
  void* input_of(int layer) const;  // what a layer reads: its producer's output, or its cast
  void* weight(int layer) const;   // GEMM weight in the compute dtype
  // Where the gradient of a tensor goes: its own buffer if nothing wrote it yet, else scratch
  // (the caller then accumulates with add_into).
  void* grad_target(int producer);
  void accumulate_if_needed(int producer, void* written, std::int64_t elems);

  void begin_backward();
  void cast_weights();
  void cast_input(int i);  // autocast's cast of a layer's input (nothing when types agree)
  void forward_layer(int i);
  void backward_layer(int i);
  void uncast_input_grad(int i);  // the cast's backward: the input gradient back to its type
  // Where layer i writes the gradient of its input: in its compute dtype when the input was cast
  // (uncast_input_grad takes it from there), else straight into the producer's gradient; and
  // what follows the write (the sum with an earlier gradient of the same tensor).
  void* input_grad_target(int i);
  void input_grad_written(int i, void* dx);
  void backward_gemm(int i, void* dy);
  void backward_attention(int i, void* dy);

  Device& device_;
  const Model& model_;
  ModelTypes types_;
  std::size_t elem_bytes_;  // bytes of the compute dtype (GEMM operands, attention buffers)
  std::int64_t param_count_ = 0;
  std::vector<ParamTensor> tensors_;
  std::vector<std::int64_t> first_param_offset_;  // per layer, -1 without parameters

  DeviceBuffer params_, grads_, velocity_;
  DeviceBuffer weights_compute_;  // GEMM weights in the activation dtype (autocast copy)
  DeviceBuffer input_;
  std::vector<DeviceBuffer> acts_;        // output of each layer
  std::vector<DeviceBuffer> cast_inputs_;  // per layer that casts its input: the cast copy
  DeviceBuffer cast_grad_;                 // a cast input's gradient before it is cast back
  std::vector<DeviceBuffer> grad_bufs_;   // gradient of each layer's output (owned)
  std::vector<void*> grad_ptr_;           // gradient of each output (may alias after an add)
  std::vector<bool> grad_written_;
  DeviceBuffer input_grad_;               // gradient of the model input (never used; no dgrad)
  DeviceBuffer lowered_, lowered_grad_;   // implicit-GEMM operand of strided/k>1 convolutions
  DeviceBuffer scratch_;                  // a gradient awaiting accumulation (fp32-sized)
  DeviceBuffer bias_grad_scratch_;
  std::vector<DeviceBuffer> attn_heads_;  // per attention layer: Q, K, V in head-major layout
  std::vector<DeviceBuffer> attn_probs_;  // per attention layer: softmax(Q K^T)
  DeviceBuffer attn_ctx_;                 // context in head-major layout (reused)
  DeviceBuffer attn_dheads_;              // dQ, dK, dV (reused)
  DeviceBuffer attn_dprobs_;              // dP, then dS (reused)
  std::int64_t activation_bytes_ = 0;
};

}  // namespace scalebench
