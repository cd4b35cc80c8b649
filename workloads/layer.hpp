// A layer of a workload's table: its kind and its real shapes for a given batch and input size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scalebench {

enum class LayerKind {
  conv,        // implicit GEMM: m = N*Ho*Wo, n = C_out, k = C_in*kh*kw
  linear,      // GEMM: m = rows (N or N*tokens), n = out features, k = in features
  attention,   // batched GEMMs QK^T and PV per (sample, head), softmax over the scores
  norm,        // batch-norm (statistics per channel) or layer-norm (per token)
  activation,  // ReLU / GELU
  pool,        // max or average pooling
  add,         // residual add
  embed,       // class token + position embedding
  dropout,
  loss,        // softmax cross-entropy over the logits
};

const char* to_string(LayerKind kind);

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::activation;
  // Producers: index of the layer whose output this layer reads; -1 is the model input.
  int input = -1;
  int input2 = -1;  // add: the skip connection
  std::int64_t in_elems = 0;   // elements read from `input`
  std::int64_t out_elems = 0;  // elements written

  // conv / linear: out (m x n) = in_lowered (m x k) * W (k x n)
  std::int64_t m = 0, n = 0, k = 0;
  bool lowered = false;      // conv whose GEMM operand is not its input tensor (k > C_in or stride)
  bool input_grad = true;    // false for the first GEMM: nothing upstream needs dX

  // attention: `groups` = batch * heads independent (seq x head_dim) problems
  std::int64_t groups = 0, seq = 0, head_dim = 0;

  // norm: rows x cols, statistics per column (batch-norm, NHWC) or per row (layer-norm)
  std::int64_t rows = 0, cols = 0;
  bool per_column = false;

  // Parameter tensors in definition order (weight before bias), element counts.
  std::vector<std::int64_t> param_sizes;

  std::int64_t parameters() const;
  // Forward multiply-adds x 2 (GEMMs and attention matmuls; memory passes count 0).
  double forward_flops() const;
};

}  // namespace scalebench
