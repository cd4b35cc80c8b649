// The device interface: what a backend (CPU, CUDA, HIP) must provide to run a training step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "records/errors.hpp"
#include "kernels/precision.hpp"

namespace scalebench {

// Row-major GEMM, optionally strided-batched:
//   C[b] (m x n) = op(A[b]) (m x k) * op(B[b]) (k x n)  (+ C[b] when accumulate)
// Operands are contiguous; batch > 1 uses strides m*k, k*n and m*n.
// A, B and C are in the device's activation dtype unless c_f32 asks for an fp32 C
// (weight gradients are fp32 whatever the precision).
struct GemmOp {
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::int64_t batch = 1;
  bool trans_a = false;
  bool trans_b = false;
  bool accumulate = false;
  bool c_f32 = false;

  double flops() const { return 2.0 * double(m) * double(n) * double(k) * double(batch); }
};

// Memory-bound passes over activations. Each moves the real bytes of the layer it stands for; see
// workloads/training_step.cpp for which pass models which layer and workloads/autocast.hpp for
// the element types a layer reads and writes under mixed precision.
enum class PassKind {
  unary,      // dst[i] = f(src[i])                       (activation, scale, dropout, cast)
  binary,     // dst[i] = src[i] + src2[i]                (residual add, activation backward)
  pool,       // dst[i] = max(src[i*w .. i*w+w-1]), w = src_count / dst_count
  unpool,     // dst[j] = src[j / w] for the window j belongs to (pooling backward)
  normalize,  // rows x cols: statistics, then dst = (src - mean) / std; reads src twice
  normalize_backward,  // rows x cols: src = dY, src2 = X; reduce both, then dst = dX
  cast,       // dst[i] = src[i] converted from src_type to dst_type (autocast's casts)
};

struct MemoryPass {
  PassKind kind = PassKind::unary;
  const void* src = nullptr;
  const void* src2 = nullptr;  // binary only
  void* dst = nullptr;
  std::int64_t src_count = 0;
  std::int64_t dst_count = 0;
  std::int64_t rows = 0;  // normalize only: dst_count == src_count == rows * cols
  std::int64_t cols = 0;
  bool per_column = false;  // normalize: statistics per column (batch-norm, NHWC) or per row
                            // (layer-norm)
  // Element types; unset means the device's activation dtype (fp32 for a cast's source). Types
  // may differ only in a cast, and in a binary pass writing fp32 (autocast's residual add of a
  // bf16 branch to an fp32 stream, as type promotion does).
  std::optional<DType> src_type, src2_type, dst_type;
};

// Whether a pass of this kind reads src2 (binary, normalize_backward).
inline bool reads_src2(PassKind kind) {
  return kind == PassKind::binary || kind == PassKind::normalize_backward;
}

struct PassTypes {
  DType src, src2, dst;
};
// The pass's element types with the defaults filled in; throws RunError for a combination no
// backend runs (see MemoryPass).
PassTypes resolve_types(const MemoryPass& pass, DType activation);
// Bytes the pass moves as the PassKind comments describe them (normalize reads its input twice).
double pass_bytes(const MemoryPass& pass, DType activation);

// Facts about the device recorded in the result file.
struct DeviceInfo {
  std::string backend;  // "cpu", "cuda", "hip"
  std::string model;    // CPU or GPU model name
  std::int64_t memory_bytes = 0;
  int index = 0;                                // device index (GPU ordinal; 0 on CPU)
  std::map<std::string, std::string> versions;  // library name -> version
};

class Device {
 public:
  virtual ~Device() = default;

  virtual DeviceInfo info() const = 0;
  // Memory this process may still allocate (the CPU: MemAvailable, shared by every process on the
  // node); by default the device's whole memory.
  virtual std::int64_t available_memory_bytes() const { return info().memory_bytes; }
  virtual Precision precision() const = 0;
  DType activation_type() const { return activation_dtype(precision()); }

  virtual void* allocate(std::size_t bytes) = 0;
  virtual void release(void* ptr) noexcept = 0;

  // Uniform random values in [-scale, scale], never all zeros.
  virtual void fill_random(void* ptr, std::size_t count, DType type, std::uint64_t seed,
                           float scale) = 0;
  virtual void gemm(const GemmOp& op, const void* a, const void* b, void* c) = 0;
  virtual void memory_pass(const MemoryPass& pass) = 0;
  // Row-wise softmax in place, rows x cols, elements of `type` (attention scores, logits).
  virtual void softmax(void* x, std::int64_t rows, std::int64_t cols, DType type) = 0;
  // SGD with momentum, one fused pass: v = mu*v + g; p -= lr*v.  All fp32.
  virtual void sgd_momentum(float* params, const float* grads, float* velocity, std::size_t count,
                            float lr, float momentum) = 0;
  // Copies between buffers of this device.
  virtual void copy(void* dst, const void* src, std::size_t bytes) = 0;
  // Copies to and from host memory (checks, correctness patterns).
  virtual void to_host(void* host_dst, const void* src, std::size_t bytes) = 0;
  virtual void from_host(void* dst, const void* host_src, std::size_t bytes) = 0;

  // Waits until all work issued so far has finished.
  virtual void synchronize() = 0;
  // The backend's native stream (cudaStream_t / hipStream_t), or nullptr on the CPU.
  virtual void* native_stream() { return nullptr; }

  // Graphs (CUDA/HIP graphs): work issued between begin_capture() and end_capture() is recorded,
  // not run; replay(graph) runs it again as one launch. No allocation, host copy or synchronize
  // may happen while capturing. Backends without graphs return false from supports_graphs().
  virtual bool supports_graphs() const { return false; }
  virtual void begin_capture() { throw UsageError("--graph needs a GPU backend"); }
  virtual int end_capture() { throw UsageError("--graph needs a GPU backend"); }
  virtual void replay(int /*graph*/) { throw UsageError("--graph needs a GPU backend"); }
};

// Owns a device allocation.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(Device& device, std::size_t bytes)
      : device_(&device), ptr_(bytes ? device.allocate(bytes) : nullptr), bytes_(bytes) {}
  ~DeviceBuffer() { reset(); }
  DeviceBuffer(DeviceBuffer&& other) noexcept { *this = std::move(other); }
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      reset();
      device_ = other.device_;
      ptr_ = other.ptr_;
      bytes_ = other.bytes_;
      other.ptr_ = nullptr;
      other.bytes_ = 0;
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* get() const { return ptr_; }
  float* f32() const { return static_cast<float*>(ptr_); }
  std::size_t bytes() const { return bytes_; }
  void reset() {
    if (ptr_) device_->release(ptr_);
    ptr_ = nullptr;
    bytes_ = 0;
  }

 private:
  Device* device_ = nullptr;
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace scalebench
