// The measured run loop: warm-up, then compute-only, communication-only and full-step phases.
#include "harness/runner.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <map>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "harness/system_info.hpp"
#include "kernels/backend.hpp"
#include "kernels/communicator_factory.hpp"
#include "kernels/cpu/cpu_device.hpp"
#include "records/errors.hpp"
#include "records/measurements.hpp"
#include "records/vocabulary.hpp"
#if defined(SCALEBENCH_HAVE_CUDA) || defined(SCALEBENCH_HAVE_HIP)
#include "kernels/gpu/gpu_device.hpp"
#include "kernels/gpu/telemetry.hpp"
#endif
#include "workloads/data_parallel.hpp"

namespace scalebench {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Times `steps` calls of `step`, each started together on every rank; a step's time is the
// slowest rank's. `own`, when given, receives this rank's own times.
template <typename Step>
std::vector<double> measure(MpiWorld& world, std::int64_t steps, Step&& step,
                            std::vector<double>* own = nullptr) {
  std::vector<double> ms;
  ms.reserve(std::size_t(steps));
  for (std::int64_t s = 0; s < steps; ++s) {
    world.barrier();
    const auto t0 = Clock::now();
    step(s);
    ms.push_back(ms_since(t0));
  }
  if (own) *own = ms;
  world.max_in_place(ms);
  return ms;
}

// The compute-only phase's parts and gradient units' ready times, step by step: [step][what],
// `what` being forward, backward, optimizer, then one ready time per unit (ms from backward's
// start). Filled on this rank, then the slowest rank's taken.
struct ComputeTimeline {
  ComputeTimeline(std::int64_t steps, std::size_t units)
      : units(units), values(std::size_t(steps) * (3 + units), 0.0) {}
  std::size_t units;
  std::vector<double> values;
  double& at(std::int64_t step, std::size_t what) { return values[std::size_t(step) * (3 + units) + what]; }
  std::vector<double> column(std::int64_t steps, std::size_t what) {
    std::vector<double> c;
    for (std::int64_t s = 0; s < steps; ++s) c.push_back(at(s, what));
    return c;
  }
};

// GPU telemetry during the full-step phase (NVML / ROCm SMI); absent on the CPU.
class TelemetryProbe {
 public:
  TelemetryProbe(Device& device, std::int64_t index) : device_(device) {
#if defined(SCALEBENCH_HAVE_CUDA) || defined(SCALEBENCH_HAVE_HIP)
    if (gpu_extras(device)) sampler_ = std::make_unique<TelemetrySampler>(int(index));
#else
    (void)index;
#endif
  }
  void start() {
#if defined(SCALEBENCH_HAVE_CUDA) || defined(SCALEBENCH_HAVE_HIP)
    if (sampler_) sampler_->start();
#endif
  }
  // `samples`: samples this device processed while sampling.
  std::optional<Telemetry> stop(std::int64_t samples) {
#if defined(SCALEBENCH_HAVE_CUDA) || defined(SCALEBENCH_HAVE_HIP)
    if (!sampler_) return std::nullopt;
    const TelemetrySummary s = sampler_->stop();
    Telemetry t;
    t.mean_power_w = s.mean_power_w;
    if (s.energy_j && samples > 0) t.energy_per_sample_j = *s.energy_j / double(samples);
    t.peak_memory_bytes = s.peak_memory_bytes;
    if (!t.peak_memory_bytes) {
      if (GpuDeviceExtras* x = gpu_extras(device_)) t.peak_memory_bytes = x->peak_allocated_bytes();
    }
    t.mean_utilization = s.mean_utilization;
    t.mean_sm_clock_mhz = s.mean_sm_clock_mhz;
    return t;
#else
    (void)samples;
    return std::nullopt;
#endif
  }

 private:
  Device& device_;
#if defined(SCALEBENCH_HAVE_CUDA) || defined(SCALEBENCH_HAVE_HIP)
  std::unique_ptr<TelemetrySampler> sampler_;
#endif
};

// One step timed piece by piece and summed by layer class: with device events on a GPU (the
// kernels' own time), with the host clock around a synchronised piece on the CPU.
std::map<std::string, double> time_by_layer_class(TrainingStep& step, Device& device) {
  std::map<std::string, double> by_class;
  device.synchronize();
#if defined(SCALEBENCH_HAVE_CUDA) || defined(SCALEBENCH_HAVE_HIP)
  if (GpuDeviceExtras* gpu = gpu_extras(device)) {
    // A ~0.1 ms copy-like pass queued ahead of each piece keeps the GPU busy while the host
    // enqueues the start event, the piece's kernels and the end event, so the events measure the
    // kernels and not the host's launch latency.
    const std::size_t pad_bytes = std::size_t(128) << 20;
    const std::int64_t pad_elems = std::int64_t(pad_bytes / dtype_bytes(device.activation_type()));
    DeviceBuffer pad_src(device, pad_bytes), pad_dst(device, pad_bytes);
    device.fill_random(pad_src.get(), std::size_t(pad_elems), device.activation_type(), 5, 1.0f);
    MemoryPass pad;
    pad.kind = PassKind::unary;
    pad.src = pad_src.get();
    pad.dst = pad_dst.get();
    pad.src_count = pad.dst_count = pad_elems;
    step.profiled_step([&](const char* cls, const std::function<void()>& issue) {
      device.memory_pass(pad);
      by_class[cls] += gpu->time_ms(issue);
    });
    return by_class;
  }
#endif
  step.profiled_step([&](const char* cls, const std::function<void()>& issue) {
    const auto t0 = Clock::now();
    issue();
    device.synchronize();
    by_class[cls] += ms_since(t0);
  });
  return by_class;
}

[[noreturn]] void inject(const FaultInjection& fault) {
  if (fault.mode == "exit") {
    std::fprintf(stderr, "scalebench: rank %d exits on purpose (fault injection)\n", fault.rank);
    std::_Exit(3);
  }
  std::fprintf(stderr,
               "scalebench: rank %d stops answering on purpose in the %s phase (fault injection: "
               "%s)\n",
               fault.rank, fault.phase.c_str(), fault.mode.c_str());
  if (fault.mode == "kill") std::raise(SIGKILL);
  if (fault.mode == "stop") std::raise(SIGSTOP);
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(60));
}

std::string gib(std::int64_t bytes) { return fmt::format("{:.2f} GiB", double(bytes) / (1 << 30)); }

// Refuses a step that cannot fit, before allocating it (an allocation that fails half-way, or the
// kernel's OOM killer, says much less). A GPU holds one replica; on the CPU every replica of every
// rank on this node shares the host's memory.
void check_step_memory(const std::vector<std::unique_ptr<Device>>& devices, const Model& model,
                       int local_ranks, const std::string& backend) {
  const Device& device = *devices.front();
  const std::int64_t per_replica = TrainingStep::device_bytes(device, model);
  const bool host = backend == "cpu";
  const std::int64_t replicas = host ? std::int64_t(devices.size()) * local_ranks : 1;
  const std::int64_t available = device.available_memory_bytes();
  if (available <= 0 || per_replica * replicas <= available) return;
  throw RunError(fmt::format(
      "the step does not fit: {} replica{} of {} at batch {} need {} ({} bytes){}, and {} has {} "
      "({} bytes) available; use a smaller --batch or --image-size",
      replicas, replicas == 1 ? "" : "s", model.workload, model.batch, gib(per_replica * replicas),
      per_replica * replicas, host ? " of host memory" : "", host ? "this node" : "the device",
      gib(available), available));
}

}  // namespace

ResolvedRun resolve_run(const RunOptions& options, int world_size) {
  ResolvedRun run;
  run.options = options;
  const WorkloadInfo& info = find_workload(options.workload);
  const auto precision = parse_precision(options.precision);
  if (!precision) {
    throw UsageError(fmt::format("unknown precision '{}' (valid: {})", options.precision,
                                 vocabulary::joined(vocabulary::kPrecisions)));
  }
  const StrategyInfo& strategy = find_strategy(options.strategy);
  run.backend = options.backend.empty() ? best_backend() : options.backend;
  const auto built = built_backends();
  if (run.backend != "cpu" && std::find(built.begin(), built.end(), run.backend) != built.end() &&
      visible_devices(run.backend) == 0) {
    throw UsageError(fmt::format("backend '{}' is built but no {} device is visible to this process",
                                 run.backend, run.backend));
  }
  // Creating a device validates the backend name, that it was built, and the precision.
  (void)make_device(run.backend, *precision, 0);

  if (options.steps <= 0) {
    throw UsageError(fmt::format("--steps must be a positive integer, got {}", options.steps));
  }
  if (options.warmup < 0) {
    throw UsageError(fmt::format("--warmup must be 0 or more, got {}", options.warmup));
  }
  if (options.timeout_s <= 0) {
    throw UsageError(fmt::format("--timeout must be a positive number of seconds, got {}",
                                 options.timeout_s));
  }
  if (options.bucket_mb <= 0 || options.first_bucket_mb <= 0) {
    throw UsageError("--bucket-mb and --first-bucket-mb must be positive");
  }
  if (options.packs <= 0) {
    throw UsageError(fmt::format("--packs must be a positive integer, got {}", options.packs));
  }

  if (options.graph && run.backend == "cpu") {
    throw UsageError("--graph needs a GPU backend (cuda or hip); the cpu backend has no graphs");
  }
  const int visible = visible_devices(run.backend);
  if (strategy.layout == ProcessLayout::per_node) {
    const std::int64_t want = options.devices.value_or(run.backend == "cpu" ? 1 : visible);
    if (want <= 0) {
      throw UsageError(fmt::format("--devices must be a positive integer, got {}", want));
    }
    if (run.backend != "cpu" && want > visible) {
      throw UsageError(fmt::format("--devices {} asks for more {} devices than the {} visible",
                                   want, run.backend, visible));
    }
    if (run.backend == "cpu" && want > 64) {
      throw UsageError(fmt::format("--devices {}: at most 64 CPU replicas", want));
    }
    run.local_devices = int(want);
  } else if (options.devices && *options.devices != 1) {
    throw UsageError(fmt::format(
        "--devices is for a strategy with one process per node; {} runs one process per device",
        strategy.name));
  }

  const std::int64_t total_devices = std::int64_t(world_size) * run.local_devices;
  if (options.global_batch) {
    if (options.batch != 0) {
      throw UsageError("give either --batch (per device) or --global-batch, not both");
    }
    const std::int64_t g = *options.global_batch;
    if (g <= 0 || g % total_devices != 0) {
      throw UsageError(fmt::format(
          "--global-batch {} does not divide evenly over {} devices (allowed: a positive multiple "
          "of {})",
          g, total_devices, total_devices));
    }
    run.batch_per_device = g / total_devices;
  } else {
    if (options.batch < 0) {
      throw UsageError(fmt::format("--batch must be a positive integer, got {}", options.batch));
    }
    run.batch_per_device = options.batch > 0 ? options.batch : info.default_batch;
  }
  run.image_size = options.image_size.value_or(info.default_image_size);
  (void)build_model(info, run.batch_per_device, run.image_size);  // validates batch and image size
  return run;
}

ResultRecord initial_record(const ResolvedRun& run, const LaunchInfo& launch) {
  const RunOptions& o = run.options;
  ResultRecord r;
  r.status = "failed";
  r.error = "the run did not finish";
  RunPoint& p = r.point;
  p.workload = o.workload;
  p.strategy = o.strategy;
  p.backend = run.backend;
  p.precision = o.precision;
  p.batch_per_device = run.batch_per_device;
  p.devices = std::int64_t(launch.size) * run.local_devices;
  p.global_batch = p.batch_per_device * p.devices;
  p.scaling = o.global_batch ? "strong" : "weak";
  p.nodes = launch.nodes;
  p.devices_per_node = p.devices / std::max(1, launch.nodes);
  p.world_size = launch.size;
  p.image_size = run.image_size;
  p.steps = o.steps;
  p.warmup = o.warmup;
  p.options = find_strategy(o.strategy).recorded_options(o.strategy_options(run.local_devices));
  p.cluster = o.cluster;
  p.label = o.label;
  const Model model = build_model(find_workload(o.workload), 1, run.image_size);
  r.model.parameters = model.parameters();
  r.model.forward_flops_per_sample = model.forward_flops();
  r.model.layers = std::int64_t(model.layers.size());
  r.model.gradient_bytes = model.parameters() * std::int64_t(sizeof(float));
  r.provenance = make_provenance(o.command_line);
  r.system.hostname = launch.host;
  return r;
}

void run_point(const ResolvedRun& run, MpiWorld& world, const LaunchInfo& launch,
               const FaultInjection& fault, ResultRecord& record) {
  const RunOptions& o = run.options;
  world.set_timeout(o.timeout_s);
  const Precision precision = *parse_precision(o.precision);
  const Model model = build_model(find_workload(o.workload), run.batch_per_device, run.image_size);

  if (run.backend == "cpu") configure_cpu_threads(launch.local_size);
  // Devices: one process per device drives the device of its local rank; one process per node
  // drives devices 0..n-1.
  const StrategyInfo& strategy = find_strategy(o.strategy);
  std::vector<std::unique_ptr<Device>> devices;
  std::vector<Device*> device_ptrs;
  std::vector<std::int64_t> device_indices;
  if (strategy.layout == ProcessLayout::per_device) {
    const int index = device_for_rank(launch, visible_devices(run.backend), run.backend);
    devices.push_back(make_device(run.backend, precision, index));
    device_indices.push_back(index);
  } else {
    for (int j = 0; j < run.local_devices; ++j) {
      devices.push_back(make_device(run.backend, precision, j));
      device_indices.push_back(j);
    }
  }
  for (auto& d : devices) device_ptrs.push_back(d.get());
  check_step_memory(devices, model, launch.local_size, run.backend);

  std::vector<std::unique_ptr<TrainingStep>> replicas;
  std::vector<TrainingStep*> replica_ptrs;
  for (std::size_t j = 0; j < devices.size(); ++j) {
    const std::uint64_t seed = 1000003ULL * std::uint64_t(launch.rank * 64 + int(j) + 1);
    replicas.push_back(std::make_unique<TrainingStep>(*devices[j], model, seed));
    replica_ptrs.push_back(replicas.back().get());
  }
  auto comm = make_communicator(run.backend, world.comm(), device_ptrs, o.timeout_s);
  StrategyConfig config = make_strategy(strategy, model, o.strategy_options(run.local_devices));
  DataParallel dp(std::move(config), replica_ptrs, *comm, launch.rank * run.local_devices);

  // System facts from every rank.
  fill_system(record.system, *devices.front(), *comm, world, launch, device_indices);

  for (std::int64_t s = 0; s < o.warmup; ++s) {
    dp.full_step();
    dp.synchronize();
  }
  if (o.graph) {
    // Captured after the warm-up (libraries allocate their workspaces on first use, which a
    // capture does not allow), then replayed once before measuring.
    dp.capture_graphs();
    dp.full_step();
    dp.synchronize();
  }
  world.barrier();

  const bool faulty = fault.rank == launch.rank && fault.mode != "" && fault.mode != "corrupt";
  const auto strike = [&](const char* phase, std::int64_t s) {
    if (faulty && fault.phase == phase && s == o.steps / 2) inject(fault);
  };
  // The compute-only phase, its parts synchronised and timed as they end (a host clock read and a
  // device synchronisation per part and per gradient unit).
  const std::size_t n_units = dp.config().units.size();
  ComputeTimeline timeline(o.steps, n_units);
  bool units_marked = false;
  const auto compute_ms = measure(world, o.steps, [&](std::int64_t s) {
    strike("compute", s);
    const auto t0 = Clock::now();
    auto backward_start = t0;
    ComputeMarks marks;
    marks.part_done = [&](ComputeMarks::Part part) {
      const auto now = Clock::now();
      const auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
      if (part == ComputeMarks::Part::forward) {
        timeline.at(s, 0) = ms(t0, now);
        backward_start = now;
      } else if (part == ComputeMarks::Part::backward) {
        timeline.at(s, 1) = ms(backward_start, now);
      } else {
        timeline.at(s, 2) = ms(t0, now) - timeline.at(s, 0) - timeline.at(s, 1);
      }
    };
    marks.unit_ready = [&](std::size_t unit) {
      units_marked = true;
      timeline.at(s, 3 + unit) = ms_since(backward_start);
    };
    dp.compute_step(&marks);
    dp.synchronize();
  });
  const bool parts_timed = !dp.graphs();
  world.max_in_place(timeline.values);
  units_marked = !world.any(!units_marked);

  // Communication only, bucket by bucket, each after an untimed barrier: a rank that leaves a
  // large bucket early would otherwise charge its drain to the next one. A bucket's time is the
  // slowest rank's; a step of the phase is the sum of its buckets' times.
  std::vector<double> unit_ms(std::size_t(o.steps) * n_units);
  for (std::int64_t s = 0; s < o.steps; ++s) {
    strike("communication", s);
    for (std::size_t u = 0; u < n_units; ++u) {
      world.barrier();
      const auto t0 = Clock::now();
      dp.allreduce_unit(u);
      dp.synchronize();
      unit_ms[std::size_t(s) * n_units + u] = ms_since(t0);
    }
  }
  world.max_in_place(unit_ms);
  std::vector<BucketTiming> buckets;
  for (std::size_t u = 0; u < n_units; ++u) {
    const GradientUnit& gu = dp.config().units[u];
    BucketTiming& t = buckets.emplace_back(BucketTiming{gu.index, gu.bytes(), gu.tensors, {}, {}});
    for (std::int64_t s = 0; s < o.steps; ++s) t.step_ms.push_back(unit_ms[std::size_t(s) * n_units + u]);
    if (units_marked) t.ready_ms = timeline.column(o.steps, 3 + u);
  }

  TelemetryProbe probe(*devices.front(), device_indices.front());
  probe.start();
  std::vector<double> own_full_ms;
  const auto full_ms = measure(
      world, o.steps,
      [&](std::int64_t s) {
        strike("full", s);
        dp.full_step();
        dp.synchronize();
      },
      &own_full_ms);
  record.telemetry = probe.stop(run.batch_per_device * o.steps);
  // Gathered after the telemetry window: the collective is no part of the measured phase.
  const std::vector<std::vector<double>> full_by_rank = world.gather_doubles(own_full_ms);

  if (o.layer_times) {
    record.layer_class_ms = time_by_layer_class(*replicas.front(), *devices.front());
  }

  const std::optional<std::string> mismatch =
      dp.check(fault.mode == "corrupt" ? fault.rank * run.local_devices : -1);
  const bool any_mismatch = world.any(mismatch.has_value());

  // The record (meaningful on rank 0, which writes it).
  RunMeasurements in{.compute_ms = compute_ms,
                     .communication_ms = phase_from_buckets(buckets),
                     .full_ms = full_ms,
                     .forward_ms = parts_timed ? timeline.column(o.steps, 0) : std::vector<double>{},
                     .backward_ms = parts_timed ? timeline.column(o.steps, 1) : std::vector<double>{},
                     .optimizer_ms = parts_timed ? timeline.column(o.steps, 2) : std::vector<double>{},
                     .full_by_rank = full_by_rank,
                     .keep_samples = o.samples,
                     .buckets = std::move(buckets),
                     .participants = comm->wire_participants(),
                     .gradient_bytes = double(record.model.gradient_bytes),
                     .global_batch = record.point.global_batch,
                     .devices = record.point.devices};
  MeasuredFields measured = measure_run(in);
  measured.communication.check = any_mismatch ? "failed" : "passed";
  measured.communication.algorithm = comm->algorithm();
  put_measurements(measured, record);
  record.status = any_mismatch ? "failed" : "ok";
  record.error.reset();
  // Each rank names itself; rank 0 names the first rank whose check failed.
  const auto messages = world.gather_strings(mismatch.value_or(""));
  if (any_mismatch) {
    std::size_t failing = std::size_t(launch.rank);
    std::string what = mismatch.value_or("");
    for (std::size_t r = 0; r < messages.size() && what.empty(); ++r) {
      failing = r;
      what = messages[r];
    }
    record.error = what.empty() ? std::string("all-reduce check failed on another rank")
                                : fmt::format("all-reduce check failed on rank {}: {}", failing, what);
  }
  record.provenance.end_time = utc_now_iso();
}

}  // namespace scalebench
