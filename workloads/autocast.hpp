// Element types of a model's tensors under a precision, following PyTorch autocast's rules.
//
// Under bf16 or fp16, autocast runs GEMM-like ops (convolution, linear, attention matmuls) in the
// low dtype, runs ops on its fp32 list (layer-norm, softmax cross-entropy) in fp32, lets every
// other op follow its input, and promotes ops with mixed inputs to the wider type. So ViT's
// residual stream stays fp32 (class token and position embedding are fp32 parameters; each block
// adds its bf16 branch to it), its layer-norms read and write fp32, and each linear that reads an
// fp32 tensor first casts it. ResNet-50 stays bf16 end to end (batch-norm follows its input).
// Backward mirrors forward: a gradient has its tensor's type, and each cast's backward casts the
// gradient back. Under fp32 and tf32 every tensor is fp32 and nothing is cast.
#pragma once

#include <vector>

#include "kernels/precision.hpp"
#include "workloads/workload.hpp"

namespace scalebench {

struct LayerTypes {
  DType compute = DType::f32;  // type the layer reads its inputs in (cast first when they differ)
  DType out = DType::f32;      // type of its output, and of the gradient of its output
  bool cast_input = false;     // the layer's input is cast from its producer's type to `compute`
};

struct ModelTypes {
  DType input = DType::f32;  // the model input: fp32 images, as a data loader yields them
  std::vector<LayerTypes> layers;

  // Type of the tensor a layer reads: a layer's output, or the model input for -1.
  DType of(int producer) const { return producer < 0 ? input : layers[producer].out; }
};

// How tensor types are chosen: autocast's rules (what runs use), or every tensor in the compute
// dtype with no casts (a counterfactual, for counting what autocast's fp32 tensors cost).
enum class TypeRules { autocast, uniform };

ModelTypes autocast_types(const Model& model, Precision precision,
                          TypeRules rules = TypeRules::autocast);

}  // namespace scalebench
