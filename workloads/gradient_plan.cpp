// Bucket and pack assignment over the flat gradient buffer.
#include "workloads/gradient_plan.hpp"

#include <algorithm>

namespace scalebench {
namespace {

// Tensors [first, last] in definition order form one contiguous unit.
GradientUnit make_unit(const std::vector<ParamTensor>& tensors, std::size_t first,
                       std::size_t last, std::int64_t index) {
  GradientUnit u;
  u.index = index;
  u.offset = tensors[first].offset;
  u.count = tensors[last].offset + tensors[last].count - u.offset;
  u.tensors = std::int64_t(last - first + 1);
  u.ready_layer = tensors[first].layer;
  return u;
}

}  // namespace

std::vector<GradientUnit> ddp_buckets(const std::vector<ParamTensor>& tensors,
                                      std::int64_t cap_bytes, std::int64_t first_cap_bytes) {
  std::vector<GradientUnit> buckets;
  if (tensors.empty()) return buckets;
  std::size_t end = tensors.size() - 1;  // last tensor (definition order) of the open bucket
  std::int64_t bytes = 0;
  for (std::size_t i = tensors.size(); i-- > 0;) {
    bytes += tensors[i].count * std::int64_t(sizeof(float));
    const std::int64_t cap = buckets.empty() ? first_cap_bytes : cap_bytes;
    if (bytes >= cap || i == 0) {
      buckets.push_back(make_unit(tensors, i, end, std::int64_t(buckets.size())));
      bytes = 0;
      end = i - 1;
    }
  }
  return buckets;
}

std::vector<GradientUnit> mirrored_packs(const std::vector<ParamTensor>& tensors, int packs) {
  std::vector<GradientUnit> units;
  if (tensors.empty()) return units;
  packs = std::clamp<int>(packs, 1, int(tensors.size()));
  const std::int64_t total = tensors.back().offset + tensors.back().count;
  // Walk from the last tensor, as the gradients appear; close a pack when it reaches its share.
  std::size_t end = tensors.size() - 1;
  std::int64_t done = 0;
  for (std::size_t i = tensors.size(); i-- > 0;) {
    done += tensors[i].count;
    // Packs still to make after this one; each needs at least one of the tensors 0..i-1.
    const std::int64_t packs_after = packs - std::int64_t(units.size()) - 1;
    const std::int64_t target = total * (std::int64_t(units.size()) + 1) / packs;
    const bool reached = packs_after > 0 && done >= target;
    if (i == 0 || reached || std::int64_t(i) == packs_after) {
      units.push_back(make_unit(tensors, i, end, std::int64_t(units.size())));
      end = i - 1;
    }
  }
  for (GradientUnit& u : units) u.ready_layer = 0;  // all-reduced after the whole backward
  return units;
}

}  // namespace scalebench
