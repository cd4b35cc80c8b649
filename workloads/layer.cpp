// Layer kinds, parameter and FLOP counts.
#include "workloads/layer.hpp"

#include <numeric>

namespace scalebench {

const char* to_string(LayerKind kind) {
  switch (kind) {
    case LayerKind::conv: return "conv";
    case LayerKind::linear: return "linear";
    case LayerKind::attention: return "attention";
    case LayerKind::norm: return "norm";
    case LayerKind::activation: return "activation";
    case LayerKind::pool: return "pool";
    case LayerKind::add: return "add";
    case LayerKind::embed: return "embed";
    case LayerKind::dropout: return "dropout";
    case LayerKind::loss: return "loss";
  }
  return "?";
}

std::int64_t Layer::parameters() const {
  return std::accumulate(param_sizes.begin(), param_sizes.end(), std::int64_t{0});
}

double Layer::forward_flops() const {
  switch (kind) {
    case LayerKind::conv:
    case LayerKind::linear:
      return 2.0 * double(m) * double(n) * double(k);
    case LayerKind::attention:
      // scores = Q K^T (seq x seq x head_dim) and context = P V (seq x head_dim x seq)
      return 2.0 * 2.0 * double(groups) * double(seq) * double(seq) * double(head_dim);
    default:
      return 0.0;
  }
}

}  // namespace scalebench
