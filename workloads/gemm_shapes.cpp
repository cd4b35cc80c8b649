// Enumerating a training step's GEMMs from the layer table (the same shapes training_step.cpp
// issues).
#include "workloads/gemm_shapes.hpp"

#include <map>
#include <tuple>

namespace scalebench {
namespace {

using Key = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, bool, bool, bool>;

void add(std::map<Key, GemmShape>& shapes, const GemmOp& op, const char* role) {
  const Key key{op.m, op.n, op.k, op.batch, op.trans_a, op.trans_b, op.c_f32};
  auto [it, inserted] = shapes.try_emplace(key, GemmShape{op, role, 0});
  ++it->second.count;
}

}  // namespace

std::vector<GemmShape> distinct_gemm_shapes(const Model& model) {
  std::map<Key, GemmShape> shapes;
  for (const Layer& l : model.layers) {
    if (l.kind == LayerKind::conv || l.kind == LayerKind::linear) {
      add(shapes, GemmOp{l.m, l.n, l.k}, "fwd");
      GemmOp wgrad{l.k, l.n, l.m};
      wgrad.trans_a = true;
      wgrad.c_f32 = true;
      add(shapes, wgrad, "wgrad");
      if (l.input_grad) {
        GemmOp dgrad{l.m, l.k, l.n};
        dgrad.trans_b = true;
        add(shapes, dgrad, "dgrad");
      }
    } else if (l.kind == LayerKind::attention) {
      GemmOp qk{l.seq, l.seq, l.head_dim, l.groups};
      qk.trans_b = true;
      add(shapes, qk, "attn");                                    // scores, dP
      add(shapes, qk, "attn");
      add(shapes, GemmOp{l.seq, l.head_dim, l.seq, l.groups}, "attn");  // PV, dQ
      add(shapes, GemmOp{l.seq, l.head_dim, l.seq, l.groups}, "attn");
      GemmOp tn{l.seq, l.head_dim, l.seq, l.groups};
      tn.trans_a = true;
      add(shapes, tn, "attn");  // dV, dK
      add(shapes, tn, "attn");
    }
  }
  std::vector<GemmShape> out;
  for (auto& [key, shape] : shapes) out.push_back(shape);
  return out;
}

std::vector<GemmOp> distinct_gemm_shapes(const std::string& workload, std::int64_t batch) {
  const WorkloadInfo& info = find_workload(workload);
  std::vector<GemmOp> ops;
  for (const GemmShape& s : distinct_gemm_shapes(build_model(info, batch, info.default_image_size))) {
    ops.push_back(s.op);
  }
  return ops;
}

}  // namespace scalebench
