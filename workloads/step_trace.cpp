// The recording device behind trace_step().
#include "workloads/step_trace.hpp"

#include <fmt/format.h>

#include "workloads/training_step.hpp"

namespace scalebench {
namespace {

class TracingDevice : public Device {
 public:
  TracingDevice(Precision precision, StepTrace& trace) : precision_(precision), trace_(trace) {}

  DeviceInfo info() const override { return {"trace", "step trace (runs nothing)", 0, 0, {}}; }
  Precision precision() const override { return precision_; }
  void* allocate(std::size_t bytes) override {
    const std::uintptr_t at = next_;
    next_ += (bytes + 255) / 256 * 256 + 256;  // a gap after every allocation
    allocations_[at] = bytes;
    return reinterpret_cast<void*>(at);
  }
  void release(void* ptr) noexcept override { allocations_.erase(reinterpret_cast<std::uintptr_t>(ptr)); }
  void fill_random(void* ptr, std::size_t count, DType type, std::uint64_t, float) override {
    check(ptr, std::int64_t(count), type, "fill");
  }
  void gemm(const GemmOp& op, const void* a, const void* b, void* c) override {
    const DType t = activation_type();
    check(a, op.batch * op.m * op.k, t, "gemm A");
    check(b, op.batch * op.k * op.n, t, "gemm B");
    check(c, op.batch * op.m * op.n, op.c_f32 ? DType::f32 : t, "gemm C");
    trace_.gemms.push_back({layer_class, op});
  }
  void memory_pass(const MemoryPass& p) override {
    const PassTypes t = resolve_types(p, activation_type());
    check(p.src, p.src_count, t.src, "pass src");
    if (reads_src2(p.kind)) check(p.src2, p.src_count, t.src2, "pass src2");
    check(p.dst, p.dst_count, t.dst, "pass dst");
    trace_.passes.push_back({layer_class, p, t, pass_bytes(p, activation_type())});
  }
  void softmax(void* x, std::int64_t rows, std::int64_t cols, DType type) override {
    check(x, rows * cols, type, "softmax");
    MemoryPass p;  // read and written once, as a unary pass
    p.src = p.dst = x;
    p.src_count = p.dst_count = rows * cols;
    p.src_type = p.src2_type = p.dst_type = type;
    trace_.passes.push_back({layer_class, p, resolve_types(p, type), pass_bytes(p, type)});
  }
  void sgd_momentum(float* p, const float* g, float* v, std::size_t n, float, float) override {
    check(p, std::int64_t(n), DType::f32, "sgd params");
    check(g, std::int64_t(n), DType::f32, "sgd grads");
    check(v, std::int64_t(n), DType::f32, "sgd velocity");
  }
  void copy(void*, const void*, std::size_t) override {}
  void to_host(void*, const void*, std::size_t) override {}
  void from_host(void*, const void*, std::size_t) override {}
  void synchronize() override {}

  std::string layer_class = "setup";

 private:
  void check(const void* ptr, std::int64_t count, DType type, const char* what) {
    if (count <= 0) return;
    const auto at = reinterpret_cast<std::uintptr_t>(ptr);
    const std::uintptr_t bytes = std::uintptr_t(count) * dtype_bytes(type);
    auto it = allocations_.upper_bound(at);
    if (it == allocations_.begin() || at + bytes > std::prev(it)->first + std::prev(it)->second) {
      trace_.range_errors.push_back(fmt::format("{} ({}): {} elements of {} at {:#x} lie outside every allocation",
                                                what, layer_class, count, to_string(type), at));
    }
  }

  Precision precision_;
  StepTrace& trace_;
  std::uintptr_t next_ = std::uintptr_t(1) << 20;
  std::map<std::uintptr_t, std::size_t> allocations_;
};

}  // namespace

std::map<std::string, double> StepTrace::bytes_by_class() const {
  std::map<std::string, double> by_class;
  for (const TracedPass& p : passes) by_class[p.layer_class] += p.bytes;
  return by_class;
}

StepTrace trace_step(const Model& model, Precision precision, TypeRules rules) {
  StepTrace trace;
  TracingDevice device(precision, trace);
  TrainingStep step(device, model, 1, rules);
  step.profiled_step([&](const char* layer_class, const std::function<void()>& issue) {
    device.layer_class = layer_class;
    issue();
  });
  return trace;
}

}  // namespace scalebench
