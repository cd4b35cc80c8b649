// Autocast's dtype rules applied to a layer table (see autocast.hpp).
#include "workloads/autocast.hpp"

namespace scalebench {

ModelTypes autocast_types(const Model& model, Precision precision, TypeRules rules) {
  const DType low = activation_dtype(precision);
  ModelTypes types;
  types.input = DType::f32;
  types.layers.resize(model.layers.size());
  if (rules == TypeRules::uniform) {
    types.input = low;
    for (LayerTypes& t : types.layers) t.compute = t.out = low;
    return types;
  }
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    const Layer& l = model.layers[i];
    const DType in = types.of(l.input);
    LayerTypes& t = types.layers[i];
    switch (l.kind) {
      case LayerKind::conv:
      case LayerKind::linear:
      case LayerKind::attention:
        t.compute = t.out = low;  // autocast's lower-precision list
        break;
      case LayerKind::norm:
        // layer_norm is on the fp32 list; batch_norm is on no list and follows its input.
        t.compute = t.out = l.per_column ? in : DType::f32;
        break;
      case LayerKind::loss:
        t.compute = t.out = DType::f32;  // cross_entropy is on the fp32 list
        break;
      case LayerKind::add:
        // Type promotion: a low branch added to an fp32 stream gives fp32.
        t.compute = in;
        t.out = (in == DType::f32 || types.of(l.input2) == DType::f32) ? DType::f32 : in;
        break;
      case LayerKind::embed:
        // torch.cat with the fp32 class token, then + the fp32 position embedding: promoted.
        t.compute = in;
        t.out = DType::f32;
        break;
      case LayerKind::activation:
      case LayerKind::pool:
      case LayerKind::dropout:
        t.compute = t.out = in;
        break;
    }
    t.cast_input = t.compute != in;
  }
  return types;
}

}  // namespace scalebench
