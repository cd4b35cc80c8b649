// Telemetry sources (NVML, ROCm SMI) opened with dlopen, and the sampling thread.
// The few NVML / ROCm SMI entry points are declared here with their stable C signatures, so the
// build needs neither header nor library; a GPU without either simply reports no telemetry.
#include "kernels/gpu/telemetry.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels/gpu/gpu_runtime.h"

namespace scalebench {
namespace {

struct Reading {
  std::chrono::steady_clock::time_point time;
  std::optional<double> power_w;
  std::optional<double> energy_j;  // cumulative counter
  std::optional<std::int64_t> memory_used_bytes;
  std::optional<double> utilization_pct;
  std::optional<double> sm_clock_mhz;
  std::optional<double> memory_clock_mhz;
};

class Source {
 public:
  virtual ~Source() = default;
  virtual Reading read() = 0;
  virtual std::string driver_version() const { return ""; }
};

// A shared library opened for the source's lifetime.
class Library {
 public:
  explicit Library(std::initializer_list<const char*> names) {
    for (const char* n : names) {
      handle_ = dlopen(n, RTLD_NOW | RTLD_LOCAL);
      if (handle_) break;
    }
  }
  ~Library() {
    if (handle_) dlclose(handle_);
  }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  explicit operator bool() const { return handle_ != nullptr; }
  template <typename F>
  F symbol(const char* name) const {
    return handle_ ? reinterpret_cast<F>(dlsym(handle_, name)) : nullptr;
  }

 private:
  void* handle_ = nullptr;
};

std::string pci_bus_id(int device_index) {
  char bus[64] = {};
  if (gpuDeviceGetPCIBusId(bus, sizeof bus, device_index) != gpuSuccess) {
    (void)gpuGetLastError();
    return "";
  }
  return bus;
}

// ----------------------------------------------------------------------------------- NVML
// nvml.h (CUDA 13): nvmlReturn_t is an int enum, NVML_SUCCESS = 0; nvmlDevice_t is a pointer.
using nvmlReturn = int;
using nvmlDevice = struct nvmlDevice_st*;
struct NvmlUtilization {
  unsigned int gpu;
  unsigned int memory;
};
struct NvmlMemory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
constexpr int kNvmlClockSm = 1;
constexpr int kNvmlClockMem = 2;

class NvmlSource final : public Source {
 public:
  static std::unique_ptr<Source> open(int device_index) {
    auto s = std::unique_ptr<NvmlSource>(new NvmlSource());
    if (!s->lib_) return nullptr;
    auto init = s->lib_.symbol<nvmlReturn (*)()>("nvmlInit_v2");
    auto by_bus = s->lib_.symbol<nvmlReturn (*)(const char*, nvmlDevice*)>("nvmlDeviceGetHandleByPciBusId_v2");
    s->shutdown_ = s->lib_.symbol<nvmlReturn (*)()>("nvmlShutdown");
    if (!init || !by_bus || init() != 0) return nullptr;
    s->initialised_ = true;
    const std::string bus = pci_bus_id(device_index);
    if (bus.empty() || by_bus(bus.c_str(), &s->device_) != 0) return nullptr;
    s->power_ = s->lib_.symbol<nvmlReturn (*)(nvmlDevice, unsigned int*)>("nvmlDeviceGetPowerUsage");
    s->energy_ = s->lib_.symbol<nvmlReturn (*)(nvmlDevice, unsigned long long*)>("nvmlDeviceGetTotalEnergyConsumption");
    s->util_ = s->lib_.symbol<nvmlReturn (*)(nvmlDevice, NvmlUtilization*)>("nvmlDeviceGetUtilizationRates");
    s->memory_ = s->lib_.symbol<nvmlReturn (*)(nvmlDevice, NvmlMemory*)>("nvmlDeviceGetMemoryInfo");
    s->clock_ = s->lib_.symbol<nvmlReturn (*)(nvmlDevice, int, unsigned int*)>("nvmlDeviceGetClockInfo");
    s->driver_ = s->lib_.symbol<nvmlReturn (*)(char*, unsigned int)>("nvmlSystemGetDriverVersion");
    return s;
  }

  ~NvmlSource() override {
    if (initialised_ && shutdown_) shutdown_();
  }

  Reading read() override {
    Reading r;
    r.time = std::chrono::steady_clock::now();
    unsigned int mw = 0, mhz = 0;
    unsigned long long mj = 0;
    NvmlUtilization util{};
    NvmlMemory mem{};
    if (power_ && power_(device_, &mw) == 0) r.power_w = mw / 1000.0;
    if (energy_ && energy_(device_, &mj) == 0) r.energy_j = double(mj) / 1000.0;
    if (util_ && util_(device_, &util) == 0) r.utilization_pct = util.gpu;
    if (memory_ && memory_(device_, &mem) == 0) r.memory_used_bytes = std::int64_t(mem.used);
    if (clock_ && clock_(device_, kNvmlClockSm, &mhz) == 0) r.sm_clock_mhz = mhz;
    if (clock_ && clock_(device_, kNvmlClockMem, &mhz) == 0) r.memory_clock_mhz = mhz;
    return r;
  }

  std::string driver_version() const override {
    char v[96] = {};
    return driver_ && driver_(v, sizeof v) == 0 ? std::string(v) : std::string();
  }

 private:
  NvmlSource() : lib_({"libnvidia-ml.so.1", "libnvidia-ml.so"}) {}
  Library lib_;
  bool initialised_ = false;
  nvmlDevice device_ = nullptr;
  nvmlReturn (*shutdown_)() = nullptr;
  nvmlReturn (*power_)(nvmlDevice, unsigned int*) = nullptr;
  nvmlReturn (*energy_)(nvmlDevice, unsigned long long*) = nullptr;
  nvmlReturn (*util_)(nvmlDevice, NvmlUtilization*) = nullptr;
  nvmlReturn (*memory_)(nvmlDevice, NvmlMemory*) = nullptr;
  nvmlReturn (*clock_)(nvmlDevice, int, unsigned int*) = nullptr;
  nvmlReturn (*driver_)(char*, unsigned int) = nullptr;
};

// ------------------------------------------------------------------------------ ROCm SMI
// rocm_smi.h: rsmi_status_t is an int enum, RSMI_STATUS_SUCCESS = 0; devices are indices.
// Clocks are left out: rsmi_frequencies_t changed layout between ROCm 5 and 6.
using rsmiStatus = int;
constexpr int kRsmiMemVram = 0;

class RocmSmiSource final : public Source {
 public:
  static std::unique_ptr<Source> open(int device_index) {
    auto s = std::unique_ptr<RocmSmiSource>(new RocmSmiSource());
    if (!s->lib_) return nullptr;
    auto init = s->lib_.symbol<rsmiStatus (*)(std::uint64_t)>("rsmi_init");
    auto count = s->lib_.symbol<rsmiStatus (*)(std::uint32_t*)>("rsmi_num_monitor_devices");
    auto pci = s->lib_.symbol<rsmiStatus (*)(std::uint32_t, std::uint64_t*)>("rsmi_dev_pci_id_get");
    s->shutdown_ = s->lib_.symbol<rsmiStatus (*)()>("rsmi_shut_down");
    if (!init || !count || !pci || init(0) != 0) return nullptr;
    s->initialised_ = true;
    // Match the runtime's PCI address "DDDD:BB:DD.F" with ROCm SMI's BDF id.
    unsigned domain = 0, bus = 0, dev = 0, fn = 0;
    const std::string id = pci_bus_id(device_index);
    if (std::sscanf(id.c_str(), "%x:%x:%x.%x", &domain, &bus, &dev, &fn) != 4) return nullptr;
    const std::uint64_t want = (std::uint64_t(domain) << 32) | (bus << 8) | ((dev & 0x1f) << 3) | (fn & 0x7);
    std::uint32_t n = 0;
    if (count(&n) != 0) return nullptr;
    bool found = false;
    for (std::uint32_t i = 0; i < n && !found; ++i) {
      std::uint64_t bdf = 0;
      // Bits 28..31 carry a partition id on newer parts: compare domain, bus, device, function.
      if (pci(i, &bdf) == 0 && (bdf & 0xffffffff0000ffffULL) == want) {
        s->device_ = i;
        found = true;
      }
    }
    if (!found) return nullptr;
    s->socket_power_ = s->lib_.symbol<rsmiStatus (*)(std::uint32_t, std::uint64_t*)>("rsmi_dev_current_socket_power_get");
    s->power_ave_ = s->lib_.symbol<rsmiStatus (*)(std::uint32_t, std::uint32_t, std::uint64_t*)>("rsmi_dev_power_ave_get");
    s->energy_ = s->lib_.symbol<rsmiStatus (*)(std::uint32_t, std::uint64_t*, float*, std::uint64_t*)>("rsmi_dev_energy_count_get");
    s->busy_ = s->lib_.symbol<rsmiStatus (*)(std::uint32_t, std::uint32_t*)>("rsmi_dev_busy_percent_get");
    s->memory_ = s->lib_.symbol<rsmiStatus (*)(std::uint32_t, int, std::uint64_t*)>("rsmi_dev_memory_usage_get");
    return s;
  }

  ~RocmSmiSource() override {
    if (initialised_ && shutdown_) shutdown_();
  }

  Reading read() override {
    Reading r;
    r.time = std::chrono::steady_clock::now();
    std::uint64_t uw = 0, counter = 0, stamp = 0, used = 0;
    std::uint32_t busy = 0;
    float resolution_uj = 0.0f;
    if (socket_power_ && socket_power_(device_, &uw) == 0) r.power_w = double(uw) / 1e6;
    else if (power_ave_ && power_ave_(device_, 0, &uw) == 0) r.power_w = double(uw) / 1e6;
    if (energy_ && energy_(device_, &counter, &resolution_uj, &stamp) == 0) {
      r.energy_j = double(counter) * double(resolution_uj) / 1e6;
    }
    if (busy_ && busy_(device_, &busy) == 0) r.utilization_pct = busy;
    if (memory_ && memory_(device_, kRsmiMemVram, &used) == 0) r.memory_used_bytes = std::int64_t(used);
    return r;
  }

 private:
  RocmSmiSource()
      : lib_({"librocm_smi64.so.1", "librocm_smi64.so.7", "librocm_smi64.so.6", "librocm_smi64.so.5",
              "librocm_smi64.so"}) {}
  Library lib_;
  bool initialised_ = false;
  std::uint32_t device_ = 0;
  rsmiStatus (*shutdown_)() = nullptr;
  rsmiStatus (*socket_power_)(std::uint32_t, std::uint64_t*) = nullptr;
  rsmiStatus (*power_ave_)(std::uint32_t, std::uint32_t, std::uint64_t*) = nullptr;
  rsmiStatus (*energy_)(std::uint32_t, std::uint64_t*, float*, std::uint64_t*) = nullptr;
  rsmiStatus (*busy_)(std::uint32_t, std::uint32_t*) = nullptr;
  rsmiStatus (*memory_)(std::uint32_t, int, std::uint64_t*) = nullptr;
};

std::optional<double> mean_of(const std::vector<Reading>& rs, std::optional<double> Reading::*field) {
  double sum = 0.0;
  int n = 0;
  for (const Reading& r : rs) {
    if (r.*field) {
      sum += *(r.*field);
      ++n;
    }
  }
  return n ? std::optional<double>(sum / n) : std::nullopt;
}

}  // namespace

struct TelemetrySampler::Impl {
  std::unique_ptr<Source> source;
  std::string source_name;
  std::chrono::milliseconds period{50};
  std::thread thread;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::vector<Reading> readings;

  void run() {
    std::unique_lock<std::mutex> lock(mutex);
    while (!stopping) {
      lock.unlock();
      Reading r = source->read();
      lock.lock();
      readings.push_back(r);
      wake.wait_for(lock, period, [this] { return stopping; });
    }
  }

  void join() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    if (thread.joinable()) thread.join();
  }
};

TelemetrySampler::TelemetrySampler(int device_index, std::chrono::milliseconds period)
    : impl_(std::make_unique<Impl>()) {
  impl_->period = period;
#if defined(SCALEBENCH_HAVE_HIP)
  impl_->source = RocmSmiSource::open(device_index);
  if (impl_->source) impl_->source_name = "rocm_smi";
#else
  impl_->source = NvmlSource::open(device_index);
  if (impl_->source) impl_->source_name = "nvml";
#endif
}

TelemetrySampler::~TelemetrySampler() { impl_->join(); }

const std::string& TelemetrySampler::source() const { return impl_->source_name; }

std::string TelemetrySampler::driver_version() const {
  return impl_->source ? impl_->source->driver_version() : std::string();
}

void TelemetrySampler::start() {
  impl_->join();
  impl_->readings.clear();
  impl_->stopping = false;
  if (!impl_->source) return;
  impl_->thread = std::thread([this] { impl_->run(); });
}

TelemetrySummary TelemetrySampler::stop() {
  impl_->join();
  TelemetrySummary s;
  std::vector<Reading>& rs = impl_->readings;
  if (!impl_->source || rs.empty()) return s;
  rs.push_back(impl_->source->read());  // the end of the window
  s.samples = int(rs.size());
  s.duration_s = std::chrono::duration<double>(rs.back().time - rs.front().time).count();

  if (rs.front().energy_j && rs.back().energy_j && s.duration_s > 0.0) {
    s.energy_j = *rs.back().energy_j - *rs.front().energy_j;
    s.mean_power_w = *s.energy_j / s.duration_s;
  } else {
    s.mean_power_w = mean_of(rs, &Reading::power_w);
    // Trapezoids between consecutive power samples.
    double joules = 0.0;
    bool any = false;
    for (std::size_t i = 1; i < rs.size(); ++i) {
      if (rs[i].power_w && rs[i - 1].power_w) {
        joules += 0.5 * (*rs[i].power_w + *rs[i - 1].power_w) *
                  std::chrono::duration<double>(rs[i].time - rs[i - 1].time).count();
        any = true;
      }
    }
    if (any) s.energy_j = joules;
  }
  for (const Reading& r : rs) {
    if (r.memory_used_bytes) s.peak_memory_bytes = std::max(s.peak_memory_bytes.value_or(0), *r.memory_used_bytes);
  }
  if (const auto u = mean_of(rs, &Reading::utilization_pct)) s.mean_utilization = *u / 100.0;
  s.mean_sm_clock_mhz = mean_of(rs, &Reading::sm_clock_mhz);
  s.mean_memory_clock_mhz = mean_of(rs, &Reading::memory_clock_mhz);
  return s;
}

}  // namespace scalebench
