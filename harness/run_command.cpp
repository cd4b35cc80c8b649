// The `run` subcommand: options, output checks, the failure record, and rank 0's summary line.
#include "harness/run_command.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "harness/launch.hpp"
#include "harness/result/result.hpp"
#include "harness/run_options.hpp"
#include "harness/runner.hpp"
#include "kernels/errors.hpp"
#include "harness/plan/planned_run.hpp"

namespace scalebench {
namespace {

namespace fs = std::filesystem;

struct RunArgs {
  RunOptions options;
  std::optional<std::int64_t> batch;
  std::string plan;
  std::optional<std::int64_t> point;
  std::string fault;
  bool no_overlap = false;
};

std::string shell_join(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    const bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`;&|<>*?()[]{}!#~") == std::string::npos;
    if (!line.empty()) line += ' ';
    if (plain) {
      line += a;
    } else {
      std::string q = "'";
      for (char ch : a) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
      line += q + "'";
    }
  }
  return line;
}

FaultInjection parse_fault(const std::string& text) {
  FaultInjection f;
  if (text.empty()) return f;
  const auto at = text.find('@');
  f.mode = text.substr(0, at);
  if (at == std::string::npos || (f.mode != "exit" && f.mode != "hang" && f.mode != "corrupt")) {
    throw UsageError("--inject-fault must be exit@RANK, hang@RANK or corrupt@RANK");
  }
  f.rank = std::stoi(text.substr(at + 1));
  return f;
}

std::string default_out(const ResolvedRun& run, int world_size) {
  const RunOptions& o = run.options;
  return fmt::format("results/{}-{}-{}-{}-n{}-b{}.json", o.workload, o.strategy, run.backend,
                     o.precision, world_size * run.local_devices, run.batch_per_device);
}

// The output must be creatable now, so that a run never ends with nowhere to write.
std::optional<std::string> check_output(const fs::path& out, bool force) {
  std::error_code ec;
  if (fs::is_directory(out, ec)) return fmt::format("output '{}' is a directory", out.string());
  if (fs::exists(out, ec) && !force) {
    return fmt::format("output '{}' exists; pass --force to replace it", out.string());
  }
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  fs::create_directories(dir, ec);
  const fs::path probe = dir / fmt::format(".scalebench-probe-{}", ::getpid());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) {
    return fmt::format("cannot write output '{}': the folder '{}' is not writable or does not "
                       "exist", out.string(), dir.string());
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return std::nullopt;
}

// Rank 0 keeps a finished "failed" record ready, so that a SIGTERM from the launcher (another
// rank died, the job was cancelled or hit its time limit) still leaves a record.
struct SignalRecord {
  std::string path;
  std::string tmp;
  std::string text;
  volatile std::sig_atomic_t written = 0;
};
SignalRecord* g_signal_record = nullptr;

extern "C" void on_terminate(int sig) {
  SignalRecord* r = g_signal_record;
  if (r && !r->written) {
    const int fd = ::open(r->tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ssize_t off = 0;
      while (off < ssize_t(r->text.size())) {
        const ssize_t n = ::write(fd, r->text.data() + off, r->text.size() - off);
        if (n <= 0) break;
        off += n;
      }
      ::close(fd);
      ::rename(r->tmp.c_str(), r->path.c_str());
    }
    r->written = 1;
  }
  static const char msg[] = "scalebench: terminated by a signal; failure record written\n";
  ssize_t ignored = ::write(2, msg, sizeof msg - 1);
  (void)ignored;
  ::_exit(128 + sig);
}

void arm_signal_record(SignalRecord& sr, const ResultRecord& record, const fs::path& out) {
  ResultRecord failed = record;
  failed.status = "failed";
  failed.error =
      "terminated by a signal before the run finished: another rank failed, or the job was "
      "cancelled or reached its time limit";
  sr.path = out.string();
  sr.tmp = (out.parent_path() / ("." + out.filename().string() + ".sig")).string();
  sr.text = nlohmann::json(failed).dump(2) + "\n";
  g_signal_record = &sr;
  std::signal(SIGTERM, on_terminate);
  std::signal(SIGINT, on_terminate);
}

void print_summary(const ResultRecord& r, const std::string& out) {
  if (r.status != "ok" || !r.throughput || !r.communication) {
    std::fprintf(stderr, "scalebench: run %s: %s (record: %s)\n", r.status.c_str(),
                 r.error.value_or("").c_str(), out.c_str());
    return;
  }
  const auto& c = *r.communication;
  fmt::print(
      "{} {} on {} x {} ({}, {}): {:.1f} samples/s ({:.1f} per device), step {:.1f} ms "
      "[compute {:.1f}, all-reduce {:.1f}, exposed {:.1f} ms, overlap {:.0f}%], check {} -> {}\n",
      r.point.workload, r.point.strategy, r.point.devices, r.point.backend, r.point.precision,
      r.point.scaling == "strong" ? fmt::format("global batch {}", r.point.global_batch)
                                  : fmt::format("batch {}/device", r.point.batch_per_device),
      r.throughput->samples_per_s, r.throughput->samples_per_s_per_device, r.step->median_ms,
      r.phases.compute->median_ms, c.allreduce_ms, c.exposed_ms, 100 * c.overlap, c.check, out);
}

int execute(RunArgs& args, int argc, char** argv) {
  RunOptions& o = args.options;
  o.command_line = shell_join(argc, argv);
  if (args.batch) {
    if (*args.batch <= 0) {
      throw UsageError(fmt::format("--batch must be a positive integer, got {}", *args.batch));
    }
    o.batch = *args.batch;
  }
  o.overlap = !args.no_overlap;
  const FaultInjection fault = parse_fault(args.fault);
  if (!args.plan.empty()) {
    const std::string command_line = o.command_line;
    o = load_planned_run(args.plan, args.point);
    o.command_line = command_line;
  } else if (o.workload.empty()) {
    throw UsageError("run needs --workload NAME (or --plan FILE); see scalebench run --help");
  }

  MpiWorld world(&argc, &argv);
  const ResolvedRun run = resolve_run(o, world.size());
  const LaunchInfo launch = detect_launch(world, process_environment());
  const fs::path out = o.out.empty() ? fs::path(default_out(run, world.size())) : fs::path(o.out);

  std::optional<std::string> bad_out;
  if (world.rank() == 0) bad_out = check_output(out, o.force);
  world.set_timeout(o.timeout_s);
  if (world.any(bad_out.has_value())) {
    throw UsageError(bad_out.value_or("rank 0 cannot write the output"));
  }

  ResultRecord record = initial_record(run, launch);
  static SignalRecord signal_record;
  if (world.rank() == 0) arm_signal_record(signal_record, record, out);

  int status = 0;
  try {
    run_point(run, world, launch, fault, record);
    if (record.status != "ok") status = 1;
  } catch (const TimeoutError& e) {
    record.status = "timeout";
    record.error = fmt::format("rank {}: {}", launch.rank, e.what());
    status = 1;
  } catch (const std::exception& e) {
    record.status = "failed";
    record.error = fmt::format("rank {}: {}", launch.rank, e.what());
    status = 1;
  }
  if (world.rank() == 0) {
    record.provenance.end_time = record.provenance.end_time.empty() ? record.provenance.start_time
                                                                    : record.provenance.end_time;
    signal_record.written = 1;  // the real record replaces the prepared one
    write_result_file(record, out, true);
    print_summary(record, out.string());
  } else if (status != 0) {
    std::fprintf(stderr, "scalebench: %s\n", record.error.value_or("run failed").c_str());
  }
  if (status != 0 && world.size() > 1) {
    // Give rank 0 a moment to write its record, then end every rank (some may be stuck).
    if (world.rank() != 0) std::this_thread::sleep_for(std::chrono::seconds(2));
    world.abort(1);
  }
  return status;
}

}  // namespace

void add_run_command(CLI::App& app, int argc, char** argv) {
  auto args = std::make_shared<RunArgs>();
  RunOptions& o = args->options;
  CLI::App* run = app.add_subcommand(
      "run", "Run synthetic training steps of one point and write one result file");
  run->add_option("--workload", o.workload, "mnist_cnn, resnet50 or vit_b16");
  run->add_option("--strategy", o.strategy, "ddp (one process per device) or mirrored (one "
                                            "process per node driving all its devices)")
      ->capture_default_str();
  run->add_option("--backend", o.backend, "cpu, cuda or hip (default: the best one present)");
  run->add_option("--precision", o.precision, "fp32, tf32, bf16 or fp16")->capture_default_str();
  auto* batch = run->add_option("--batch", args->batch, "per-device batch (weak scaling; default: the workload's)");
  run->add_option("--global-batch", o.global_batch, "global batch split over all devices (strong scaling)")
      ->excludes(batch);
  run->add_option("--steps", o.steps, "measured steps per phase")->capture_default_str();
  run->add_option("--warmup", o.warmup, "warm-up steps before measuring")->capture_default_str();
  run->add_option("--image-size", o.image_size, "input size in pixels; shrinks activations, keeps every parameter");
  run->add_option("--devices", o.devices, "mirrored: devices this process drives (default: all visible; CPU: replicas)");
  run->add_option("--bucket-mb", o.bucket_mb, "ddp: gradient bucket cap in MiB")->capture_default_str();
  run->add_option("--first-bucket-mb", o.first_bucket_mb, "ddp: cap of the first bucket in MiB")->capture_default_str();
  run->add_flag("--no-overlap", args->no_overlap, "ddp: all-reduce after backward instead of during it");
  run->add_option("--packs", o.packs, "mirrored: gradient packs all-reduced after backward")->capture_default_str();
  run->add_flag("--graph", o.graph, "GPU: capture the step's compute in a CUDA/HIP graph");
  run->add_flag("--layer-times", o.layer_times,
                "after the phases, time one step by layer class (gemm, attention, normalization, "
                "elementwise, pooling, optimizer) into layer_class_ms");
  run->add_option("--timeout", o.timeout_s, "seconds any rank waits for the others before the run ends as timed out")
      ->capture_default_str();
  run->add_option("--out,-o", o.out, "result file (default: results/<point>.json)");
  run->add_flag("--force", o.force, "replace an existing result file");
  run->add_option("--label", o.label, "system label recorded in the result");
  run->add_option("--plan", args->plan, "run a point of a plan.json written by `scalebench plan`");
  run->add_option("--point", args->point, "index of the plan's point (default: from the Slurm array task)");
  run->add_option("--inject-fault", args->fault, "tests only: exit@RANK, hang@RANK or corrupt@RANK")
      ->group("");
  run->callback([args, argc, argv]() {
    const int status = execute(*args, argc, argv);
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace scalebench
