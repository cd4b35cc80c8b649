// Numeric precision of a run and the element types it implies.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace scalebench {

// What the user asks for with --precision. Parameters, gradients and the optimizer state are
// always fp32 (as with PyTorch autocast); activations and GEMM operands follow the precision.
enum class Precision { fp32, tf32, bf16, fp16 };

enum class DType { f32, bf16, f16 };

inline constexpr Precision kPrecisions[] = {Precision::fp32, Precision::tf32, Precision::bf16,
                                            Precision::fp16};

std::string_view to_string(Precision p);
std::optional<Precision> parse_precision(std::string_view s);
std::string_view to_string(DType t);

// Element type of activations and GEMM operands under a precision.
DType activation_dtype(Precision p);
std::size_t dtype_bytes(DType t);

}  // namespace scalebench
