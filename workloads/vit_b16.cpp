// vit_b16: torchvision ViT-B/16 (12 layers, width 768, MLP 3072, 12 heads, class token, 1000 classes).
#include <fmt/format.h>

#include "workloads/layer_builder.hpp"

namespace scalebench {
namespace {

constexpr std::int64_t kPatch = 16;
constexpr std::int64_t kWidth = 768;
constexpr std::int64_t kMlp = 3072;
constexpr std::int64_t kHeads = 12;
constexpr std::int64_t kDepth = 12;
constexpr std::int64_t kClasses = 1000;
// Position embeddings are a parameter of 197 x 768 (224 px: 14 x 14 patches + class token); a
// smaller --image-size uses the first tokens' rows, so the parameter count never changes.
constexpr std::int64_t kPositions = (224 / kPatch) * (224 / kPatch) + 1;

}  // namespace

Model build_vit_b16(std::int64_t batch, std::int64_t image_size) {
  Model model{"vit_b16", batch, image_size, {}};
  LayerBuilder b(model);
  Tensor4 x{-1, batch, image_size, image_size, 3};
  x = b.conv("patch_embed", x, kWidth, kPatch, kPatch, 0, true);
  const std::int64_t seq = x.h * x.w + 1;
  const std::int64_t rows = batch * seq;

  Layer embed;
  embed.name = "class_token+pos_embed";
  embed.kind = LayerKind::embed;
  embed.input = x.producer;
  embed.in_elems = x.elems();
  embed.out_elems = rows * kWidth;
  embed.param_sizes = {kWidth, kPositions * kWidth};
  int h = b.append(std::move(embed));

  for (std::int64_t i = 0; i < kDepth; ++i) {
    const std::string p = fmt::format("encoder.{}", i);
    const int block_in = h;
    int y = b.layer_norm(p + ".ln1", h, rows, kWidth);
    y = b.linear(p + ".attn.qkv", y, rows, kWidth, 3 * kWidth, true);
    Layer attn;
    attn.name = p + ".attn.core";
    attn.kind = LayerKind::attention;
    attn.input = y;
    attn.in_elems = rows * 3 * kWidth;
    attn.out_elems = rows * kWidth;
    attn.groups = batch * kHeads;
    attn.seq = seq;
    attn.head_dim = kWidth / kHeads;
    y = b.append(std::move(attn));
    y = b.linear(p + ".attn.out_proj", y, rows, kWidth, kWidth, true);
    h = b.add(p + ".add1", y, block_in, rows * kWidth);
    const int mid = h;
    y = b.layer_norm(p + ".ln2", h, rows, kWidth);
    y = b.linear(p + ".mlp.fc1", y, rows, kWidth, kMlp, true);
    y = b.activation(p + ".mlp.gelu", y, rows * kMlp);
    y = b.linear(p + ".mlp.fc2", y, rows, kMlp, kWidth, true);
    h = b.add(p + ".add2", y, mid, rows * kWidth);
  }
  h = b.layer_norm("encoder.ln", h, rows, kWidth);

  // The head reads the class token of every sample (x[:, 0]).
  Layer select;
  select.name = "select_class_token";
  select.kind = LayerKind::pool;
  select.input = h;
  select.in_elems = rows * kWidth;
  select.out_elems = batch * kWidth;
  h = b.append(std::move(select));
  h = b.linear("head", h, batch, kWidth, kClasses, true);
  b.loss("loss", h, batch, kClasses);
  return model;
}

}  // namespace scalebench
