// The strict reader of result records: every error names its JSON path, unknown keys are
// refused, and the records every release wrote still read.
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "records/errors.hpp"
#include "records/json_fields.hpp"
#include "records/result.hpp"

namespace scalebench {
namespace {

using nlohmann::json;

// What scalebench 0.1.0 wrote (harness/result/result.cpp at 9f74483, the runner at a713388): every
// key of today's record but layer_class_ms, which came with `run --layer-times` (44a725b).
const char kRecord010[] = R"({
  "schema": "scalebench.result/1",
  "status": "ok",
  "error": null,
  "point": {"workload": "resnet50", "strategy": "ddp", "backend": "cpu", "precision": "fp32",
            "batch_per_device": 8, "global_batch": 16, "scaling": "weak", "devices": 2,
            "nodes": 1, "devices_per_node": 2, "world_size": 2, "image_size": 224, "steps": 20,
            "warmup": 5,
            "options": {"bucket_mb": 25.0, "first_bucket_mb": 1.0, "overlap": true,
                        "graph": false},
            "cluster": null, "label": null},
  "phases": {
    "compute": {"median_ms": 90.0, "p5_ms": 88.0, "p95_ms": 95.0, "mean_ms": 90.5,
                "stdev_ms": 2.0, "min_ms": 87.0, "max_ms": 97.0, "count": 20},
    "communication": {"median_ms": 12.0, "p5_ms": 11.0, "p95_ms": 14.0, "mean_ms": 12.2,
                      "stdev_ms": 0.8, "min_ms": 10.5, "max_ms": 15.0, "count": 20},
    "full": {"median_ms": 100.0, "p5_ms": 97.0, "p95_ms": 104.0, "mean_ms": 100.4,
             "stdev_ms": 2.1, "min_ms": 96.0, "max_ms": 106.0, "count": 20}},
  "step": {"median_ms": 100.0, "p5_ms": 97.0, "p95_ms": 104.0, "mean_ms": 100.4,
           "stdev_ms": 2.1, "min_ms": 96.0, "max_ms": 106.0, "count": 20},
  "throughput": {"samples_per_s": 160.0, "samples_per_s_per_device": 80.0},
  "communication": {"exposed_ms": 10.0, "overlap": 0.1666, "share": 0.1, "allreduce_ms": 12.0,
                    "algbw_gbps": 8.5, "busbw_gbps": 8.5,
                    "buckets": [{"index": 0, "bytes": 4194304, "tensors": 3, "time_ms": 0.9,
                                 "algbw_gbps": 4.66, "busbw_gbps": 4.66},
                                {"index": 1, "bytes": 98007936, "tensors": 158, "time_ms": 11.1,
                                 "algbw_gbps": 8.83, "busbw_gbps": 8.83}],
                    "check": "passed"},
  "model": {"parameters": 25557032, "forward_flops_per_sample": 8.2e9, "layers": 161,
            "gradient_bytes": 102228128},
  "telemetry": null,
  "system": {"hostname": "ws1", "cpu_model": "AMD EPYC 7H12", "gpu_model": null,
             "device_memory_bytes": null,
             "versions": {"mpi": "Open MPI v4.1.2", "compiler": "GNU 12.2.0", "backend": "cpu"},
             "ranks": [{"rank": 0, "host": "ws1", "devices": [0]},
                       {"rank": 1, "host": "ws1", "devices": [0]}]},
  "provenance": {"scalebench_version": "0.1.0", "git_commit": "9f74483",
                 "command_line": "scalebench run --workload resnet50 --batch 8",
                 "start_time": "2026-11-23T10:00:00Z", "end_time": "2026-11-23T10:01:00Z",
                 "slurm": null}
})";

// The fewest keys a record may have: those the readers have always required.
const char kMinimal[] = R"({"schema": "scalebench.result/1", "status": "failed",
  "point": {"workload": "mnist_cnn", "strategy": "mirrored", "backend": "cpu",
            "precision": "fp32", "batch_per_device": 4, "devices": 2, "nodes": 1}})";

ResultRecord read(const json& j) {
  ResultRecord r;
  from_json(j, r);
  return r;
}

// The UsageError message of reading `j`, or a note that it read.
std::string error_of(const json& j) {
  try {
    read(j);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(read without error)";
}

// The 0.1.0 record with `value` at `pointer` (RFC 6901).
json with(const std::string& pointer, const json& value) {
  json j = json::parse(kRecord010);
  j[json::json_pointer(pointer)] = value;
  return j;
}

json without(const std::string& parent, const std::string& key) {
  json j = json::parse(kRecord010);
  j[json::json_pointer(parent)].erase(key);
  return j;
}

TEST(ResultReader, ARecordOfRelease010StillReads) {
  const ResultRecord r = read(json::parse(kRecord010));
  EXPECT_EQ(r.status, "ok");
  EXPECT_EQ(r.point.batch_per_device, 8);
  EXPECT_EQ(r.point.global_batch, 16);
  EXPECT_EQ(r.point.options.at("bucket_mb"), 25.0);
  EXPECT_DOUBLE_EQ(r.phases.compute->median_ms, 90.0);
  EXPECT_EQ(r.step->count, 20);
  ASSERT_EQ(r.communication->buckets.size(), 2u);
  EXPECT_EQ(r.communication->buckets[1].bytes, 98007936);
  EXPECT_EQ(r.communication->check, "passed");
  EXPECT_DOUBLE_EQ(r.model.forward_flops_per_sample, 8.2e9);
  EXPECT_FALSE(r.telemetry.has_value());
  EXPECT_FALSE(r.layer_class_ms.has_value());  // 0.1.0 before --layer-times had no such key
  EXPECT_EQ(r.system.versions.at("mpi"), "Open MPI v4.1.2");
  EXPECT_EQ(r.system.ranks.at(1).devices, std::vector<std::int64_t>{0});
  EXPECT_EQ(r.provenance.scalebench_version, "0.1.0");
  EXPECT_FALSE(r.provenance.slurm.has_value());
}

// 0.2.0 wrote what the writer of today writes (layer times, telemetry and Slurm included) but
// provenance.environment, which came with issue 12.
TEST(ResultReader, ARecordOfRelease020StillReads) {
  json j = json::parse(kRecord010);
  j["layer_class_ms"] = {{"gemm", 61.5}, {"elementwise", 12.25}, {"optimizer", 3}};
  j["telemetry"] = {{"mean_power_w", 250.5},         {"energy_per_sample_j", nullptr},
                    {"peak_memory_bytes", 1 << 30}, {"mean_utilization", 0.9},
                    {"mean_sm_clock_mhz", nullptr}};
  j["provenance"]["slurm"] = {{"job_id", "123"},
                              {"array_job_id", "120"},
                              {"array_task_id", "3"},
                              {"nodelist", nullptr}};
  j["provenance"]["scalebench_version"] = "0.2.0";
  const ResultRecord r = read(j);
  EXPECT_DOUBLE_EQ(r.layer_class_ms->at("optimizer"), 3.0);
  EXPECT_EQ(r.telemetry->peak_memory_bytes, std::int64_t{1} << 30);
  EXPECT_FALSE(r.telemetry->energy_per_sample_j.has_value());
  EXPECT_EQ(r.provenance.slurm->array_task_id, "3");
  EXPECT_FALSE(r.provenance.slurm->nodelist.has_value());
  EXPECT_TRUE(r.provenance.environment.empty());
  json written = json(r);  // writes back the same, with an empty environment
  EXPECT_EQ(written["provenance"]["environment"], json::object());
  written["provenance"].erase("environment");
  EXPECT_EQ(written, j);
}

// Issue 12: the filtered environment (an open map of strings) and the communicator in versions.
TEST(ResultReader, TheEnvironmentAndTheCommunicatorRead) {
  json j = json::parse(kRecord010);
  j["provenance"]["environment"] = {{"NCCL_DEBUG", "INFO"}, {"OMP_NUM_THREADS", "8"}};
  j["system"]["versions"]["communicator"] = "nccl";
  j["system"]["versions"]["nccl"] = "2.21.5";
  j["layer_class_ms"] = nullptr;  // 0.1.0 lacked it; today's writer writes null
  const ResultRecord r = read(j);
  EXPECT_EQ(r.provenance.environment.at("NCCL_DEBUG"), "INFO");
  EXPECT_EQ(r.provenance.environment.size(), 2u);
  EXPECT_EQ(r.system.versions.at("communicator"), "nccl");
  EXPECT_EQ(json(r), j);
  EXPECT_TRUE(read(with("/provenance/environment", nullptr)).provenance.environment.empty());
  EXPECT_EQ(error_of(with("/provenance/environment", {{"OMP_NUM_THREADS", 8}})),
            "provenance.environment.OMP_NUM_THREADS: expected a string, got 8");
  EXPECT_EQ(error_of(with("/provenance/environment", "NCCL_DEBUG=INFO")),
            "provenance.environment: expected an object, got \"NCCL_DEBUG=INFO\"");
}

TEST(ResultReader, TheFieldsOfSchemaTwoReadAndWriteBack) {
  json j = json::parse(kRecord010);
  j["schema"] = "scalebench.result/2";
  j["layer_class_ms"] = nullptr;
  j["provenance"]["environment"] = json::object();
  j["phases"]["compute_parts"] = {{"forward_ms", 10.5}, {"backward_ms", 21.0}, {"optimizer_ms", 1.5}};
  for (json& b : j["communication"]["buckets"]) b["ready_ms"] = 3.25;
  j["rank_steps"] = {{"ranks", {{{"rank", 0}, {"median_ms", 40.0}, {"p95_ms", 41.0}, {"stdev_ms", 0.5}},
                                {{"rank", 1}, {"median_ms", 40.5}, {"p95_ms", 42.0}, {"stdev_ms", 0.7}}}},
                     {"idiosyncratic_stdev_ms", 0.25},
                     {"samples_ms", {{40.0, 41.0}, {40.5, 42.0}}}};
  const ResultRecord r = read(j);
  ASSERT_TRUE(r.phases.compute_parts);
  EXPECT_EQ(r.phases.compute_parts->backward_ms, 21.0);
  EXPECT_EQ(r.communication->buckets.front().ready_ms, 3.25);
  ASSERT_TRUE(r.rank_steps);
  EXPECT_EQ(r.rank_steps->ranks.size(), 2u);
  EXPECT_EQ(r.rank_steps->samples_ms->at(1).at(1), 42.0);
  EXPECT_EQ(json(r), j);
  j["rank_steps"]["samples_ms"] = {{40.0, "slow"}};
  EXPECT_EQ(error_of(j), "rank_steps.samples_ms[0]: expected numbers, got \"slow\"");
}

TEST(ResultReader, TheFieldsOlderRecordsLackTakeTheirDefaults) {
  const ResultRecord r = read(json::parse(kMinimal));
  EXPECT_EQ(r.point.global_batch, 4);  // batch_per_device
  EXPECT_EQ(r.point.scaling, "weak");
  EXPECT_EQ(r.point.devices_per_node, 2);  // devices
  EXPECT_EQ(r.point.world_size, 1);
  EXPECT_EQ(r.point.steps, 0);
  EXPECT_EQ(r.point.options, json::object());
  EXPECT_FALSE(r.step.has_value());
  EXPECT_FALSE(r.communication.has_value());
  EXPECT_TRUE(r.system.hostname.empty());
  EXPECT_TRUE(r.system.ranks.empty());

  json stats = json::parse(kRecord010)["step"];
  stats.erase("min_ms");
  stats.erase("max_ms");
  StepStats s;
  from_json(stats, s);
  EXPECT_DOUBLE_EQ(s.min_ms, 97.0);  // p5_ms
  EXPECT_DOUBLE_EQ(s.max_ms, 104.0);  // p95_ms

  json bucket = with("/communication/buckets/0", {{"index", 0},
                                                  {"bytes", 64},
                                                  {"time_ms", 1.0},
                                                  {"algbw_gbps", 2},
                                                  {"busbw_gbps", 2}});
  bucket["communication"].erase("check");
  bucket["communication"].erase("allreduce_ms");
  const ResultRecord b = read(bucket);
  EXPECT_EQ(b.communication->buckets[0].tensors, 0);
  EXPECT_EQ(b.communication->check, "skipped");
  EXPECT_EQ(b.communication->allreduce_ms, 0.0);
  EXPECT_EQ(b.communication->buckets[0].algbw_gbps, 2.0);  // an integer is a number too
}

TEST(ResultReader, NullIsAbsentForOptionalFields) {
  json j = json::parse(kRecord010);
  for (const char* key : {"phases", "step", "throughput", "communication", "model", "telemetry",
                          "layer_class_ms", "system", "provenance", "error"}) {
    j[key] = nullptr;
  }
  j["point"]["global_batch"] = nullptr;
  const ResultRecord r = read(j);
  EXPECT_FALSE(r.phases.full.has_value());
  EXPECT_FALSE(r.throughput.has_value());
  EXPECT_EQ(r.point.global_batch, 8);
  EXPECT_EQ(r.model.parameters, 0);
}

TEST(ResultReader, AMissingFieldIsNamedByItsPath) {
  EXPECT_EQ(error_of(without("", "status")), "status: missing");
  EXPECT_EQ(error_of(without("", "point")), "point: missing");
  EXPECT_EQ(error_of(without("/point", "batch_per_device")), "point.batch_per_device: missing");
  EXPECT_EQ(error_of(without("/phases/full", "median_ms")), "phases.full.median_ms: missing");
  EXPECT_EQ(error_of(without("/communication/buckets/1", "time_ms")),
            "communication.buckets[1].time_ms: missing");
  EXPECT_EQ(error_of(with("/point/workload", nullptr)),
            "point.workload: expected a string, got null");  // required: null is not absent
}

TEST(ResultReader, AWrongTypeIsNamedByItsPathWithTheValue) {
  EXPECT_EQ(error_of(with("/point/batch_per_device", "8")),
            "point.batch_per_device: expected an integer, got \"8\"");
  EXPECT_EQ(error_of(with("/point/devices", true)), "point.devices: expected an integer, got true");
  EXPECT_EQ(error_of(with("/status", 1)), "status: expected a string, got 1");
  EXPECT_EQ(error_of(with("/point", 5)), "point: expected an object, got 5");
  EXPECT_EQ(error_of(with("/point/options", "fast")), "point.options: expected an object, got \"fast\"");
  EXPECT_EQ(error_of(with("/point/options", json::array())), "point.options: expected an object, got an array");
  EXPECT_EQ(error_of(with("/step/p95_ms", "9")), "step.p95_ms: expected a number, got \"9\"");
  EXPECT_EQ(error_of(with("/throughput", json::array())), "throughput: expected an object, got an array");
  EXPECT_EQ(error_of(with("/error", 0)), "error: expected a string, got 0");
  EXPECT_EQ(error_of(with("/system/versions/mpi", 4)), "system.versions.mpi: expected a string, got 4");
  EXPECT_EQ(error_of(with("/layer_class_ms", {{"gemm", "1 ms"}})),
            "layer_class_ms.gemm: expected a number, got \"1 ms\"");
  EXPECT_EQ(error_of(with("/telemetry", {{"peak_memory_bytes", 1.5}})),
            "telemetry.peak_memory_bytes: expected an integer, got 1.5");
  EXPECT_EQ(error_of(with("/provenance/slurm", {{"job_id", 123}})),
            "provenance.slurm.job_id: expected a string, got 123");
  EXPECT_EQ(error_of(json::array({1, 2})), "the top level: expected an object, got an array");
  // A long string is cut in the message.
  EXPECT_EQ(error_of(with("/point/devices", std::string(1000, 'x'))),
            "point.devices: expected an integer, got \"" + std::string(36, 'x') + "...");
}

TEST(ResultReader, AWrongTypeDeepInAnArrayIsNamedByItsIndex) {
  EXPECT_EQ(error_of(with("/communication/buckets/1/time_ms", "fast")),
            "communication.buckets[1].time_ms: expected a number, got \"fast\"");
  EXPECT_EQ(error_of(with("/communication/buckets/1/bytes", -1.25)),
            "communication.buckets[1].bytes: expected an integer, got -1.25");
  EXPECT_EQ(error_of(with("/communication/buckets/1", 7)),
            "communication.buckets[1]: expected an object, got 7");
  EXPECT_EQ(error_of(with("/communication/buckets", {{"index", 0}})),
            "communication.buckets: expected a list of objects, got an object");
  EXPECT_EQ(error_of(with("/system/ranks/1/devices/0", "0")),
            "system.ranks[1].devices[0]: expected an integer, got \"0\"");
  EXPECT_EQ(error_of(with("/system/ranks/1/devices", 0)),
            "system.ranks[1].devices: expected a list of integers, got 0");
}

TEST(ResultReader, UnknownKeysAreRefusedWithTheirPath) {
  EXPECT_EQ(error_of(with("/colour", "red")), "colour: unknown key");
  EXPECT_EQ(error_of(with("/point/batch_size", 8)), "point.batch_size: unknown key");
  EXPECT_EQ(error_of(with("/phases/backward", nullptr)), "phases.backward: unknown key");
  EXPECT_EQ(error_of(with("/step/p99_ms", 1.0)), "step.p99_ms: unknown key");
  EXPECT_EQ(error_of(with("/communication/buckets/1/dtype", "fp32")),
            "communication.buckets[1].dtype: unknown key");
  EXPECT_EQ(error_of(with("/system/ranks/0/gpu", 0)), "system.ranks[0].gpu: unknown key");
  EXPECT_EQ(error_of(with("/provenance/slurm", {{"job_id", "1"}, {"partition", "gpu"}})),
            "provenance.slurm.partition: unknown key");
  EXPECT_EQ(error_of(with("/model/a b\n", 1)), "model[\"a b\\n\"]: unknown key");
  // The strategy's options, the library versions and the layer classes are open maps.
  EXPECT_NO_THROW(read(with("/point/options/packs", 4)));
  EXPECT_NO_THROW(read(with("/system/versions/nccl", "2.18.3")));
  EXPECT_NO_THROW(read(with("/layer_class_ms", {{"a new class", 1.0}})));
}

TEST(ResultReader, IntegersReadExactly) {
  EXPECT_EQ(read(with("/point/devices", 2.0)).point.devices, 2);  // the same number as 2
  EXPECT_EQ(read(with("/model/parameters", std::numeric_limits<std::int64_t>::max()))
                .model.parameters,
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(error_of(with("/point/devices", 2.5)), "point.devices: expected an integer, got 2.5");
  EXPECT_EQ(error_of(with("/point/steps", 1e300)), "point.steps: out of range for a whole number: 1e+300");
  EXPECT_EQ(error_of(with("/model/parameters", std::uint64_t{1} << 63)),
            "model.parameters: out of range for a whole number: 9223372036854775808");
  EXPECT_EQ(error_of(with("/system/ranks/0/devices/0", 9.3e18)),
            "system.ranks[0].devices[0]: out of range for a whole number: 9.3e+18");
}

TEST(ResultReader, ValuesAreChecked) {
  EXPECT_EQ(error_of(with("/schema", "scalebench.result/3")),
            "schema 'scalebench.result/3' is not scalebench.result/1 or scalebench.result/2");
  EXPECT_EQ(error_of(with("/schema", "scalebench.result/2")), "(read without error)");
  EXPECT_EQ(error_of(with("/status", "great")),
            "status 'great' is not known (valid: ok, failed, timeout)");
  EXPECT_EQ(error_of(with("/point/strategy", "fsdp")),
            "point.strategy 'fsdp' is not known (valid: ddp, mirrored)");
  EXPECT_EQ(error_of(with("/point/scaling", "both")),
            "point.scaling 'both' is not known (valid: weak, strong)");
  EXPECT_EQ(error_of(with("/communication/check", "maybe")),
            "communication.check 'maybe' is not known (valid: passed, failed, skipped)");
  EXPECT_EQ(error_of(with("/point/devices", 0)), "point.devices: 0 is below 1");
  EXPECT_EQ(error_of(with("/point/nodes", -1)), "point.nodes: -1 is below 1");
  json no_batch = with("/point/batch_per_device", 0);
  no_batch["point"]["global_batch"] = 0;
  EXPECT_EQ(error_of(no_batch),
            "point.batch_per_device: the point has no batch size (batch_per_device 0, "
            "global_batch 0)");
  EXPECT_NO_THROW(read(with("/point/batch_per_device", 0)));  // the global batch is enough
}

TEST(ResultReader, ErrorsAreRuntimeErrorsAndLeaveTheRecordAlone) {
  ResultRecord r;
  r.point.workload = "before";
  EXPECT_THROW(from_json(with("/point/colour", 1), r), std::runtime_error);
  EXPECT_EQ(r.point.workload, "before");
  from_json(json::parse(kMinimal), r);
  EXPECT_EQ(r.point.workload, "mnist_cnn");
  from_json(json::parse(kRecord010), r);
  from_json(json::parse(kMinimal), r);
  EXPECT_FALSE(r.communication.has_value()) << "a second read keeps nothing of the first";
}

// The other readers of JsonFields (plans, profiles, presets) keep their `where` messages.
TEST(JsonFieldsWhere, MessagesNameWhereAndTheKey) {
  const json j = {{"name", 5}, {"n", 2.5}, {"list", {1, "x"}}, {"extra", 1}};
  auto message = [&](const std::function<void(JsonFields&)>& f) {
    JsonFields fields(j, "plan.json: jobs[0]");
    try {
      f(fields);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(message([](JsonFields& f) { f.str("name"); }),
            "plan.json: jobs[0]: \"name\" must be a string");
  EXPECT_EQ(message([](JsonFields& f) { f.integer("n"); }),
            "plan.json: jobs[0]: \"n\" must be an integer");
  EXPECT_EQ(message([](JsonFields& f) { f.str("gone"); }), "plan.json: jobs[0]: missing \"gone\"");
  EXPECT_EQ(message([](JsonFields& f) { f.strings("list"); }),
            "plan.json: jobs[0]: \"list\" must be a list of strings");
  EXPECT_EQ(message([](JsonFields& f) {
              f.sub("name", true);
              f.sub("n", true);
              f.sub("list", true);
              f.finish();
            }),
            "plan.json: jobs[0]: unknown key \"extra\"");
}

}  // namespace
}  // namespace scalebench
