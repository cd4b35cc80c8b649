// The GPU device: one stream, BLAS GEMMs (cuBLAS / hipBLAS), the backend's own kernels, device
// memory with sizes named when it runs out, and graph capture of the stream.
#include "kernels/gpu/gpu_device.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "records/errors.hpp"
#include "kernels/gpu/gpu_check.hpp"
#include "kernels/gpu/gpu_kernels.hpp"
#include "kernels/gpu/gpu_runtime.h"

#ifndef SCALEBENCH_GPU_ARCHITECTURES
#define SCALEBENCH_GPU_ARCHITECTURES "unknown"
#endif

namespace scalebench {
namespace {

std::string gib(double bytes) { return fmt::format("{:.2f} GiB", bytes / double(1ULL << 30)); }

std::string version_string(int v) {
  // CUDA and HIP encode versions as major*1000 + minor*10 (CUDA) or major*10^7 + minor*10^5 (HIP).
#if defined(SCALEBENCH_HAVE_HIP)
  return fmt::format("{}.{}.{}", v / 10000000, (v / 100000) % 100, v % 100000);
#else
  return fmt::format("{}.{}", v / 1000, (v % 1000) / 10);
#endif
}

std::string visible_devices_hint() {
  for (const char* var : {"CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES"}) {
    if (const char* v = std::getenv(var)) return fmt::format(" ({}={})", var, v);
  }
  return "";
}

std::string arch_name(const gpuDeviceProp_t& prop) {
#if defined(SCALEBENCH_HAVE_HIP)
  std::string arch = prop.gcnArchName;
  return arch.substr(0, arch.find(':'));  // "gfx90a:sramecc+:xnack-" -> "gfx90a"
#else
  return fmt::format("sm_{}{}", prop.major, prop.minor);
#endif
}

// Refuses, before any work, a precision the GPU cannot run.
void check_precision(Precision precision, const gpuDeviceProp_t& prop, int index) {
  const std::string gpu = fmt::format("GPU {} ({}, {})", index, prop.name, arch_name(prop));
#if defined(SCALEBENCH_HAVE_HIP)
  const std::string arch = arch_name(prop);
  if (precision == Precision::tf32 && arch.rfind("gfx94", 0) != 0 && arch.rfind("gfx95", 0) != 0) {
    throw UsageError(fmt::format("precision 'tf32' needs TF32/XF32 matrix units (NVIDIA sm_80+, AMD "
                                 "gfx942+); {} has none: use fp32 or bf16", gpu));
  }
  if (precision == Precision::bf16) {
    const bool ok = arch == "gfx908" || arch == "gfx90a" || arch.rfind("gfx94", 0) == 0 ||
                    arch.rfind("gfx95", 0) == 0 || arch.rfind("gfx11", 0) == 0 || arch.rfind("gfx12", 0) == 0;
    if (!ok) {
      throw UsageError(fmt::format("precision 'bf16' needs an AMD GPU with bf16 matrix units (gfx908 "
                                   "or newer); {} has none: use fp16 or fp32", gpu));
    }
  }
#else
  const int cc = prop.major * 10 + prop.minor;
  if ((precision == Precision::bf16 || precision == Precision::tf32) && cc < 80) {
    throw UsageError(fmt::format("precision '{}' needs compute capability 8.0 or newer (A100, H100); "
                                 "{} is {}.{}: use fp16 or fp32", to_string(precision), gpu,
                                 prop.major, prop.minor));
  }
  if (precision == Precision::fp16 && cc < 60) {
    throw UsageError(fmt::format("precision 'fp16' needs compute capability 6.0 or newer; {} is {}.{}: "
                                 "use fp32", gpu, prop.major, prop.minor));
  }
#endif
}

class GpuDevice final : public Device, public GpuDeviceExtras {
 public:
  GpuDevice(Precision precision, int index, const gpuDeviceProp_t& prop)
      : precision_(precision), index_(index), prop_(prop) {
    activate();
    CHECK_CUDA(gpuStreamCreateWithFlags(&stream_, gpuStreamNonBlocking));
#if SCALEBENCH_HAVE_GPU_BLAS
    CHECK_BLAS(gpublasCreate(&blas_));
    CHECK_BLAS(gpublasSetStream(blas_, stream_));
#if !defined(SCALEBENCH_HAVE_HIP)
    // A workspace of our own keeps cuBLAS from allocating inside graph capture (32 MiB, the size
    // NVIDIA recommends for Hopper).
    constexpr std::size_t kBlasWorkspaceBytes = 32u << 20;
    CHECK_CUDA(gpuMalloc(&blas_workspace_, kBlasWorkspaceBytes));
    CHECK_BLAS(cublasSetWorkspace(blas_, blas_workspace_, kBlasWorkspaceBytes));
#endif
#endif
  }

  ~GpuDevice() override {
    (void)gpuSetDevice(index_);
    (void)gpuStreamSynchronize(stream_);
    for (gpuGraphExec_t g : graphs_) (void)gpuGraphExecDestroy(g);
    for (gpuEvent_t e : timing_) {
      if (e) (void)gpuEventDestroy(e);
    }
#if SCALEBENCH_HAVE_GPU_BLAS
    if (blas_) (void)gpublasDestroy(blas_);
#endif
    if (blas_workspace_) (void)gpuFree(blas_workspace_);
    if (workspace_) (void)gpuFree(workspace_);
    (void)gpuStreamDestroy(stream_);
  }

  DeviceInfo info() const override {
    DeviceInfo info;
    info.backend = std::string(kGpuBackendName);
    info.model = prop_.name;
    info.memory_bytes = std::int64_t(prop_.totalGlobalMem);
    info.index = index_;
    int runtime = 0, driver = 0;
    if (gpuRuntimeGetVersion(&runtime) == gpuSuccess) info.versions[GPU_BACKEND_NAME "_runtime"] = version_string(runtime);
    if (gpuDriverGetVersion(&driver) == gpuSuccess) info.versions[GPU_BACKEND_NAME "_driver"] = version_string(driver);
    info.versions["architecture"] = arch_name(prop_);
    info.versions["architectures_built"] = SCALEBENCH_GPU_ARCHITECTURES;
    info.versions["multiprocessors"] = std::to_string(prop_.multiProcessorCount);
    char bus[64] = {};
    if (gpuDeviceGetPCIBusId(bus, sizeof bus, index_) == gpuSuccess) info.versions["pci_bus_id"] = bus;
#if SCALEBENCH_HAVE_NCCL
    info.versions[GPU_NCCL_NAME] = gpu_communicator_version();  // the loaded library's ncclGetVersion
#endif
#if SCALEBENCH_HAVE_GPU_BLAS
#if defined(SCALEBENCH_HAVE_HIP)
    info.versions["hipblas"] = fmt::format("{}.{}.{}", hipblasVersionMajor, hipblasVersionMinor, hipblasVersionPatch);
#else
    int blas_version = 0;
    if (cublasGetVersion(blas_, &blas_version) == CUBLAS_STATUS_SUCCESS) {
      info.versions["cublas"] = fmt::format("{}.{}.{}", blas_version / 10000, (blas_version / 100) % 100,
                                            blas_version % 100);
    }
#endif
#endif
    return info;
  }

  Precision precision() const override { return precision_; }

  void* allocate(std::size_t bytes) override {
    activate();
    if (capturing_) throw RunError("gpu: allocation during graph capture");
    void* ptr = nullptr;
    const gpuError_t rc = gpuMalloc(&ptr, std::max<std::size_t>(bytes, 1));
    if (rc == gpuErrorMemoryAllocation) {
      (void)gpuGetLastError();
      std::size_t free_bytes = 0, total_bytes = 0;
      (void)gpuMemGetInfo(&free_bytes, &total_bytes);
      throw RunError(fmt::format(
          "out of memory on GPU {} ({}): allocating {} failed with {} free of {}; this run already "
          "holds {} in {} buffers. Use a smaller --batch (or --image-size)",
          index_, prop_.name, gib(double(bytes)), gib(double(free_bytes)), gib(double(total_bytes)),
          gib(double(allocated_)), sizes_.size()));
    }
    CHECK_CUDA(rc);
    sizes_[ptr] = bytes;
    allocated_ += std::int64_t(bytes);
    peak_ = std::max(peak_, allocated_);
    return ptr;
  }

  void release(void* ptr) noexcept override {
    if (!ptr) return;
    (void)gpuSetDevice(index_);
    (void)gpuFree(ptr);
    if (const auto it = sizes_.find(ptr); it != sizes_.end()) {
      allocated_ -= std::int64_t(it->second);
      sizes_.erase(it);
    }
  }

  void fill_random(void* ptr, std::size_t count, DType type, std::uint64_t seed, float scale) override {
    activate();
    gpu::fill_random(ptr, count, type, seed, scale, context(0));
  }

  void gemm(const GemmOp& op, const void* a, const void* b, void* c) override {
#if SCALEBENCH_HAVE_GPU_BLAS
    activate();
    if (op.m <= 0 || op.n <= 0 || op.batch <= 0) return;
    constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
    if (op.m > kIntMax || op.n > kIntMax || op.k > kIntMax || op.batch > kIntMax) {
      throw RunError(fmt::format("gpu gemm: {}x{}x{} (batch {}) exceeds the BLAS's 32-bit sizes", op.m,
                                 op.n, op.k, op.batch));
    }
    const DType t = activation_type();
    const gpuDataType_t ab = t == DType::f32 ? GPU_R_32F : t == DType::bf16 ? GPU_R_16BF : GPU_R_16F;
    const gpuDataType_t ct = op.c_f32 ? GPU_R_32F : ab;
    const gpublasComputeType_t compute =
        precision_ == Precision::tf32 ? GPUBLAS_COMPUTE_32F_FAST_TF32 : GPUBLAS_COMPUTE_32F;
    const float alpha = 1.0f;
    const float beta = op.accumulate ? 1.0f : 0.0f;
    // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands.
    const int lda = int(op.trans_a ? op.m : op.k);
    const int ldb = int(op.trans_b ? op.k : op.n);
    CHECK_BLAS(gpublasGemmStridedBatchedEx(
        blas_, op.trans_b ? GPUBLAS_OP_T : GPUBLAS_OP_N, op.trans_a ? GPUBLAS_OP_T : GPUBLAS_OP_N,
        int(op.n), int(op.m), int(op.k), &alpha, b, ab, ldb, op.k * op.n, a, ab, lda, op.m * op.k,
        &beta, c, ct, int(op.n), op.m * op.n, int(op.batch), compute, GPUBLAS_GEMM_DEFAULT));
#else
    (void)op, (void)a, (void)b, (void)c;
    throw RunError("gpu: this build has no GPU BLAS (hipBLAS was not found at configure time)");
#endif
  }

  void memory_pass(const MemoryPass& pass) override {
    activate();
    gpu::memory_pass(pass, activation_type(), context(gpu::memory_pass_workspace_bytes(pass, prop_.multiProcessorCount)));
  }

  void softmax(void* x, std::int64_t rows, std::int64_t cols, DType type) override {
    activate();
    gpu::softmax(x, rows, cols, type, context(0));
  }

  void sgd_momentum(float* params, const float* grads, float* velocity, std::size_t count, float lr,
                    float momentum) override {
    activate();
    gpu::sgd_momentum(params, grads, velocity, count, lr, momentum, context(0));
  }

  void copy(void* dst, const void* src, std::size_t bytes) override {
    activate();
    CHECK_CUDA(gpuMemcpyAsync(dst, src, bytes, gpuMemcpyDeviceToDevice, stream_));
  }

  void to_host(void* host_dst, const void* src, std::size_t bytes) override {
    activate();
    no_capture("to_host");
    CHECK_CUDA(gpuMemcpyAsync(host_dst, src, bytes, gpuMemcpyDeviceToHost, stream_));
    CHECK_CUDA(gpuStreamSynchronize(stream_));
  }

  void from_host(void* dst, const void* host_src, std::size_t bytes) override {
    activate();
    no_capture("from_host");
    CHECK_CUDA(gpuMemcpyAsync(dst, host_src, bytes, gpuMemcpyHostToDevice, stream_));
    CHECK_CUDA(gpuStreamSynchronize(stream_));
  }

  void synchronize() override {
    activate();
    no_capture("synchronize");
    CHECK_CUDA(gpuStreamSynchronize(stream_));
  }

  void* native_stream() override { return stream_; }

  // --- graphs: the stream's work between begin_capture and end_capture, replayed as one launch
  bool supports_graphs() const override { return true; }

  void begin_capture() override {
    activate();
    if (capturing_) throw RunError("gpu: begin_capture while capturing");
    CHECK_CUDA(gpuStreamBeginCapture(stream_, gpuStreamCaptureModeThreadLocal));
    capturing_ = true;
  }

  int end_capture() override {
    activate();
    if (!capturing_) throw RunError("gpu: end_capture without begin_capture");
    capturing_ = false;
    gpuGraph_t graph = nullptr;
    CHECK_CUDA(gpuStreamEndCapture(stream_, &graph));
    gpuGraphExec_t exec = nullptr;
    const gpuError_t rc = gpuGraphInstantiate(&exec, graph);
    (void)gpuGraphDestroy(graph);
    CHECK_CUDA(rc);
    graphs_.push_back(exec);
    return int(graphs_.size() - 1);
  }

  void replay(int graph) override {
    activate();
    if (graph < 0 || std::size_t(graph) >= graphs_.size()) {
      throw RunError(fmt::format("gpu: replay of unknown graph {}", graph));
    }
    CHECK_CUDA(gpuGraphLaunch(graphs_[graph], stream_));
  }

  // --- GpuDeviceExtras
  double time_ms(const std::function<void()>& issue) override {
    activate();
    no_capture("time_ms");
    if (!timing_[0]) {
      CHECK_CUDA(gpuEventCreateWithFlags(&timing_[0], gpuEventDefault));
      CHECK_CUDA(gpuEventCreateWithFlags(&timing_[1], gpuEventDefault));
    }
    CHECK_CUDA(gpuEventRecord(timing_[0], stream_));
    issue();
    activate();
    CHECK_CUDA(gpuEventRecord(timing_[1], stream_));
    CHECK_CUDA(gpuEventSynchronize(timing_[1]));
    float ms = 0.0f;
    CHECK_CUDA(gpuEventElapsedTime(&ms, timing_[0], timing_[1]));
    return double(ms);
  }

  std::int64_t allocated_bytes() const override { return allocated_; }
  std::int64_t peak_allocated_bytes() const override { return peak_; }

 private:
  void activate() const { CHECK_CUDA(gpuSetDevice(index_)); }

  void no_capture(const char* what) const {
    if (capturing_) throw RunError(fmt::format("gpu: {} during graph capture", what));
  }

  // Launch context with at least `workspace` bytes of scratch. The scratch only grows, and not
  // during capture: warm-up steps before capturing size it.
  gpu::KernelContext context(std::size_t workspace) {
    if (workspace > workspace_bytes_) {
      if (capturing_) {
        throw RunError("gpu: a memory pass needs more scratch during graph capture; run the step "
                       "once before capturing it");
      }
      if (workspace_) {
        CHECK_CUDA(gpuStreamSynchronize(stream_));
        CHECK_CUDA(gpuFree(workspace_));
        workspace_ = nullptr;
        workspace_bytes_ = 0;
      }
      const std::size_t bytes = std::max<std::size_t>(workspace, 1u << 20);
      const gpuError_t rc = gpuMalloc(&workspace_, bytes);
      if (rc == gpuErrorMemoryAllocation) {
        (void)gpuGetLastError();
        throw RunError(fmt::format("out of memory on GPU {} ({}): {} of scratch for a memory pass",
                                   index_, prop_.name, gib(double(bytes))));
      }
      CHECK_CUDA(rc);
      workspace_bytes_ = bytes;
    }
    gpu::KernelContext ctx;
    ctx.stream = stream_;
    ctx.sm_count = prop_.multiProcessorCount;
    ctx.workspace = workspace_;
    ctx.workspace_bytes = workspace_bytes_;
    return ctx;
  }

  Precision precision_;
  int index_;
  gpuDeviceProp_t prop_;
  gpuStream_t stream_ = nullptr;
#if SCALEBENCH_HAVE_GPU_BLAS
  gpublasHandle_t blas_ = nullptr;
#endif
  void* blas_workspace_ = nullptr;
  void* workspace_ = nullptr;
  std::size_t workspace_bytes_ = 0;
  std::unordered_map<void*, std::size_t> sizes_;
  std::int64_t allocated_ = 0;
  std::int64_t peak_ = 0;
  bool capturing_ = false;
  std::vector<gpuGraphExec_t> graphs_;
  gpuEvent_t timing_[2] = {nullptr, nullptr};
};

}  // namespace

int gpu_device_count() {
  int count = 0;
  if (gpuGetDeviceCount(&count) != gpuSuccess) {
    (void)gpuGetLastError();  // no driver or no device: none visible
    return 0;
  }
  return count;
}

std::unique_ptr<Device> make_gpu_device(Precision precision, int index) {
  const int count = gpu_device_count();
  if (index < 0 || index >= count) {
    throw UsageError(fmt::format("{} device {} requested but {} visible to this process{}",
                                 GPU_RUNTIME_NAME, index,
                                 count == 0 ? std::string("no GPU is") : fmt::format("only {} GPU{} {}", count, count == 1 ? "" : "s", count == 1 ? "is" : "are"),
                                 visible_devices_hint()));
  }
  gpuDeviceProp_t prop{};
  CHECK_CUDA(gpuGetDeviceProperties(&prop, index));
  check_precision(precision, prop, index);
  CHECK_CUDA(gpuSetDevice(index));
  gpuFuncAttributes attributes{};
  if (gpuFuncGetAttributes(&attributes, gpu::probe_kernel()) != gpuSuccess) {
    (void)gpuGetLastError();
    throw UsageError(fmt::format(
        "this scalebench has no GPU code for GPU {} ({}, {}): it was built for {}; rebuild with "
        "-DCMAKE_{}_ARCHITECTURES including it",
        index, prop.name, arch_name(prop), SCALEBENCH_GPU_ARCHITECTURES,
#if defined(SCALEBENCH_HAVE_HIP)
        "HIP"
#else
        "CUDA"
#endif
        ));
  }
  return std::make_unique<GpuDevice>(precision, index, prop);
}

GpuDeviceExtras* gpu_extras(Device& device) { return dynamic_cast<GpuDeviceExtras*>(&device); }

}  // namespace scalebench
