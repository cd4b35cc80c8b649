// Helpers of the GPU tests: host conversions of bf16/fp16, moving data between the GPU and a
// CPU reference device, relative error, and skipping where no GPU is present.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "kernels/backend.hpp"
#include "records/errors.hpp"
#include "kernels/gpu/gpu_device.hpp"

namespace scalebench::gpu_test {

inline float bf16_to_float(std::uint16_t b) {
  const std::uint32_t u = std::uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline float f16_to_float(std::uint16_t h) {
  const std::uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0) v = std::ldexp(float(mant), -24);
  else if (exp == 31) v = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else v = std::ldexp(float(mant | 0x400), int(exp) - 25);
  return sign ? -v : v;
}

// Round to nearest even, as the device does.
inline std::uint16_t float_to_bf16(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
  u += 0x7fffu + ((u >> 16) & 1u);
  return std::uint16_t(u >> 16);
}

inline std::uint16_t float_to_f16(float f) {
  // Exact for the values the tests upload: they come from the device already rounded to fp16.
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  const std::uint32_t sign = (u >> 16) & 0x8000;
  const float a = std::fabs(f);
  if (std::isnan(f)) return 0x7e00;
  if (a >= 65520.0f) return std::uint16_t(sign | 0x7c00);
  if (a < std::ldexp(1.0f, -14)) {  // subnormal
    return std::uint16_t(sign | std::uint32_t(std::nearbyint(a * std::ldexp(1.0f, 24))));
  }
  int e;
  const float m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  std::uint32_t mant = std::uint32_t(std::nearbyint((m * 2.0f - 1.0f) * 1024.0f));
  std::uint32_t exp = std::uint32_t(e - 1 + 15);
  if (mant == 1024) {
    mant = 0;
    ++exp;
  }
  return std::uint16_t(sign | (exp << 10) | mant);
}

inline std::vector<float> to_floats(const std::vector<std::uint8_t>& raw, DType t) {
  const std::size_t n = raw.size() / dtype_bytes(t);
  std::vector<float> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (t == DType::f32) {
      std::memcpy(&out[i], raw.data() + 4 * i, 4);
    } else {
      std::uint16_t b;
      std::memcpy(&b, raw.data() + 2 * i, 2);
      out[i] = t == DType::bf16 ? bf16_to_float(b) : f16_to_float(b);
    }
  }
  return out;
}

inline std::vector<std::uint8_t> from_floats(const std::vector<float>& v, DType t) {
  std::vector<std::uint8_t> raw(v.size() * dtype_bytes(t));
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (t == DType::f32) {
      std::memcpy(raw.data() + 4 * i, &v[i], 4);
    } else {
      const std::uint16_t b = t == DType::bf16 ? float_to_bf16(v[i]) : float_to_f16(v[i]);
      std::memcpy(raw.data() + 2 * i, &b, 2);
    }
  }
  return raw;
}

// n elements of type t at ptr on the device, as floats.
inline std::vector<float> download(Device& d, const void* ptr, std::size_t n, DType t) {
  std::vector<std::uint8_t> raw(n * dtype_bytes(t));
  d.to_host(raw.data(), ptr, raw.size());
  return to_floats(raw, t);
}

inline void upload(Device& d, void* ptr, const std::vector<float>& v, DType t) {
  const auto raw = from_floats(v, t);
  d.from_host(ptr, raw.data(), raw.size());
}

// Fills n elements with NaN so that an element the kernel never writes fails the comparison.
inline void poison(Device& d, void* ptr, std::size_t n, DType t) {
  std::vector<std::uint8_t> raw(n * dtype_bytes(t), 0xff);
  d.from_host(ptr, raw.data(), raw.size());
}

// ||out - ref|| / ||ref|| in double; infinity when out holds a NaN or the sizes differ.
inline double relative_error(const std::vector<float>& out, const std::vector<float>& ref) {
  if (out.size() != ref.size()) return std::numeric_limits<double>::infinity();
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (!std::isfinite(out[i])) return std::numeric_limits<double>::infinity();
    const double diff = double(out[i]) - double(ref[i]);
    num += diff * diff;
    den += double(ref[i]) * double(ref[i]);
  }
  return den > 0.0 ? std::sqrt(num / den) : std::sqrt(num);
}

// Error bounds per precision (METHOD: fp32 far under 1e-3, tf32 near 3e-4, bf16 1e-3..1e-2).
inline double gemm_bound(Precision p) {
  switch (p) {
    case Precision::fp32: return 5e-5;
    case Precision::tf32: return 2e-3;
    case Precision::bf16: return 1e-2;
    case Precision::fp16: return 2e-3;
  }
  return 0.0;
}

// Memory passes: the reference gets the device's own (rounded) inputs, so only the output's
// rounding and fp32 arithmetic order differ.
inline double pass_bound(DType t) {
  switch (t) {
    case DType::f32: return 2e-5;
    case DType::bf16: return 8e-3;
    case DType::f16: return 1e-3;
  }
  return 0.0;
}

inline bool gpu_present() { return gpu_device_count() > 0; }

// The GPU device of a precision, or nullptr when this GPU refuses it (the test then skips it).
inline std::unique_ptr<Device> gpu_or_null(Precision p) {
  try {
    return make_gpu_device(p, 0);
  } catch (const UsageError&) {
    return nullptr;
  }
}

#define SKIP_WITHOUT_GPU()                                                                  \
  do {                                                                                      \
    if (!::scalebench::gpu_test::gpu_present()) GTEST_SKIP() << "no GPU visible to this process"; \
  } while (0)

}  // namespace scalebench::gpu_test
