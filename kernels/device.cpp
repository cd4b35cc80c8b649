// Element types of a memory pass.
#include "kernels/device.hpp"

#include <fmt/format.h>

namespace scalebench {

PassTypes resolve_types(const MemoryPass& pass, DType activation) {
  PassTypes t;
  t.src = pass.src_type.value_or(pass.kind == PassKind::cast ? DType::f32 : activation);
  t.src2 = pass.src2_type.value_or(activation);
  t.dst = pass.dst_type.value_or(activation);
  if (!reads_src2(pass.kind)) t.src2 = t.src;
  bool ok = true;
  if (pass.kind == PassKind::binary) {
    ok = (t.src == t.dst && t.src2 == t.dst) ||
         (t.dst == DType::f32 && (t.src == DType::f32 || t.src2 == DType::f32));
  } else if (pass.kind != PassKind::cast) {
    ok = t.src == t.dst && t.src2 == t.dst;
  }
  if (!ok) {
    throw RunError(fmt::format("memory pass: element types {} + {} -> {} are not supported (types "
                               "differ only in a cast or in a binary pass writing f32)",
                               to_string(t.src), to_string(t.src2), to_string(t.dst)));
  }
  return t;
}

double pass_bytes(const MemoryPass& pass, DType activation) {
  const PassTypes t = resolve_types(pass, activation);
  const double src = double(pass.src_count) * double(dtype_bytes(t.src));
  const double src2 = double(pass.src_count) * double(dtype_bytes(t.src2));
  const double dst = double(pass.dst_count) * double(dtype_bytes(t.dst));
  switch (pass.kind) {
    case PassKind::binary: return src + src2 + dst;
    case PassKind::normalize: return 2 * src + dst;
    case PassKind::normalize_backward: return 2 * (src + src2) + dst;
    default: return src + dst;  // unary, cast, pool, unpool
  }
}

}  // namespace scalebench
