// The numbers the CPU backend (the oracle) and the GPU kernels must share to compute the same
// thing: pass scales, the normalisation epsilon and the random fill generator, defined once.
#pragma once

#include <cstdint>

// Host and device: nvcc and hipcc compile these functions for both sides; a plain C++ compiler
// sees ordinary inline functions.
#if defined(__CUDACC__) || defined(__HIPCC__)
#define SCALEBENCH_HOST_DEVICE __host__ __device__
#else
#define SCALEBENCH_HOST_DEVICE
#endif

namespace scalebench {

// Unary pass (an activation): dst = max(src, 0) * kReluScale; below 1 so that repeated passes
// over the same buffer never overflow.
inline constexpr float kReluScale = 0.999f;

// Unpool pass (pooling backward): each position of a window gets this share of its output.
inline constexpr float kUnpoolShare = 0.5f;

// Normalisation: 1 / sqrt(var + kNormEpsilon). The statistics are in double on the CPU and in
// the GPU's column kernels; the GPU's row kernels use the float, which is the same number
// (float(1e-5) rounds to the float nearest 1e-5).
inline constexpr double kNormEpsilon = 1e-5;
inline constexpr float kNormEpsilonF = static_cast<float>(kNormEpsilon);

// --- random fill: element i of a fill with seed s is random_fill_value(splitmix64(s), i, scale),
// one independent stream per element index so that fills run in parallel in any order.

// splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014): a
// small, well-mixed 64-bit hash.
SCALEBENCH_HOST_DEVICE inline constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Odd multiplier that spreads element indices over the 64 bits before they meet the seed.
inline constexpr std::uint64_t kRandomIndexMix = 0xd1342543de82ef95ULL;

// 24 random bits -> [0, 1) -> [-scale, scale).
SCALEBENCH_HOST_DEVICE inline float random_fill_value(std::uint64_t base, std::uint64_t index,
                                                      float scale) {
  const std::uint64_t r = splitmix64(base ^ (index * kRandomIndexMix));
  const float u = float(r >> 40) * (1.0f / 16777216.0f);
  return (2.0f * u - 1.0f) * scale;
}

}  // namespace scalebench
