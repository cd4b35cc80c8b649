// GPU telemetry sampled in the background during a measured phase: power, energy, utilisation,
// memory in use and clocks, through NVML (CUDA) or ROCm SMI (HIP), both loaded at run time so the
// build needs neither. A reading the library cannot give is std::nullopt, never 0.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace scalebench {

struct TelemetrySummary {
  std::optional<double> mean_power_w;          // energy / duration, else the mean power sample
  std::optional<double> energy_j;              // energy counter difference, else integrated power
  std::optional<std::int64_t> peak_memory_bytes;  // device memory in use (all processes), peak
  std::optional<double> mean_utilization;      // fraction of time a kernel ran, 0..1
  std::optional<double> mean_sm_clock_mhz;
  std::optional<double> mean_memory_clock_mhz;
  int samples = 0;
  double duration_s = 0.0;
};

class TelemetrySampler {
 public:
  // `device_index` is the runtime's ordinal (after CUDA/HIP_VISIBLE_DEVICES); the sampler finds
  // the same GPU in NVML / ROCm SMI by its PCI bus id.
  explicit TelemetrySampler(int device_index,
                            std::chrono::milliseconds period = std::chrono::milliseconds(50));
  ~TelemetrySampler();
  TelemetrySampler(const TelemetrySampler&) = delete;
  TelemetrySampler& operator=(const TelemetrySampler&) = delete;

  // "nvml", "rocm_smi", or "" when neither library (or the GPU in it) was found.
  const std::string& source() const;
  // Driver version as the management library reports it ("" when unknown).
  std::string driver_version() const;

  // Starts sampling on a background thread (restarts if already running).
  void start();
  // Stops sampling and summarises the samples since start().
  TelemetrySummary stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace scalebench
