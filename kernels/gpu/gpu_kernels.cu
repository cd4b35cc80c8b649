// The GPU backend's own kernels (CUDA or HIP from this one source): memory passes as vectorised
// bandwidth kernels, row softmax, fused SGD with momentum, and random fill.
//
// Bandwidth habits: each thread moves 16-byte chunks (8 elements of a 16-bit type, two chunks of
// fp32), several chunks in flight before first use; arithmetic is in fp32 whatever the storage.
// Unaligned pointers or lengths fall back to element-wise variants of the same kernels.
#include "kernels/gpu/gpu_kernels.hpp"

#include <algorithm>
#include <cstdint>

#include "kernels/device_constants.hpp"
#include "kernels/gpu/gpu_check.hpp"
#include "records/errors.hpp"

namespace scalebench::gpu {
namespace {

// ------------------------------------------------------------------------------ element types

// 16-bit storage types as raw bits: the same conversions on CUDA and HIP, no vendor bf16 header.
struct Bf16 {
  unsigned short bits;
};
struct F16 {
  unsigned short bits;
};

__device__ __forceinline__ float to_float(float v) { return v; }
__device__ __forceinline__ float to_float(Bf16 v) { return __uint_as_float(unsigned(v.bits) << 16); }
__device__ __forceinline__ float to_float(F16 v) { return __half2float(__ushort_as_half(v.bits)); }

template <typename T>
__device__ __forceinline__ T from_float(float v);
template <>
__device__ __forceinline__ float from_float<float>(float v) {
  return v;
}
template <>
__device__ __forceinline__ Bf16 from_float<Bf16>(float v) {
#if defined(SCALEBENCH_HAVE_HIP)
  unsigned u = __float_as_uint(v);
  if ((u & 0x7fffffffu) > 0x7f800000u) return Bf16{0x7fc0};  // NaN stays NaN
  u += 0x7fffu + ((u >> 16) & 1u);                             // round to nearest even
  return Bf16{static_cast<unsigned short>(u >> 16)};
#else
  // One instruction on sm_80+ (emulated before), also round to nearest even.
  return Bf16{__bfloat16_as_ushort(__float2bfloat16_rn(v))};
#endif
}
template <>
__device__ __forceinline__ F16 from_float<F16>(float v) {
  return F16{__half_as_ushort(__float2half_rn(v))};
}

__device__ __forceinline__ float neg_inf() { return __int_as_float(int(0xff800000u)); }

// ------------------------------------------------------------------------------ packed access

constexpr int kThreads = 256;  // threads per block of every kernel here
constexpr int kUnroll = 4;     // packs in flight per thread in element-wise kernels

// Elements of T in one 16-byte access: what a thread moves per step.
template <typename T>
constexpr int kVecOf = int(16 / sizeof(T));

// The widest single access for a pack of `kBytes` (16-byte accesses for multiples of 16).
template <int kBytes>
struct Chunk {
  using type = uint4;
  static constexpr int count = kBytes / 16;
};
template <>
struct Chunk<8> {
  using type = uint2;
  static constexpr int count = 1;
};

template <int kBytes>
constexpr bool kChunked = kBytes % 16 == 0 || kBytes == 8;

// Loads `kVec` elements starting at p as floats; p is aligned to the pack's size when the pack
// is 8 or a multiple of 16 bytes (the launchers check the base pointers).
template <int kVec, typename T>
__device__ __forceinline__ void load(const T* p, float (&out)[kVec]) {
  constexpr int kBytes = kVec * int(sizeof(T));
  if constexpr (kVec > 1 && kChunked<kBytes>) {
    using C = Chunk<kBytes>;
    typename C::type raw[C::count];
#pragma unroll
    for (int c = 0; c < C::count; ++c) raw[c] = reinterpret_cast<const typename C::type*>(p)[c];
    const T* v = reinterpret_cast<const T*>(raw);
#pragma unroll
    for (int i = 0; i < kVec; ++i) out[i] = to_float(v[i]);
  } else {
#pragma unroll
    for (int i = 0; i < kVec; ++i) out[i] = to_float(p[i]);
  }
}

template <int kVec, typename T>
__device__ __forceinline__ void store(T* p, const float (&in)[kVec]) {
  constexpr int kBytes = kVec * int(sizeof(T));
  if constexpr (kVec > 1 && kChunked<kBytes>) {
    using C = Chunk<kBytes>;
    typename C::type raw[C::count];
    T* v = reinterpret_cast<T*>(raw);
#pragma unroll
    for (int i = 0; i < kVec; ++i) v[i] = from_float<T>(in[i]);
#pragma unroll
    for (int c = 0; c < C::count; ++c) reinterpret_cast<typename C::type*>(p)[c] = raw[c];
  } else {
#pragma unroll
    for (int i = 0; i < kVec; ++i) p[i] = from_float<T>(in[i]);
  }
}

bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// --------------------------------------------------------------------------- element-wise ops

enum class Ew { relu_scale, add, convert, sgd };

// Element-wise pass over n elements: y = f(a[, b]). In-place use (y == a or y == b) is allowed:
// every element is read and written by the same thread. The three element types may differ
// (autocast's casts, and residual adds that promote a bf16 branch to fp32): each pack is as
// many elements as the widest type fits in 16 bytes.
template <Ew kOp, int kVec, typename TA, typename TB, typename TOut>
__global__ void __launch_bounds__(kThreads)
    elementwise_kernel(const TA* a, const TB* b, TOut* y, std::int64_t n) {
  const std::int64_t packs = n / kVec;
  const std::int64_t first = std::int64_t(blockIdx.x) * kThreads * kUnroll + threadIdx.x;
  float va[kUnroll][kVec];
  float vb[kUnroll][kVec];
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    const std::int64_t p = first + std::int64_t(u) * kThreads;
    if (p < packs) {
      load<kVec>(a + p * kVec, va[u]);
      if constexpr (kOp == Ew::add) load<kVec>(b + p * kVec, vb[u]);
    }
  }
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    const std::int64_t p = first + std::int64_t(u) * kThreads;
    if (p < packs) {
      float out[kVec];
#pragma unroll
      for (int i = 0; i < kVec; ++i) {
        if constexpr (kOp == Ew::relu_scale) out[i] = fmaxf(va[u][i], 0.0f) * kReluScale;
        else if constexpr (kOp == Ew::add) out[i] = va[u][i] + vb[u][i];
        else out[i] = va[u][i];
      }
      store<kVec>(y + p * kVec, out);
    }
  }
  // The last block also takes the few elements past the last whole pack.
  if (blockIdx.x == gridDim.x - 1) {
    const std::int64_t i = packs * kVec + threadIdx.x;
    if (i < n) {
      const float x = to_float(a[i]);
      float r = x;
      if constexpr (kOp == Ew::relu_scale) r = fmaxf(x, 0.0f) * kReluScale;
      else if constexpr (kOp == Ew::add) r = x + to_float(b[i]);
      y[i] = from_float<TOut>(r);
    }
  }
}

template <Ew kOp, typename TA, typename TB, typename TOut>
void launch_elementwise(const void* a, const void* b, void* y, std::int64_t n,
                        const KernelContext& ctx) {
  if (n <= 0) return;
  const bool vec = aligned16(a) && aligned16(y) && (kOp != Ew::add || aligned16(b));
  const auto* pa = static_cast<const TA*>(a);
  const auto* pb = static_cast<const TB*>(b);
  auto* py = static_cast<TOut*>(y);
  if (vec) {
    constexpr int kVecAOut = kVecOf<TA> < kVecOf<TOut> ? kVecOf<TA> : kVecOf<TOut>;
    constexpr int kVec = kOp == Ew::add && kVecOf<TB> < kVecAOut ? kVecOf<TB> : kVecAOut;
    const std::int64_t blocks = std::max<std::int64_t>(1, ceil_div(n / kVec, kThreads * kUnroll));
    elementwise_kernel<kOp, kVec, TA, TB, TOut><<<unsigned(blocks), kThreads, 0, ctx.stream>>>(pa, pb, py, n);
  } else {
    const std::int64_t blocks = std::max<std::int64_t>(1, ceil_div(n, kThreads * kUnroll));
    elementwise_kernel<kOp, 1, TA, TB, TOut><<<unsigned(blocks), kThreads, 0, ctx.stream>>>(pa, pb, py, n);
  }
  CHECK_LAUNCH();
}

// -------------------------------------------------------------------------------- unpool

// dst[j] = src[j / w] * kUnpoolShare (pooling backward: each input position of a window gets its share).
// kUnroll packs of dst per thread; src is read element-wise (each element serves w outputs).
template <int kVec, typename T>
__global__ void __launch_bounds__(kThreads)
    unpool_kernel(const T* src, T* dst, std::int64_t n_out, std::int64_t w) {
  const std::int64_t first = std::int64_t(blockIdx.x) * kThreads * kUnroll + threadIdx.x;
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    const std::int64_t j0 = (first + std::int64_t(u) * kThreads) * kVec;
    if (j0 >= n_out) break;
    std::int64_t s = j0 / w;
    std::int64_t r = j0 - s * w;
    if (j0 + kVec <= n_out) {
      float out[kVec];
#pragma unroll
      for (int i = 0; i < kVec; ++i) {
        out[i] = to_float(src[s]) * kUnpoolShare;
        if (++r == w) {
          r = 0;
          ++s;
        }
      }
      store<kVec>(dst + j0, out);
    } else {
      for (std::int64_t j = j0; j < n_out; ++j) {
        dst[j] = from_float<T>(to_float(src[s]) * kUnpoolShare);
        if (++r == w) {
          r = 0;
          ++s;
        }
      }
    }
  }
}

// w = 2 or 4 (max-pool backward): a thread reads one 16-byte pack of src and writes the w packs
// of dst it spreads to, the mirror of pool_fixed_kernel (no 2-byte loads for 16-bit types).
template <int kW, typename T>
__global__ void __launch_bounds__(kThreads)
    unpool_fixed_kernel(const T* src, T* dst, std::int64_t n_src) {
  constexpr int kIn = kVecOf<T>;
  const std::int64_t s0 = (std::int64_t(blockIdx.x) * kThreads + threadIdx.x) * kIn;
  if (s0 >= n_src) return;
  if (s0 + kIn <= n_src) {
    float in[kIn];
    load<kIn>(src + s0, in);
    float out[kIn * kW];
#pragma unroll
    for (int k = 0; k < kIn; ++k) {
#pragma unroll
      for (int j = 0; j < kW; ++j) out[k * kW + j] = in[k] * kUnpoolShare;
    }
    store<kIn * kW>(dst + s0 * kW, out);
  } else {
    for (std::int64_t s = s0; s < n_src; ++s) {
      const T v = from_float<T>(to_float(src[s]) * kUnpoolShare);
      for (int j = 0; j < kW; ++j) dst[s * kW + j] = v;
    }
  }
}

template <typename T>
void launch_unpool(const MemoryPass& pass, const KernelContext& ctx) {
  const std::int64_t n_out = pass.dst_count;
  if (n_out <= 0) return;
  const std::int64_t w = std::max<std::int64_t>(1, n_out / std::max<std::int64_t>(1, pass.src_count));
  const auto* src = static_cast<const T*>(pass.src);
  auto* dst = static_cast<T*>(pass.dst);
  if ((w == 2 || w == 4) && n_out == pass.src_count * w && aligned16(src) && aligned16(dst)) {
    const unsigned blocks = unsigned(ceil_div(ceil_div(pass.src_count, kVecOf<T>), kThreads));
    if (w == 2) unpool_fixed_kernel<2, T><<<blocks, kThreads, 0, ctx.stream>>>(src, dst, pass.src_count);
    else unpool_fixed_kernel<4, T><<<blocks, kThreads, 0, ctx.stream>>>(src, dst, pass.src_count);
    CHECK_LAUNCH();
    return;
  }
  if (aligned16(dst)) {
    constexpr int kVec = kVecOf<T>;
    const std::int64_t blocks = ceil_div(ceil_div(n_out, kVec), kThreads * kUnroll);
    unpool_kernel<kVec, T><<<unsigned(blocks), kThreads, 0, ctx.stream>>>(src, dst, n_out, w);
  } else {
    const std::int64_t blocks = ceil_div(n_out, kThreads * kUnroll);
    unpool_kernel<1, T><<<unsigned(blocks), kThreads, 0, ctx.stream>>>(src, dst, n_out, w);
  }
  CHECK_LAUNCH();
}

// ---------------------------------------------------------------------------------- pool

// dst[i] = max(src[i*w .. i*w+w-1]).
// w = 2 or 4 (max pooling 2x2, 3x3/2 as the tables count it): a thread reduces a 16-byte pack
// of outputs from w 16-byte packs of input held in registers.
// Other short windows (w <= kShortWindow): a block stages the contiguous input of a tile of
// outputs in shared memory with coalesced loads, then each thread reduces one window.
// Long windows: blocks reduce slices of one window each; slices' maxima meet in a second kernel.
constexpr std::int64_t kShortWindow = 64;
constexpr int kPoolTileFloats = 12 * 1024;  // 48 KiB of shared memory per block

template <int kW, typename T>
__global__ void __launch_bounds__(kThreads)
    pool_fixed_kernel(const T* src, T* dst, std::int64_t n_out) {
  constexpr int kOut = kVecOf<T>;
  const std::int64_t o0 = (std::int64_t(blockIdx.x) * kThreads + threadIdx.x) * kOut;
  if (o0 >= n_out) return;
  if (o0 + kOut <= n_out) {
    float in[kOut * kW];
    load<kOut * kW>(src + o0 * kW, in);
    float out[kOut];
#pragma unroll
    for (int k = 0; k < kOut; ++k) {
      float m = in[k * kW];
#pragma unroll
      for (int j = 1; j < kW; ++j) m = fmaxf(m, in[k * kW + j]);
      out[k] = m;
    }
    store<kOut>(dst + o0, out);
  } else {
    for (std::int64_t o = o0; o < n_out; ++o) {
      float m = to_float(src[o * kW]);
      for (int j = 1; j < kW; ++j) m = fmaxf(m, to_float(src[o * kW + j]));
      dst[o] = from_float<T>(m);
    }
  }
}

int pool_tile_outputs(std::int64_t w) {
  return std::max<int>(8, int(kPoolTileFloats / w) / 8 * 8);
}

template <int kVec, typename T>
__global__ void __launch_bounds__(kThreads)
    pool_short_kernel(const T* src, T* dst, std::int64_t n_out, int w, int tile_out) {
  __shared__ float tile[kPoolTileFloats];
  const std::int64_t o0 = std::int64_t(blockIdx.x) * tile_out;
  const int outs = int(n_out - o0 < tile_out ? n_out - o0 : tile_out);
  const std::int64_t in0 = o0 * w;  // a multiple of 8 elements: 16-byte aligned packs
  const int in_count = outs * w;
  const int packs = in_count / kVec;
#pragma unroll 4
  for (int p = threadIdx.x; p < packs; p += kThreads) {
    float v[kVec];
    load<kVec>(src + in0 + std::int64_t(p) * kVec, v);
#pragma unroll
    for (int i = 0; i < kVec; ++i) tile[p * kVec + i] = v[i];
  }
  for (int i = packs * kVec + threadIdx.x; i < in_count; i += kThreads) tile[i] = to_float(src[in0 + i]);
  __syncthreads();
  for (int o = threadIdx.x; o < outs; o += kThreads) {
    const float* win = tile + o * w;
    float m = win[0];
    for (int j = 1; j < w; ++j) m = fmaxf(m, win[j]);
    dst[o0 + o] = from_float<T>(m);
  }
}

// Block-wide reductions (sum or max) of one value per thread; every thread gets the result.
template <bool kMax>
__device__ __forceinline__ float combine(float a, float b) {
  if constexpr (kMax) return fmaxf(a, b);
  else return a + b;
}

template <bool kMax>
__device__ float block_reduce(float v) {
  __shared__ float partial[kThreads / GPU_WARP_SIZE];
  __shared__ float result;
#pragma unroll
  for (int offset = GPU_WARP_SIZE / 2; offset > 0; offset /= 2) v = combine<kMax>(v, GPU_SHFL_XOR(v, offset));
  const int warp = threadIdx.x / GPU_WARP_SIZE;
  const int lane = threadIdx.x % GPU_WARP_SIZE;
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (threadIdx.x == 0) {
    float r = partial[0];
    for (int i = 1; i < kThreads / GPU_WARP_SIZE; ++i) r = combine<kMax>(r, partial[i]);
    result = r;
  }
  __syncthreads();
  return result;
}

// One block per (output, slice). Elements of the slice are read with 16-byte loads once the
// address is aligned (a head and a tail element-wise).
template <typename T>
__global__ void __launch_bounds__(kThreads)
    pool_long_kernel(const T* src, T* dst, float* partial, std::int64_t w, int slices,
                     std::int64_t slice_len) {
  const std::int64_t out = blockIdx.x / slices;
  const int slice = int(blockIdx.x % slices);
  const T* win = src + out * w;
  const std::int64_t begin = std::int64_t(slice) * slice_len;
  const std::int64_t end = begin + slice_len < w ? begin + slice_len : w;
  float m = neg_inf();
  constexpr std::int64_t kAlignElems = 16 / sizeof(T);
  const std::int64_t addr_elems = std::int64_t(reinterpret_cast<std::uintptr_t>(win + begin) / sizeof(T));
  std::int64_t head = (kAlignElems - addr_elems % kAlignElems) % kAlignElems;
  if (head > end - begin) head = end - begin;
  for (std::int64_t i = begin + threadIdx.x; i < begin + head; i += kThreads) m = fmaxf(m, to_float(win[i]));
  const std::int64_t body = begin + head;
  constexpr int kVec = kVecOf<T>;
  const std::int64_t packs = (end - body) / kVec;
#pragma unroll 4
  for (std::int64_t p = threadIdx.x; p < packs; p += kThreads) {
    float v[kVec];
    load<kVec>(win + body + p * kVec, v);
#pragma unroll
    for (int i = 0; i < kVec; ++i) m = fmaxf(m, v[i]);
  }
  for (std::int64_t i = body + packs * kVec + threadIdx.x; i < end; i += kThreads) m = fmaxf(m, to_float(win[i]));
  m = block_reduce<true>(m);
  if (threadIdx.x == 0) {
    if (slices == 1) dst[out] = from_float<T>(m);
    else partial[blockIdx.x] = m;
  }
}

template <typename T>
__global__ void __launch_bounds__(kThreads)
    pool_finish_kernel(const float* partial, T* dst, std::int64_t n_out, int slices) {
  const std::int64_t o = std::int64_t(blockIdx.x) * kThreads + threadIdx.x;
  if (o >= n_out) return;
  float m = partial[o * slices];
  for (int s = 1; s < slices; ++s) m = fmaxf(m, partial[o * slices + s]);
  dst[o] = from_float<T>(m);
}

struct PoolPlan {
  std::int64_t n_out = 0, w = 1;
  bool short_window = true;
  int slices = 1;
  std::int64_t slice_len = 0;
};

PoolPlan plan_pool(const MemoryPass& pass, int sm_count) {
  PoolPlan plan;
  plan.n_out = pass.dst_count;
  plan.w = std::max<std::int64_t>(1, pass.src_count / std::max<std::int64_t>(1, plan.n_out));
  plan.short_window = plan.w <= kShortWindow;
  if (!plan.short_window) {
    // Enough blocks to fill the device, slices of at least 16 Ki elements.
    const std::int64_t want_blocks = 4LL * sm_count;
    const std::int64_t by_fill = ceil_div(want_blocks, std::max<std::int64_t>(1, plan.n_out));
    const std::int64_t by_size = std::max<std::int64_t>(1, plan.w / (16 * 1024));
    plan.slices = int(std::clamp<std::int64_t>(std::min(by_fill, by_size), 1, 1 << 16));
    plan.slice_len = ceil_div(ceil_div(plan.w, plan.slices), 8) * 8;
    plan.slices = int(ceil_div(plan.w, plan.slice_len));
  }
  return plan;
}

template <typename T>
void launch_pool(const MemoryPass& pass, const KernelContext& ctx) {
  const PoolPlan plan = plan_pool(pass, ctx.sm_count);
  if (plan.n_out <= 0) return;
  const auto* src = static_cast<const T*>(pass.src);
  auto* dst = static_cast<T*>(pass.dst);
  if ((plan.w == 2 || plan.w == 4) && aligned16(src) && aligned16(dst)) {
    const unsigned blocks = unsigned(ceil_div(ceil_div(plan.n_out, kVecOf<T>), kThreads));
    if (plan.w == 2) pool_fixed_kernel<2, T><<<blocks, kThreads, 0, ctx.stream>>>(src, dst, plan.n_out);
    else pool_fixed_kernel<4, T><<<blocks, kThreads, 0, ctx.stream>>>(src, dst, plan.n_out);
    CHECK_LAUNCH();
    return;
  }
  if (plan.short_window) {
    const int tile = pool_tile_outputs(plan.w);
    const std::int64_t blocks = ceil_div(plan.n_out, tile);
    if (aligned16(src)) {
      pool_short_kernel<kVecOf<T>, T><<<unsigned(blocks), kThreads, 0, ctx.stream>>>(src, dst, plan.n_out, int(plan.w), tile);
    } else {
      pool_short_kernel<1, T><<<unsigned(blocks), kThreads, 0, ctx.stream>>>(src, dst, plan.n_out, int(plan.w), tile);
    }
    CHECK_LAUNCH();
    return;
  }
  float* partial = static_cast<float*>(ctx.workspace);
  if (plan.slices > 1 && ctx.workspace_bytes < std::size_t(plan.n_out) * plan.slices * sizeof(float)) {
    throw RunError("gpu pool: workspace too small (internal error)");
  }
  const std::int64_t blocks = plan.n_out * plan.slices;
  pool_long_kernel<T><<<unsigned(blocks), kThreads, 0, ctx.stream>>>(src, dst, partial, plan.w, plan.slices,
                                                                    plan.slice_len);
  CHECK_LAUNCH();
  if (plan.slices > 1) {
    pool_finish_kernel<T><<<unsigned(ceil_div(plan.n_out, kThreads)), kThreads, 0, ctx.stream>>>(
        partial, dst, plan.n_out, plan.slices);
    CHECK_LAUNCH();
  }
}

// -------------------------------------------------------------------------------- row passes

// A group of kTpr threads owns one row: layer-norm (forward, backward) and softmax. Rows are read
// twice (statistics, then output), as device.hpp describes; the second read of a row mostly hits
// the cache, as in the frameworks' kernels.
enum class RowOp { normalize, normalize_backward, softmax };

template <int kTpr>
__device__ __forceinline__ float group_sum(float v) {
  if constexpr (kTpr <= GPU_WARP_SIZE) {
#pragma unroll
    for (int offset = kTpr / 2; offset > 0; offset /= 2) v += GPU_SHFL_XOR(v, offset);
    return v;
  } else {
    return block_reduce<false>(v);
  }
}

// Online softmax statistics (running max m, sum s of exp(x - m)), merged across threads.
__device__ __forceinline__ void softmax_merge(float& m, float& s, float m2, float s2) {
  if (m2 == neg_inf()) return;
  if (m == neg_inf()) {
    m = m2;
    s = s2;
    return;
  }
  const float mx = fmaxf(m, m2);
  s = s * __expf(m - mx) + s2 * __expf(m2 - mx);
  m = mx;
}

template <int kTpr>
__device__ __forceinline__ void group_softmax_stats(float& m, float& s) {
  if constexpr (kTpr <= GPU_WARP_SIZE) {
#pragma unroll
    for (int offset = kTpr / 2; offset > 0; offset /= 2) {
      const float m2 = GPU_SHFL_XOR(m, offset);
      const float s2 = GPU_SHFL_XOR(s, offset);
      softmax_merge(m, s, m2, s2);
    }
  } else {
    __shared__ float ms[kThreads], ss[kThreads];
    ms[threadIdx.x] = m;
    ss[threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.x == 0) {
      for (int i = 1; i < kThreads; ++i) softmax_merge(m, s, ms[i], ss[i]);
      ms[0] = m;
      ss[0] = s;
    }
    __syncthreads();
    m = ms[0];
    s = ss[0];
    __syncthreads();
  }
}

template <RowOp kOp, int kTpr, int kVec, typename T>
__global__ void __launch_bounds__(kThreads)
    row_kernel(const T* src, const T* src2, T* dst, std::int64_t rows, std::int64_t cols) {
  constexpr int kRowsPerBlock = kThreads / kTpr;
  const std::int64_t row = std::int64_t(blockIdx.x) * kRowsPerBlock + threadIdx.x / kTpr;
  const int lane = threadIdx.x % kTpr;
  // A block-wide group must reach its barriers even past the last row.
  if (kTpr < kThreads && row >= rows) return;
  const bool active = row < rows;
  const T* x = src + (active ? row : 0) * cols;
  const T* x2 = src2 ? src2 + (active ? row : 0) * cols : nullptr;
  T* y = dst + (active ? row : 0) * cols;
  const std::int64_t packs = active ? cols / kVec : 0;

  // Pass 1: statistics.
  float a = 0.0f, b = 0.0f;  // sum and sum of squares / sum dY and sum dY*X / max and exp-sum
  if constexpr (kOp == RowOp::softmax) a = neg_inf();
  for (std::int64_t p = lane; p < packs; p += kTpr) {
    float v[kVec];
    load<kVec>(x + p * kVec, v);
    if constexpr (kOp == RowOp::normalize) {
#pragma unroll
      for (int i = 0; i < kVec; ++i) {
        a += v[i];
        b += v[i] * v[i];
      }
    } else if constexpr (kOp == RowOp::normalize_backward) {
      float v2[kVec];
      load<kVec>(x2 + p * kVec, v2);
#pragma unroll
      for (int i = 0; i < kVec; ++i) {
        a += v[i];
        b += v[i] * v2[i];
      }
    } else {
      float mx = v[0];
#pragma unroll
      for (int i = 1; i < kVec; ++i) mx = fmaxf(mx, v[i]);
      float s = 0.0f;
#pragma unroll
      for (int i = 0; i < kVec; ++i) s += __expf(v[i] - mx);
      softmax_merge(a, b, mx, s);
    }
  }
  float p0 = 0.0f, p1 = 0.0f;  // per-row constants of pass 2
  if constexpr (kOp == RowOp::softmax) {
    group_softmax_stats<kTpr>(a, b);
    p0 = a;
    p1 = 1.0f / b;
  } else {
    a = group_sum<kTpr>(a);
    b = group_sum<kTpr>(b);
    const float inv_cols = 1.0f / float(cols);
    if constexpr (kOp == RowOp::normalize) {
      const float mean = a * inv_cols;
      const float var = fmaxf(b * inv_cols - mean * mean, 0.0f);
      p0 = mean;
      p1 = rsqrtf(var + kNormEpsilonF);
    } else {
      p0 = a * inv_cols;
      p1 = b * inv_cols;
    }
  }
  // Pass 2: read again, write.
  for (std::int64_t p = lane; p < packs; p += kTpr) {
    float v[kVec], out[kVec];
    load<kVec>(x + p * kVec, v);
    if constexpr (kOp == RowOp::normalize) {
#pragma unroll
      for (int i = 0; i < kVec; ++i) out[i] = (v[i] - p0) * p1;
    } else if constexpr (kOp == RowOp::normalize_backward) {
      float v2[kVec];
      load<kVec>(x2 + p * kVec, v2);
#pragma unroll
      for (int i = 0; i < kVec; ++i) out[i] = v[i] - p0 - v2[i] * p1;
    } else {
#pragma unroll
      for (int i = 0; i < kVec; ++i) out[i] = __expf(v[i] - p0) * p1;
    }
    store<kVec>(y + p * kVec, out);
  }
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int offset = GPU_WARP_SIZE / 2; offset > 0; offset /= 2) v = fmaxf(v, GPU_SHFL_XOR(v, offset));
  return v;
}

// Rows that fit in a warp's registers (kItems packs of kVec elements per lane): read once, one
// exp per element for softmax, all loads of a row in flight together. The frameworks' row
// kernels work this way; the "second read" of device.hpp is the register copy.
template <RowOp kOp, int kVec, int kItems, typename T>
__global__ void __launch_bounds__(kThreads)
    row_cached_kernel(const T* src, const T* src2, T* dst, std::int64_t rows, std::int64_t cols) {
  constexpr int kRowsPerBlock = kThreads / GPU_WARP_SIZE;
  const std::int64_t row = std::int64_t(blockIdx.x) * kRowsPerBlock + threadIdx.x / GPU_WARP_SIZE;
  const int lane = threadIdx.x % GPU_WARP_SIZE;
  if (row >= rows) return;  // whole warps only
  const T* x = src + row * cols;
  const T* x2 = kOp == RowOp::normalize_backward ? src2 + row * cols : nullptr;
  T* y = dst + row * cols;
  const int packs = int(cols / kVec);
  constexpr bool kTwo = kOp == RowOp::normalize_backward;
  float v[kItems][kVec];
  float v2[kTwo ? kItems : 1][kVec];
#pragma unroll
  for (int i = 0; i < kItems; ++i) {
    const int p = lane + i * GPU_WARP_SIZE;
    if (p < packs) {
      load<kVec>(x + std::int64_t(p) * kVec, v[i]);
      if constexpr (kTwo) load<kVec>(x2 + std::int64_t(p) * kVec, v2[i]);
    }
  }
  float p0 = 0.0f, p1 = 0.0f;
  if constexpr (kOp == RowOp::softmax) {
    float m = neg_inf();
#pragma unroll
    for (int i = 0; i < kItems; ++i) {
      if (lane + i * GPU_WARP_SIZE < packs) {
#pragma unroll
        for (int j = 0; j < kVec; ++j) m = fmaxf(m, v[i][j]);
      }
    }
    m = warp_max(m);
    float sum = 0.0f;
#pragma unroll
    for (int i = 0; i < kItems; ++i) {
      if (lane + i * GPU_WARP_SIZE < packs) {
#pragma unroll
        for (int j = 0; j < kVec; ++j) {
          v[i][j] = __expf(v[i][j] - m);
          sum += v[i][j];
        }
      }
    }
    p1 = 1.0f / group_sum<GPU_WARP_SIZE>(sum);
  } else {
    float a = 0.0f, b = 0.0f;
#pragma unroll
    for (int i = 0; i < kItems; ++i) {
      if (lane + i * GPU_WARP_SIZE < packs) {
#pragma unroll
        for (int j = 0; j < kVec; ++j) {
          a += v[i][j];
          if constexpr (kTwo) b += v[i][j] * v2[i][j];
          else b += v[i][j] * v[i][j];
        }
      }
    }
    a = group_sum<GPU_WARP_SIZE>(a);
    b = group_sum<GPU_WARP_SIZE>(b);
    const float inv_cols = 1.0f / float(cols);
    if constexpr (kTwo) {
      p0 = a * inv_cols;
      p1 = b * inv_cols;
    } else {
      p0 = a * inv_cols;
      p1 = rsqrtf(fmaxf(b * inv_cols - p0 * p0, 0.0f) + kNormEpsilonF);
    }
  }
#pragma unroll
  for (int i = 0; i < kItems; ++i) {
    const int p = lane + i * GPU_WARP_SIZE;
    if (p < packs) {
      float out[kVec];
#pragma unroll
      for (int j = 0; j < kVec; ++j) {
        if constexpr (kOp == RowOp::softmax) out[j] = v[i][j] * p1;
        else if constexpr (kTwo) out[j] = v[i][j] - p0 - v2[i][j] * p1;
        else out[j] = (v[i][j] - p0) * p1;
      }
      store<kVec>(y + std::int64_t(p) * kVec, out);
    }
  }
}

template <RowOp kOp, int kTpr, int kVec, typename T>
void launch_rows_looped(const void* src, const void* src2, void* dst, std::int64_t rows,
                        std::int64_t cols, const KernelContext& ctx) {
  constexpr int kRowsPerBlock = kThreads / kTpr;
  const unsigned blocks = unsigned(ceil_div(rows, kRowsPerBlock));
  row_kernel<kOp, kTpr, kVec, T><<<blocks, kThreads, 0, ctx.stream>>>(
      static_cast<const T*>(src), static_cast<const T*>(src2), static_cast<T*>(dst), rows, cols);
  CHECK_LAUNCH();
}

template <RowOp kOp, int kVec, int kItems, typename T>
void launch_rows_cached(const void* src, const void* src2, void* dst, std::int64_t rows,
                        std::int64_t cols, const KernelContext& ctx) {
  constexpr int kRowsPerBlock = kThreads / GPU_WARP_SIZE;
  const unsigned blocks = unsigned(ceil_div(rows, kRowsPerBlock));
  row_cached_kernel<kOp, kVec, kItems, T><<<blocks, kThreads, 0, ctx.stream>>>(
      static_cast<const T*>(src), static_cast<const T*>(src2), static_cast<T*>(dst), rows, cols);
  CHECK_LAUNCH();
}

// Up to 32 elements per lane stay in registers (1024 columns of a 16-bit type, 512 of fp32 on
// CUDA; twice that with HIP's 64-wide waves); longer rows loop over the row twice.
template <RowOp kOp, typename T>
void launch_rows(const void* src, const void* src2, void* dst, std::int64_t rows, std::int64_t cols,
                 const KernelContext& ctx) {
  if (rows <= 0 || cols <= 0) return;
  constexpr int kVec = kVecOf<T>;
  constexpr int kItemsMax = 32 / kVec;
  constexpr std::int64_t kScalarItems = 8;
  const bool vec = cols % kVec == 0 && aligned16(src) && aligned16(dst) && (!src2 || aligned16(src2));
  if (vec && cols <= std::int64_t(GPU_WARP_SIZE) * kVec) {
    launch_rows_cached<kOp, kVec, 1, T>(src, src2, dst, rows, cols, ctx);
  } else if (vec && cols <= std::int64_t(GPU_WARP_SIZE) * kVec * kItemsMax) {
    launch_rows_cached<kOp, kVec, kItemsMax, T>(src, src2, dst, rows, cols, ctx);
  } else if (!vec && cols <= GPU_WARP_SIZE * kScalarItems) {
    launch_rows_cached<kOp, 1, int(kScalarItems), T>(src, src2, dst, rows, cols, ctx);
  } else if (cols >= 4096 && rows < std::int64_t(ctx.sm_count) * 16) {
    // A whole block per row for few, long rows.
    if (vec) launch_rows_looped<kOp, kThreads, kVec, T>(src, src2, dst, rows, cols, ctx);
    else launch_rows_looped<kOp, kThreads, 1, T>(src, src2, dst, rows, cols, ctx);
  } else {
    if (vec) launch_rows_looped<kOp, GPU_WARP_SIZE, kVec, T>(src, src2, dst, rows, cols, ctx);
    else launch_rows_looped<kOp, GPU_WARP_SIZE, 1, T>(src, src2, dst, rows, cols, ctx);
  }
}

// ------------------------------------------------------------------------- column passes

// Batch-norm over NHWC (statistics per column): (1) blocks of column groups x row lanes sum
// their rows into per-block partials, (2) one thread per column adds the partials in double and
// leaves two per-column constants, (3) an element-wise pass reads the input again and writes.
// Partials instead of atomics keep the result deterministic.
struct ColumnPlan {
  int vec = 1;               // elements per thread along a row
  std::int64_t groups = 0;   // column groups (cols / vec)
  int groups_per_block = 1;  // column groups a block covers
  int lanes = 1;             // rows a block reads at once
  unsigned grid_x = 1;       // row blocks
  unsigned grid_y = 1;       // column blocks
};

// `vec`: elements of a 16-byte access, or 1 where the pointers do not allow such accesses.
ColumnPlan plan_columns(const MemoryPass& pass, int sm_count, int vec) {
  ColumnPlan plan;
  plan.vec = pass.cols % vec == 0 ? vec : 1;
  plan.groups = pass.cols / plan.vec;
  plan.groups_per_block = int(std::min<std::int64_t>(plan.groups, 64));
  plan.lanes = kThreads / plan.groups_per_block;
  plan.grid_y = unsigned(ceil_div(plan.groups, plan.groups_per_block));
  const std::int64_t want = ceil_div(4LL * sm_count, plan.grid_y);
  const std::int64_t most = std::max<std::int64_t>(1, ceil_div(pass.rows, std::int64_t(plan.lanes) * 8));
  plan.grid_x = unsigned(std::clamp<std::int64_t>(want, 1, std::min<std::int64_t>(most, 65535)));
  return plan;
}

std::size_t column_workspace_bytes(const ColumnPlan& plan, std::int64_t cols) {
  // partials: grid_x x 2 x cols floats; constants: cols float2.
  return std::size_t(plan.grid_x) * 2 * std::size_t(cols) * sizeof(float) +
         std::size_t(cols) * 2 * sizeof(float) + 256;
}

template <bool kBackward, int kVec, typename T>
__global__ void __launch_bounds__(kThreads)
    column_partials_kernel(const T* x, const T* x2, float* partials, std::int64_t rows,
                           std::int64_t cols, int groups_per_block, int lanes) {
  __shared__ float acc[2][kThreads * kVec];
  const int g_local = threadIdx.x % groups_per_block;
  const int lane = threadIdx.x / groups_per_block;
  const std::int64_t group = std::int64_t(blockIdx.y) * groups_per_block + g_local;
  const bool active = lane < lanes && group * kVec < cols;
  float sa[kVec], sb[kVec];
#pragma unroll
  for (int i = 0; i < kVec; ++i) sa[i] = sb[i] = 0.0f;
  if (active) {
    const std::int64_t rows_per_block = (rows + gridDim.x - 1) / gridDim.x;
    const std::int64_t r0 = std::int64_t(blockIdx.x) * rows_per_block;
    const std::int64_t r1 = r0 + rows_per_block < rows ? r0 + rows_per_block : rows;
    // Four rows in flight per thread.
    const T* base = x + group * kVec;
    const T* base2 = kBackward ? x2 + group * kVec : nullptr;
    for (std::int64_t r = r0 + lane; r < r1; r += 4 * std::int64_t(lanes)) {
      float v[4][kVec];
      float v2[kBackward ? 4 : 1][kVec];
#pragma unroll
      for (int u = 0; u < 4; ++u) {
        const std::int64_t rr = r + std::int64_t(u) * lanes;
        if (rr < r1) {
          load<kVec>(base + rr * cols, v[u]);
          if constexpr (kBackward) load<kVec>(base2 + rr * cols, v2[u]);
        } else {
#pragma unroll
          for (int i = 0; i < kVec; ++i) {
            v[u][i] = 0.0f;
            if constexpr (kBackward) v2[u][i] = 0.0f;
          }
        }
      }
#pragma unroll
      for (int u = 0; u < 4; ++u) {
#pragma unroll
        for (int i = 0; i < kVec; ++i) {
          sa[i] += v[u][i];
          if constexpr (kBackward) sb[i] += v[u][i] * v2[u][i];
          else sb[i] += v[u][i] * v[u][i];
        }
      }
    }
  }
  // Reduce the lanes of each column group through shared memory.
#pragma unroll
  for (int i = 0; i < kVec; ++i) {
    acc[0][threadIdx.x * kVec + i] = sa[i];
    acc[1][threadIdx.x * kVec + i] = sb[i];
  }
  __syncthreads();
  if (lane == 0 && group * kVec < cols) {
#pragma unroll
    for (int i = 0; i < kVec; ++i) {
      float a = 0.0f, b = 0.0f;
      for (int l = 0; l < lanes; ++l) {
        a += acc[0][(l * groups_per_block + g_local) * kVec + i];
        b += acc[1][(l * groups_per_block + g_local) * kVec + i];
      }
      const std::int64_t c = group * kVec + i;
      partials[(std::int64_t(blockIdx.x) * 2 + 0) * cols + c] = a;
      partials[(std::int64_t(blockIdx.x) * 2 + 1) * cols + c] = b;
    }
  }
}

// Forward: (mean, 1/std); backward: (sum dY / rows, sum dY*X / rows), as the CPU backend.
// A block of 32 columns x 32 row-block lanes: the partials of a column are added by 32 threads in
// parallel (one thread per column would wait on hundreds of loads in a row).
constexpr int kFinishCols = 32;
constexpr int kFinishLanes = 32;

template <bool kBackward>
__global__ void __launch_bounds__(kFinishCols * kFinishLanes)
    column_finish_kernel(const float* partials, float2* constants, int blocks, std::int64_t rows,
                         std::int64_t cols) {
  __shared__ double sums[2][kFinishLanes][kFinishCols + 1];
  const int tx = threadIdx.x % kFinishCols;
  const int ty = threadIdx.x / kFinishCols;
  const std::int64_t c = std::int64_t(blockIdx.x) * kFinishCols + tx;
  double a = 0.0, b = 0.0;
  if (c < cols) {
    for (int k = ty; k < blocks; k += kFinishLanes) {
      a += partials[(std::int64_t(k) * 2 + 0) * cols + c];
      b += partials[(std::int64_t(k) * 2 + 1) * cols + c];
    }
  }
  sums[0][ty][tx] = a;
  sums[1][ty][tx] = b;
  __syncthreads();
  if (ty != 0 || c >= cols) return;
  for (int l = 1; l < kFinishLanes; ++l) {
    a += sums[0][l][tx];
    b += sums[1][l][tx];
  }
  const double inv_rows = 1.0 / double(rows);
  if constexpr (kBackward) {
    constants[c] = make_float2(float(a * inv_rows), float(b * inv_rows));
  } else {
    const double mean = a * inv_rows;
    const double var = b * inv_rows - mean * mean;
    constants[c] = make_float2(float(mean), float(1.0 / sqrt((var > 0.0 ? var : 0.0) + kNormEpsilon)));
  }
}

template <bool kBackward, int kVec, typename T>
__global__ void __launch_bounds__(kThreads)
    column_apply_kernel(const T* x, const T* x2, T* y, const float2* constants, std::int64_t n,
                        std::int64_t cols) {
  const std::int64_t packs = n / kVec;
  const std::int64_t first = std::int64_t(blockIdx.x) * kThreads * kUnroll + threadIdx.x;
  float v[kUnroll][kVec];
  float v2[kUnroll][kVec];
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    const std::int64_t p = first + std::int64_t(u) * kThreads;
    if (p < packs) {
      load<kVec>(x + p * kVec, v[u]);
      if constexpr (kBackward) load<kVec>(x2 + p * kVec, v2[u]);
    }
  }
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    const std::int64_t p = first + std::int64_t(u) * kThreads;
    if (p < packs) {
      // cols % kVec == 0: a pack lies inside one row, its columns are consecutive.
      const std::int64_t c0 = (p * kVec) % cols;
      float2 ks[kVec];
      if constexpr (kVec % 2 == 0) {
        // (mean, scale) pairs of kVec consecutive columns: 16-byte loads (cached).
#pragma unroll
        for (int i = 0; i < kVec / 2; ++i) {
          const float4 q = reinterpret_cast<const float4*>(constants + c0)[i];
          ks[2 * i] = make_float2(q.x, q.y);
          ks[2 * i + 1] = make_float2(q.z, q.w);
        }
      } else {
#pragma unroll
        for (int i = 0; i < kVec; ++i) ks[i] = constants[c0 + i];
      }
      float out[kVec];
#pragma unroll
      for (int i = 0; i < kVec; ++i) {
        const float2 k = ks[i];
        if constexpr (kBackward) out[i] = v[u][i] - k.x - v2[u][i] * k.y;
        else out[i] = (v[u][i] - k.x) * k.y;
      }
      store<kVec>(y + p * kVec, out);
    }
  }
}

template <bool kBackward, typename T>
void launch_columns(const MemoryPass& pass, const KernelContext& ctx) {
  if (pass.rows <= 0 || pass.cols <= 0) return;
  const bool vec_ok = aligned16(pass.src) && aligned16(pass.dst) && (!kBackward || aligned16(pass.src2));
  constexpr int kVec = kVecOf<T>;
  const ColumnPlan plan = plan_columns(pass, ctx.sm_count, vec_ok ? kVec : 1);
  if (ctx.workspace_bytes < column_workspace_bytes(plan, pass.cols)) {
    throw RunError("gpu normalize: workspace too small (internal error)");
  }
  float* partials = static_cast<float*>(ctx.workspace);
  const std::size_t partial_bytes = std::size_t(plan.grid_x) * 2 * std::size_t(pass.cols) * sizeof(float);
  auto* constants = reinterpret_cast<float2*>(static_cast<char*>(ctx.workspace) + (partial_bytes + 255) / 256 * 256);
  const auto* x = static_cast<const T*>(pass.src);
  const auto* x2 = static_cast<const T*>(pass.src2);
  auto* y = static_cast<T*>(pass.dst);
  const dim3 grid(plan.grid_x, plan.grid_y);
  if (plan.vec == kVec) {
    column_partials_kernel<kBackward, kVec, T><<<grid, kThreads, 0, ctx.stream>>>(
        x, x2, partials, pass.rows, pass.cols, plan.groups_per_block, plan.lanes);
  } else {
    column_partials_kernel<kBackward, 1, T><<<grid, kThreads, 0, ctx.stream>>>(
        x, x2, partials, pass.rows, pass.cols, plan.groups_per_block, plan.lanes);
  }
  CHECK_LAUNCH();
  column_finish_kernel<kBackward><<<unsigned(ceil_div(pass.cols, kFinishCols)), kFinishCols * kFinishLanes, 0, ctx.stream>>>(
      partials, constants, int(plan.grid_x), pass.rows, pass.cols);
  CHECK_LAUNCH();
  const std::int64_t n = pass.rows * pass.cols;
  if (plan.vec == kVec) {
    const std::int64_t blocks = std::max<std::int64_t>(1, ceil_div(n / kVec, kThreads * kUnroll));
    column_apply_kernel<kBackward, kVec, T><<<unsigned(blocks), kThreads, 0, ctx.stream>>>(
        x, x2, y, constants, n, pass.cols);
  } else {
    const std::int64_t blocks = std::max<std::int64_t>(1, ceil_div(n, kThreads * kUnroll));
    column_apply_kernel<kBackward, 1, T><<<unsigned(blocks), kThreads, 0, ctx.stream>>>(
        x, x2, y, constants, n, pass.cols);
  }
  CHECK_LAUNCH();
}

// ------------------------------------------------------------------------------ optimizer

// v = mu*v + g; p -= lr*v, fp32, one pass (reads p, g, v; writes p, v), two packs per thread.
template <int kVec>
__global__ void __launch_bounds__(kThreads)
    sgd_kernel(float* params, const float* grads, float* velocity, std::int64_t n, float lr,
               float momentum) {
  constexpr int kPer = 2;
  const std::int64_t packs = n / kVec;
  const std::int64_t first = std::int64_t(blockIdx.x) * kThreads * kPer + threadIdx.x;
  float pv[kPer][kVec], gv[kPer][kVec], vv[kPer][kVec];
#pragma unroll
  for (int u = 0; u < kPer; ++u) {
    const std::int64_t p = first + std::int64_t(u) * kThreads;
    if (p < packs) {
      load<kVec>(params + p * kVec, pv[u]);
      load<kVec>(grads + p * kVec, gv[u]);
      load<kVec>(velocity + p * kVec, vv[u]);
    }
  }
#pragma unroll
  for (int u = 0; u < kPer; ++u) {
    const std::int64_t p = first + std::int64_t(u) * kThreads;
    if (p < packs) {
#pragma unroll
      for (int i = 0; i < kVec; ++i) {
        vv[u][i] = momentum * vv[u][i] + gv[u][i];
        pv[u][i] -= lr * vv[u][i];
      }
      store<kVec>(velocity + p * kVec, vv[u]);
      store<kVec>(params + p * kVec, pv[u]);
    }
  }
  if (blockIdx.x == gridDim.x - 1) {
    const std::int64_t i = packs * kVec + threadIdx.x;
    if (i < n) {
      velocity[i] = momentum * velocity[i] + grads[i];
      params[i] -= lr * velocity[i];
    }
  }
}

// ----------------------------------------------------------------------------- random fill

// The CPU backend's generator (kernels/device_constants.hpp): the same values for a seed.
template <typename T>
__global__ void __launch_bounds__(kThreads)
    fill_kernel(T* out, std::int64_t n, std::uint64_t base, float scale) {
  const std::int64_t stride = std::int64_t(gridDim.x) * kThreads;
  for (std::int64_t i = std::int64_t(blockIdx.x) * kThreads + threadIdx.x; i < n; i += stride) {
    out[i] = from_float<T>(random_fill_value(base, std::uint64_t(i), scale));
  }
}

// ------------------------------------------------------------------------------- dispatch

// Calls f.template operator()<T>() with the storage type of a dtype.
template <typename F>
void with_type(DType type, F&& f) {
  switch (type) {
    case DType::f32: f.template operator()<float>(); return;
    case DType::bf16: f.template operator()<Bf16>(); return;
    case DType::f16: f.template operator()<F16>(); return;
  }
  throw RunError("gpu: unknown dtype");
}

__global__ void probe() {}

}  // namespace

const void* probe_kernel() { return reinterpret_cast<const void*>(&probe); }

std::size_t memory_pass_workspace_bytes(const MemoryPass& pass, int sm_count) {
  switch (pass.kind) {
    case PassKind::pool: {
      const PoolPlan plan = plan_pool(pass, sm_count);
      return plan.short_window || plan.slices == 1
                 ? 0
                 : std::size_t(plan.n_out) * std::size_t(plan.slices) * sizeof(float);
    }
    case PassKind::normalize:
    case PassKind::normalize_backward:
      if (!pass.per_column) return 0;
      // The plan depends on the element size and the pointers' alignment: cover every case.
      return std::max({column_workspace_bytes(plan_columns(pass, sm_count, 8), pass.cols),
                       column_workspace_bytes(plan_columns(pass, sm_count, 4), pass.cols),
                       column_workspace_bytes(plan_columns(pass, sm_count, 1), pass.cols)});
    default:
      return 0;
  }
}

void memory_pass(const MemoryPass& pass, DType activation, const KernelContext& ctx) {
  const PassTypes types = resolve_types(pass, activation);
  if (pass.kind == PassKind::cast) {
    with_type(types.src, [&]<typename TIn>() {
      with_type(types.dst, [&]<typename TOut>() {
        launch_elementwise<Ew::convert, TIn, TIn, TOut>(pass.src, nullptr, pass.dst, pass.dst_count, ctx);
      });
    });
    return;
  }
  if (pass.kind == PassKind::binary && (types.src != types.dst || types.src2 != types.dst)) {
    // A promoting add: resolve_types allows these only with an fp32 result.
    with_type(types.src, [&]<typename TA>() {
      with_type(types.src2, [&]<typename TB>() {
        launch_elementwise<Ew::add, TA, TB, float>(pass.src, pass.src2, pass.dst, pass.dst_count, ctx);
      });
    });
    return;
  }
  with_type(types.dst, [&]<typename T>() {
    switch (pass.kind) {
      case PassKind::unary:
        launch_elementwise<Ew::relu_scale, T, T, T>(pass.src, nullptr, pass.dst, pass.dst_count, ctx);
        break;
      case PassKind::binary:
        launch_elementwise<Ew::add, T, T, T>(pass.src, pass.src2, pass.dst, pass.dst_count, ctx);
        break;
      case PassKind::cast:
        break;  // handled above
      case PassKind::pool:
        launch_pool<T>(pass, ctx);
        break;
      case PassKind::unpool:
        launch_unpool<T>(pass, ctx);
        break;
      case PassKind::normalize:
        if (pass.per_column) launch_columns<false, T>(pass, ctx);
        else launch_rows<RowOp::normalize, T>(pass.src, nullptr, pass.dst, pass.rows, pass.cols, ctx);
        break;
      case PassKind::normalize_backward:
        if (pass.per_column) launch_columns<true, T>(pass, ctx);
        else launch_rows<RowOp::normalize_backward, T>(pass.src, pass.src2, pass.dst, pass.rows, pass.cols, ctx);
        break;
    }
  });
}

void softmax(void* x, std::int64_t rows, std::int64_t cols, DType type, const KernelContext& ctx) {
  with_type(type, [&]<typename T>() { launch_rows<RowOp::softmax, T>(x, nullptr, x, rows, cols, ctx); });
}

void sgd_momentum(float* params, const float* grads, float* velocity, std::size_t count, float lr,
                  float momentum, const KernelContext& ctx) {
  if (count == 0) return;
  const std::int64_t n = std::int64_t(count);
  if (aligned16(params) && aligned16(grads) && aligned16(velocity)) {
    const std::int64_t blocks = std::max<std::int64_t>(1, ceil_div(n / 4, kThreads * 2));
    sgd_kernel<4><<<unsigned(blocks), kThreads, 0, ctx.stream>>>(params, grads, velocity, n, lr, momentum);
  } else {
    const std::int64_t blocks = std::max<std::int64_t>(1, ceil_div(n, kThreads * 2));
    sgd_kernel<1><<<unsigned(blocks), kThreads, 0, ctx.stream>>>(params, grads, velocity, n, lr, momentum);
  }
  CHECK_LAUNCH();
}

void fill_random(void* ptr, std::size_t count, DType type, std::uint64_t seed, float scale,
                 const KernelContext& ctx) {
  if (count == 0) return;
  const std::uint64_t base = splitmix64(seed);
  const std::int64_t n = std::int64_t(count);
  const unsigned blocks = unsigned(std::clamp<std::int64_t>(ceil_div(n, kThreads), 1, 32LL * ctx.sm_count));
  with_type(type, [&]<typename T>() {
    fill_kernel<T><<<blocks, kThreads, 0, ctx.stream>>>(static_cast<T*>(ptr), n, base, scale);
  });
  CHECK_LAUNCH();
}

}  // namespace scalebench::gpu
