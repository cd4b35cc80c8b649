// The CPU backend: GEMMs through the BLAS library (OpenBLAS, FlexiBLAS, BLIS, any CBLAS), memory
// passes as OpenMP loops.
#include "kernels/cpu/cpu_device.hpp"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <new>
#include <string>

#include <fmt/format.h>

// The vendor's own calls (versions, thread counts) only where cmake/dependencies.cmake found that
// they link; any other CBLAS gets the portable facts: its name and OpenMP's thread count.
#if defined(SCALEBENCH_BLAS_BLIS)
#include <blis.h>
#elif defined(SCALEBENCH_BLAS_FLEXIBLAS)
// Declared here: flexiblas_api.h is not installed beside cblas.h everywhere.
extern "C" int flexiblas_current_backend(char* name, std::size_t len);
extern "C" int flexiblas_get_num_threads(void);
extern "C" void flexiblas_set_num_threads(int num);
extern "C" void flexiblas_get_version(int* major, int* minor, int* patch);
#endif
#ifndef SCALEBENCH_BLAS_VENDOR
#define SCALEBENCH_BLAS_VENDOR "unknown"
#endif

#include "kernels/device_constants.hpp"
#include "records/errors.hpp"

namespace scalebench {
namespace {

// CBLAS's integer: OpenBLAS names it (32 or 64 bits as built); LP64 elsewhere.
#if defined(SCALEBENCH_BLAS_OPENBLAS)
using BlasInt = blasint;
#else
using BlasInt = int;
#endif

// The library's own version facts for the record (system.versions); none for a plain CBLAS.
void add_blas_versions(std::map<std::string, std::string>& versions) {
#if defined(SCALEBENCH_BLAS_OPENBLAS)
  versions["openblas"] = OPENBLAS_VERSION;
  versions["openblas_config"] = openblas_get_config();
#elif defined(SCALEBENCH_BLAS_BLIS)
  versions["blis"] = bli_info_get_version_str();
#elif defined(SCALEBENCH_BLAS_FLEXIBLAS)
  int major = 0, minor = 0, patch = 0;
  flexiblas_get_version(&major, &minor, &patch);
  versions["flexiblas"] = fmt::format("{}.{}.{}", major, minor, patch);
  char backend[128] = {};
  if (flexiblas_current_backend(backend, sizeof backend) > 0) versions["flexiblas_backend"] = backend;
#else
  (void)versions;
#endif
}

// The threads a GEMM uses: the library's count where it keeps one, else OpenMP's (an OpenMP
// build of the library follows omp_set_num_threads; a serial one uses 1 whatever this says).
int blas_threads() {
#if defined(SCALEBENCH_BLAS_OPENBLAS)
  return openblas_get_num_threads();
#elif defined(SCALEBENCH_BLAS_BLIS)
  // BLIS keeps -1 ("not set": its environment variables decide, else 1 thread) until set.
  const auto n = bli_thread_get_num_threads();
  return n > 0 ? int(n) : 1;
#elif defined(SCALEBENCH_BLAS_FLEXIBLAS)
  return flexiblas_get_num_threads();
#else
  return omp_get_max_threads();
#endif
}

void set_blas_threads(int threads) {
#if defined(SCALEBENCH_BLAS_OPENBLAS)
  openblas_set_num_threads(threads);
#elif defined(SCALEBENCH_BLAS_BLIS)
  bli_thread_set_num_threads(threads);
#elif defined(SCALEBENCH_BLAS_FLEXIBLAS)
  flexiblas_set_num_threads(threads);
#else
  (void)threads;  // omp_set_num_threads, called beside this, is what an OpenMP BLAS follows
#endif
}

// A line of /proc/meminfo in bytes ("MemTotal:", "MemAvailable:"); 0 when absent.
std::int64_t meminfo_bytes(const std::string& wanted) {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::int64_t kib = 0;
  while (in >> key >> kib) {
    if (key == wanted) return kib * 1024;
    in.ignore(1 << 10, '\n');
  }
  return 0;
}

class CpuDevice final : public Device {
 public:
  explicit CpuDevice(Precision precision) : precision_(precision) {}

  DeviceInfo info() const override {
    DeviceInfo info;
    info.backend = "cpu";
    info.model = cpu_model_name();
    info.memory_bytes = meminfo_bytes("MemTotal:");
    info.versions["blas_vendor"] = SCALEBENCH_BLAS_VENDOR;
    add_blas_versions(info.versions);
    info.versions["blas_threads"] = std::to_string(blas_threads());
    return info;
  }

  std::int64_t available_memory_bytes() const override { return meminfo_bytes("MemAvailable:"); }

  Precision precision() const override { return precision_; }

  void* allocate(std::size_t bytes) override {
    // 64-byte alignment for vector loads; size rounded up as aligned_alloc requires.
    const std::size_t rounded = (bytes + 63) / 64 * 64;
    void* ptr = std::aligned_alloc(64, rounded);
    if (!ptr) {
      throw RunError(fmt::format("cpu: could not allocate {} bytes", bytes));
    }
    return ptr;
  }

  void release(void* ptr) noexcept override { std::free(ptr); }

  void fill_random(void* ptr, std::size_t count, DType type, std::uint64_t seed,
                   float scale) override {
    require_f32(type);
    float* out = static_cast<float*>(ptr);
    const std::uint64_t base = splitmix64(seed);
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < count; ++i) out[i] = random_fill_value(base, i, scale);
  }

  void gemm(const GemmOp& op, const void* a, const void* b, void* c) override {
    const float* pa = static_cast<const float*>(a);
    const float* pb = static_cast<const float*>(b);
    float* pc = static_cast<float*>(c);
    const BlasInt lda = BlasInt(op.trans_a ? op.m : op.k);
    const BlasInt ldb = BlasInt(op.trans_b ? op.k : op.n);
    const BlasInt ldc = BlasInt(op.n);
    const float beta = op.accumulate ? 1.0f : 0.0f;
    for (std::int64_t i = 0; i < op.batch; ++i) {
      cblas_sgemm(CblasRowMajor, op.trans_a ? CblasTrans : CblasNoTrans,
                  op.trans_b ? CblasTrans : CblasNoTrans, BlasInt(op.m), BlasInt(op.n),
                  BlasInt(op.k), 1.0f, pa + i * op.m * op.k, lda, pb + i * op.k * op.n, ldb, beta,
                  pc + i * op.m * op.n, ldc);
    }
  }

  void memory_pass(const MemoryPass& pass) override {
    const PassTypes t = resolve_types(pass, DType::f32);
    if (t.src != DType::f32 || t.src2 != DType::f32 || t.dst != DType::f32) {
      throw RunError("cpu backend: memory passes are fp32 only");
    }
    const float* src = static_cast<const float*>(pass.src);
    const float* src2 = static_cast<const float*>(pass.src2);
    float* dst = static_cast<float*>(pass.dst);
    const std::int64_t n_out = pass.dst_count;
    switch (pass.kind) {
      case PassKind::unary:
#pragma omp parallel for schedule(static)
        for (std::int64_t i = 0; i < n_out; ++i) dst[i] = std::max(src[i], 0.0f) * kReluScale;
        break;
      case PassKind::binary:
#pragma omp parallel for schedule(static)
        for (std::int64_t i = 0; i < n_out; ++i) dst[i] = src[i] + src2[i];
        break;
      case PassKind::pool: {
        const std::int64_t w = std::max<std::int64_t>(1, pass.src_count / std::max<std::int64_t>(1, n_out));
#pragma omp parallel for schedule(static)
        for (std::int64_t i = 0; i < n_out; ++i) {
          float m = src[i * w];
          for (std::int64_t j = 1; j < w; ++j) m = std::max(m, src[i * w + j]);
          dst[i] = m;
        }
        break;
      }
      case PassKind::unpool: {
        const std::int64_t w = std::max<std::int64_t>(1, n_out / std::max<std::int64_t>(1, pass.src_count));
#pragma omp parallel for schedule(static)
        for (std::int64_t i = 0; i < n_out; ++i) dst[i] = src[i / w] * kUnpoolShare;
        break;
      }
      case PassKind::cast:
        std::memcpy(dst, src, std::size_t(n_out) * sizeof(float));
        break;
      case PassKind::normalize:
        normalize(pass);
        break;
      case PassKind::normalize_backward:
        normalize_backward(pass);
        break;
    }
  }

  void softmax(void* x, std::int64_t rows, std::int64_t cols, DType type) override {
    if (type != DType::f32) throw RunError("cpu backend: softmax is fp32 only");
    float* p = static_cast<float*>(x);
#pragma omp parallel for schedule(static)
    for (std::int64_t r = 0; r < rows; ++r) {
      float* row = p + r * cols;
      float mx = row[0];
      for (std::int64_t c = 1; c < cols; ++c) mx = std::max(mx, row[c]);
      float sum = 0.0f;
      for (std::int64_t c = 0; c < cols; ++c) {
        row[c] = std::exp(row[c] - mx);
        sum += row[c];
      }
      const float inv = 1.0f / sum;
      for (std::int64_t c = 0; c < cols; ++c) row[c] *= inv;
    }
  }

  void sgd_momentum(float* params, const float* grads, float* velocity, std::size_t count,
                    float lr, float momentum) override {
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < count; ++i) {
      velocity[i] = momentum * velocity[i] + grads[i];
      params[i] -= lr * velocity[i];
    }
  }

  void copy(void* dst, const void* src, std::size_t bytes) override { std::memcpy(dst, src, bytes); }
  void to_host(void* dst, const void* src, std::size_t bytes) override { std::memcpy(dst, src, bytes); }
  void from_host(void* dst, const void* src, std::size_t bytes) override {
    std::memcpy(dst, src, bytes);
  }

  void synchronize() override {}

 private:
  static void require_f32(DType type) {
    if (type != DType::f32) throw RunError("cpu backend: only f32 buffers are supported");
  }

  // Batch-norm (per column, NHWC) or layer-norm (per row): one pass for the statistics, one pass
  // that reads the input again and writes the output.
  static void normalize(const MemoryPass& pass) {
    const float* src = static_cast<const float*>(pass.src);
    float* dst = static_cast<float*>(pass.dst);
    const std::int64_t rows = pass.rows, cols = pass.cols;
    if (pass.per_column) {
      std::vector<double> sum(cols, 0.0), sq(cols, 0.0);
      for (std::int64_t r = 0; r < rows; ++r) {
        const float* row = src + r * cols;
        for (std::int64_t c = 0; c < cols; ++c) {
          sum[c] += row[c];
          sq[c] += double(row[c]) * row[c];
        }
      }
      std::vector<float> mean(cols), inv(cols);
      for (std::int64_t c = 0; c < cols; ++c) {
        const double m = sum[c] / double(rows);
        mean[c] = float(m);
        inv[c] = float(1.0 / std::sqrt(std::max(sq[c] / double(rows) - m * m, 0.0) + kNormEpsilon));
      }
#pragma omp parallel for schedule(static)
      for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < cols; ++c) {
          dst[r * cols + c] = (src[r * cols + c] - mean[c]) * inv[c];
        }
      }
    } else {
#pragma omp parallel for schedule(static)
      for (std::int64_t r = 0; r < rows; ++r) {
        const float* row = src + r * cols;
        double s = 0.0, q = 0.0;
        for (std::int64_t c = 0; c < cols; ++c) {
          s += row[c];
          q += double(row[c]) * row[c];
        }
        const double m = s / double(cols);
        const float inv = float(1.0 / std::sqrt(std::max(q / double(cols) - m * m, 0.0) + kNormEpsilon));
        for (std::int64_t c = 0; c < cols; ++c) dst[r * cols + c] = (row[c] - float(m)) * inv;
      }
    }
  }

  // Normalisation backward: reduce dY and dY*X per channel, then dX from dY, X and the sums.
  static void normalize_backward(const MemoryPass& pass) {
    const float* dy = static_cast<const float*>(pass.src);
    const float* x = static_cast<const float*>(pass.src2);
    float* dx = static_cast<float*>(pass.dst);
    const std::int64_t rows = pass.rows, cols = pass.cols;
    if (pass.per_column) {
      std::vector<double> sdy(cols, 0.0), sdyx(cols, 0.0);
      for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < cols; ++c) {
          sdy[c] += dy[r * cols + c];
          sdyx[c] += double(dy[r * cols + c]) * x[r * cols + c];
        }
      }
      const double inv_rows = 1.0 / double(rows);
#pragma omp parallel for schedule(static)
      for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < cols; ++c) {
          const std::int64_t i = r * cols + c;
          dx[i] = float(dy[i] - sdy[c] * inv_rows - x[i] * sdyx[c] * inv_rows);
        }
      }
    } else {
#pragma omp parallel for schedule(static)
      for (std::int64_t r = 0; r < rows; ++r) {
        double s = 0.0, q = 0.0;
        for (std::int64_t c = 0; c < cols; ++c) {
          s += dy[r * cols + c];
          q += double(dy[r * cols + c]) * x[r * cols + c];
        }
        const double inv_cols = 1.0 / double(cols);
        for (std::int64_t c = 0; c < cols; ++c) {
          const std::int64_t i = r * cols + c;
          dx[i] = float(dy[i] - s * inv_cols - x[i] * q * inv_cols);
        }
      }
    }
  }

  Precision precision_;
};

}  // namespace

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(colon + 1);
        name.erase(0, name.find_first_not_of(' '));
        return name;
      }
    }
  }
  return "unknown CPU";
}

void configure_cpu_threads(int processes_on_node) {
  for (const char* chosen : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "BLIS_NUM_THREADS",
                             "FLEXIBLAS_NUM_THREADS"}) {
    if (std::getenv(chosen)) return;
  }
  const int cores = omp_get_num_procs();
  const int threads = std::max(1, cores / std::max(1, processes_on_node));
  omp_set_num_threads(threads);
  set_blas_threads(threads);
}

int cpu_threads() { return omp_get_max_threads(); }

std::unique_ptr<Device> make_cpu_device(Precision precision) {
  if (precision != Precision::fp32) {
    throw UsageError(fmt::format(
        "precision '{}' is not supported by the cpu backend (supported: fp32)", to_string(precision)));
  }
  return std::make_unique<CpuDevice>(precision);
}

}  // namespace scalebench
