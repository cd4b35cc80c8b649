// Writes the seed corpora of the fuzz targets from scalebench's own writers: result records
// (write_result_file), plans (make_plan + plan_to_json under every profile in configs/clusters,
// and --until-knee plans with an until_knee.json for the Slurm ones),
// the profiles themselves, and Google Benchmark output from Google Benchmark's JSON reporter.
// Also writes one libFuzzer dictionary per corpus: every key and string value in its seeds.
// Usage: make_seeds OUT_DIR SOURCE_DIR
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "records/cluster_profile.hpp"
#include "harness/plan/plan.hpp"
#include "records/until_knee.hpp"
#include "records/json_text.hpp"
#include "records/measurements.hpp"
#include "records/result.hpp"
#include "records/errors.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace scalebench;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<ResultRecord> records() {
  ResultRecord ok;
  ok.point = {.workload = "resnet50", .strategy = "ddp", .backend = "cuda", .precision = "bf16",
              .batch_per_device = 64, .global_batch = 256, .devices = 4, .nodes = 1,
              .devices_per_node = 4, .world_size = 4, .image_size = 224, .steps = 20,
              .warmup = 5, .options = {{"bucket_mb", 25}, {"overlap", true}},
              .cluster = "mahti", .label = "Mahti A100"};
  ok.model = {25557032, 4.1e9, 161, 102228128};
  // The measured fields as a run derives them, from 20 steps of each phase.
  const auto steps = [](double median_ms, double spread_ms) {
    std::vector<double> ms;
    for (int s = 0; s < 20; ++s) ms.push_back(median_ms + spread_ms * ((s * 7) % 20 - 10) / 10.0);
    return ms;
  };
  RunMeasurements in;
  in.compute_ms = steps(90, 3);
  in.communication_ms = steps(30, 2);
  in.full_ms = steps(100, 8);
  in.buckets = {{0, 1 << 20, 3, steps(0.5, 0.05)}, {1, 25 << 20, 40, steps(6.2, 0.4)}};
  in.participants = 4;
  in.gradient_bytes = double(ok.model.gradient_bytes);
  in.global_batch = ok.point.global_batch;
  in.devices = ok.point.devices;
  MeasuredFields measured = measure_run(in);
  measured.communication.check = "passed";
  put_measurements(measured, ok);
  Telemetry t;
  t.mean_power_w = 250.5;
  t.peak_memory_bytes = 12345678901;
  t.mean_utilization = 0.93;
  ok.telemetry = t;
  ok.layer_class_ms = std::map<std::string, double>{{"conv", 60.5}, {"norm", 12.25}};
  ok.system.hostname = "g1101";
  ok.system.cpu_model = "AMD EPYC 7H12";
  ok.system.gpu_model = "NVIDIA A100-SXM4-40GB";
  ok.system.device_memory_bytes = 42949672960;
  ok.system.versions = {{"cuda", "12.2"}, {"nccl", "2.18.3"}, {"mpi", "Open MPI 4.1.4"},
                        {"communicator", "nccl"}};
  ok.system.ranks = {RankRecord{0, "g1101", {0}}, RankRecord{1, "g1101", {1}}};
  ok.provenance = {"0.2.0", "abcdef123456", "scalebench run --plan plan.json", "2024-01-01T00:00:00Z",
                   "2024-01-01T00:01:00Z", SlurmRecord{"123", "120", "3", "g[1101-1102]"},
                   {{"NCCL_DEBUG", "WARN"}, {"CUDA_VISIBLE_DEVICES", "0,1"}, {"OMP_NUM_THREADS", "8"},
                    {"LOADEDMODULES", "gcc/12.2.0:openmpi/4.1.4:cuda/12.2"}}};

  ResultRecord failed;
  failed.status = "failed";
  failed.error = "NCCL error: unhandled system error";
  failed.point = {.workload = "vit_b16", .strategy = "mirrored", .backend = "hip",
                  .precision = "fp16", .batch_per_device = 0, .global_batch = 512,
                  .scaling = "strong", .devices = 16, .nodes = 2, .devices_per_node = 8};
  ResultRecord timeout = ok;
  timeout.status = "timeout";
  timeout.error = "all-reduce did not finish within 10 s";
  timeout.communication.reset();
  timeout.telemetry.reset();
  timeout.layer_class_ms.reset();
  timeout.provenance.slurm.reset();
  ResultRecord cpu;
  cpu.point = {.workload = "mnist_cnn", .strategy = "ddp", .backend = "cpu", .precision = "fp32",
               .batch_per_device = 2, .global_batch = 2, .image_size = 28, .steps = 2,
               .warmup = 1};
  cpu.step = StepStats{1.5, 1.4, 1.7, 1.5, 0.1, 1.4, 1.7, 2};
  return {ok, failed, timeout, cpu};
}

plan::WorkloadCatalog catalog() {
  plan::WorkloadCatalog c;
  c.check = [](const std::string& w) {
    if (w != "mnist_cnn" && w != "resnet50" && w != "vit_b16") throw UsageError("unknown workload");
  };
  c.default_batch = [](const std::string& w) -> std::int64_t { return w == "mnist_cnn" ? 64 : 32; };
  c.forward_flops_per_sample = [](const std::string& w, std::optional<std::int64_t>) {
    return w == "mnist_cnn" ? 24e6 : w == "resnet50" ? 4.1e9 : 17.6e9;
  };
  return c;
}

// Google Benchmark's own JSON reporter, fed a benchmark with the all-reduce bench's counters.
void bm_allreduce(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(state.iterations());
  const double bytes = static_cast<double>(state.range(0));
  state.counters["bytes"] = bytes;
  state.counters["algbw_gbps"] = bytes / 1e4;
  state.counters["busbw_gbps"] = bytes / 1e4 * 1.5;
}

void google_benchmark_json(const fs::path& out, int repetitions) {
  benchmark::ClearRegisteredBenchmarks();
  benchmark::RegisterBenchmark("BM_AllReduce", bm_allreduce)
      ->RangeMultiplier(64)->Range(1024, 1 << 24)->Iterations(2)->Repetitions(repetitions)
      ->UseRealTime();
  std::ofstream file(out);
  benchmark::JSONReporter reporter;
  reporter.SetOutputStream(&file);
  reporter.SetErrorStream(&std::cerr);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  file.close();
  if (!file) throw std::runtime_error("cannot write " + out.string());
}

std::string dict_entry(const std::string& s) {
  std::string e = "\"";
  for (unsigned char ch : s) {
    if (ch == '\\' || ch == '"') e += '\\';
    if (ch < 0x20 || ch >= 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", ch);
      e += hex;
    } else {
      e += static_cast<char>(ch);
    }
  }
  return e + "\"";
}

void collect_words(const json& j, std::set<std::string>& words) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      words.insert("\"" + k + "\":");
      collect_words(v, words);
    }
  } else if (j.is_array()) {
    for (const json& v : j) collect_words(v, words);
  } else if (j.is_string() && j.get<std::string>().size() <= 32) {
    words.insert(j.dump());
  }
}

// One corpus folder and its dictionary: every file in `dir` must be JSON that parses.
std::size_t finish_corpus(const fs::path& dir, const fs::path& dict) {
  std::set<std::string> words = {"{", "}", "[", "]", ":", ",", "null", "true", "false", "-1",
                                 "0", "1e308", "-0.0", "9223372036854775807",
                                 "18446744073709551615", "\"\\u0000\""};
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    collect_words(parse_json_text(read_text(e.path()), e.path().string()), words);
    ++files;
  }
  std::string text;
  for (const std::string& w : words) text += dict_entry(w) + "\n";
  write_text(dict, text);
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_seeds OUT_DIR SOURCE_DIR\n";
    return 2;
  }
  const fs::path out = argv[1];
  const fs::path source = argv[2];
  try {
    for (const char* name : {"result", "plan", "cluster_profile", "busbw"}) {
      fs::remove_all(out / name);
      fs::create_directories(out / name);
    }
    int n = 0;
    for (const ResultRecord& r : records()) {
      const fs::path written = out / "result" / ("record" + std::to_string(n++) + ".json");
      write_result_file(r, written, true);
      (void)read_result_file(written);
    }

    std::vector<fs::path> profiles;
    for (const auto& e : fs::directory_iterator(source / "configs" / "clusters")) {
      if (e.path().extension() == ".json") profiles.push_back(e.path());
    }
    std::sort(profiles.begin(), profiles.end());
    std::size_t plans = 0;
    for (const fs::path& p : profiles) {
      fs::copy_file(p, out / "cluster_profile" / p.filename());
      const ClusterProfile cluster = load_cluster_profile_file(p);
      plan::SweepSpec spec;
      spec.workloads = {"mnist_cnn", "resnet50"};
      spec.gpus = {1, 2, 4, 8};
      spec.account = "project_2001234";
      spec.binary = "scalebench";
      spec.round = true;
      spec.allow_retired = true;  // retired profiles' plans are valid inputs of the reader too
      if (cluster.uses_slurm()) spec.max_concurrent = 4;
      if (cluster.backend == "cpu") spec.gpus = {1, 2};
      try {
        const plan::Plan pl = plan::make_plan(spec, cluster, catalog());
        const fs::path written = out / "plan" / (p.stem().string() + ".plan.json");
        write_text(written, plan::plan_to_json(pl).dump(2));
        (void)plan::read_plan(written);  // a seed the reader refuses would be a bug of its own
        ++plans;
        if (!cluster.uses_slurm()) continue;
        // The same sweep --until-knee (waves and gates), and an until_knee.json its gate wrote.
        spec.until_knee = true;
        const plan::Plan knee = plan::make_plan(spec, cluster, catalog());
        const fs::path knee_json = out / "plan" / (p.stem().string() + ".until-knee.plan.json");
        write_text(knee_json, plan::plan_to_json(knee).dump(2));
        (void)plan::read_plan(knee_json);
        UntilKneeState state;
        CurveDecision d{"resnet50", "ddp", "stopped", 0, "efficiency 62% at 8 GPUs (2 nodes) is below 80%", {}};
        d.skipped.push_back({3, 8, 2, 1, "results/p0003_resnet50_ddp_8gpu.json", ProjectedEfficiency{0.6, 0.55, 0.65}});
        state.curves.push_back(d);
        state.waves.push_back({0, 1, "2026-12-03T12:00:00Z", 3, 2, {"p0002 (resnet50 4 GPUs): failed: x"}});
        write_text(out / "plan" / (p.stem().string() + ".until_knee.json"), to_json(state).dump(2));
      } catch (const UsageError& e) {
        std::cerr << "make_seeds: no plan for " << p.filename().string() << ": " << e.what() << "\n";
      }
    }
    if (plans == 0) throw std::runtime_error("no profile in configs/clusters gave a plan");

    // predict's inputs: the first byte picks the reader (even: a measured table, odd: a
    // prediction.json), as predict_inputs_fuzz reads them.
    fs::remove_all(out / "predict");
    fs::create_directories(out / "predict");
    write_text(out / "predict" / "table.csv",
               std::string(1, '\0') +
                   "gpus,nodes,samples_per_s,batch_per_device,model,precision,parameters\n"
                   "1,1,500,64,resnet50,bf16,\n4,1,1900,64,resnet50,bf16,\n"
                   "8,2,\"3700.5\",64,mymodel,fp16,120000000\n");
    write_text(out / "predict" / "prediction.json",
               std::string(1, '\1') + R"({"schema": "scalebench.prediction/1", "cluster": "roihu",
 "threshold": 0.8, "algorithm": "auto", "note": "projected, not measured",
 "curves": [{"keys": {"workload": "resnet50", "strategy": "ddp", "precision": "bf16",
   "batch_per_device": 64, "system": "roihu"}, "title": "t", "devices_word": "GPUs",
   "calibration": "node", "fitted": {"kappa": 0.1}, "values": [], "assumptions": ["a"],
   "baseline_gpus": 1, "last_measured_gpus": 4, "text": "projected, not measured",
   "points": [{"gpus": 8, "nodes": 2, "kind": "projected",
     "efficiency": {"central": 0.9, "low": 0.8, "high": 0.95}, "step_ms": 100.5,
     "samples_per_s": 5000, "dominant": "exposed communication"}]}]})");
    {
      std::string dict;
      for (const char* w : {"gpus", "nodes", "samples_per_s", "batch_per_device", "model", "precision",
                            "parameters", ",", "\"", "\n", "\r", "kind", "projected", "measured",
                            "efficiency", "curves", "points", "scalebench.prediction/1",
                            "9223372036854775807", "1e308", "-0"})
        dict += dict_entry(w) + "\n";
      write_text(out / "predict.dict", dict);
    }

    google_benchmark_json(out / "busbw" / "allreduce_repetitions.json", 3);
    google_benchmark_json(out / "busbw" / "allreduce.json", 1);

    for (const char* name : {"result", "plan", "cluster_profile", "busbw"}) {
      const std::size_t files = finish_corpus(out / name, out / (std::string(name) + ".dict"));
      std::cerr << "make_seeds: " << files << " seeds in " << (out / name).string() << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "make_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
