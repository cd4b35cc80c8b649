// Loading: recursion, system labels, grouping, skipped files with reasons, schema versions.
#include "reports/loader.hpp"

#include <gtest/gtest.h>

#include "records/errors.hpp"
#include "tests/reports/fixtures.hpp"

namespace scalebench::reports {
namespace {

using testing::FixturePoint;
using testing::TempDir;
using testing::write_point;
using testing::write_text;

std::string usage_error_of(const std::vector<InputSpec>& inputs) {
  try {
    load_results(inputs);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no UsageError)";
}

const SkippedFile* skipped_named(const ResultSet& set, const std::string& name) {
  for (const SkippedFile& s : set.skipped) {
    if (s.path.filename() == name) return &s;
  }
  return nullptr;
}

TEST(ReportLoader, ReadsFoldersRecursivelyAndGroupsBySystemAndSetting) {
  TempDir dir;
  testing::write_standard_set(dir.path());
  const ResultSet set = load_results({{dir.path(), std::nullopt}});
  EXPECT_EQ(set.points.size(), 21u);
  EXPECT_EQ(set.files_read, 21u);
  EXPECT_TRUE(set.skipped.empty());
  ASSERT_EQ(set.systems.size(), 2u);
  EXPECT_EQ(set.systems.count("mahti A100"), 1u);
  EXPECT_EQ(set.systems.count("puhti V100"), 1u);
  EXPECT_EQ(set.systems.at("puhti V100").result_files, 5u);
  EXPECT_EQ(set.systems.at("mahti A100").versions.at("nccl"), "2.18.3");

  const PointGroups groups = group_points(set);
  ASSERT_EQ(groups.size(), 4u);
  auto curve = [&groups](const std::string& scaling, std::int64_t batch) {
    std::vector<const PointGroups::mapped_type*> found;
    for (const auto& [key, points] : groups) {
      if (key.system == "mahti A100" && key.strategy == "ddp" && key.scaling == scaling &&
          key.batch == batch) {
        EXPECT_EQ(key.image_size, 224);
        EXPECT_EQ(key.steps, 20);
        EXPECT_EQ(key.scalebench_version, "0.1.0");
        EXPECT_EQ(key.variant, "");  // nothing to tell it from another curve
        found.push_back(&points);
      }
    }
    return found;
  };
  const auto weak = curve("weak", 64);
  ASSERT_EQ(weak.size(), 1u);
  EXPECT_EQ(weak[0]->size(), 7u);  // 1..64, the failed 64 included
  const auto strong = curve("strong", 1024);
  ASSERT_EQ(strong.size(), 1u);
  EXPECT_EQ(strong[0]->size(), 5u);
}

TEST(ReportLoader, KeepsFailedPointsWithTheirError) {
  TempDir dir;
  testing::write_standard_set(dir.path());
  const ResultSet set = load_results({{dir / "mahti", std::nullopt}});
  int failed = 0;
  for (const PointSample& p : set.points) {
    if (p.status != "failed") continue;
    ++failed;
    EXPECT_EQ(p.devices, 64);
    EXPECT_EQ(p.error, "NCCL error: unhandled system error");
    EXPECT_FALSE(p.step_ms.has_value());
  }
  EXPECT_EQ(failed, 1);
}

// A run that a signal ended before it detected its devices names no model: it joins its
// cluster's curve when that cluster's results name one system, and stays apart when they name
// two (which of them it belonged to is unknown).
TEST(ReportLoader, AFailureRecordWithoutADeviceModelJoinsItsClustersOnlySystem) {
  TempDir dir;
  FixturePoint p;
  p.cluster = "emulated";
  write_point(dir / "ok1.json", p);
  p.devices = 4;
  p.status = "failed";
  p.error = "terminated by a signal";
  p.gpu_model = "";
  write_point(dir / "failed4.json", p);
  ResultSet set = load_results({{dir.path(), std::nullopt}});
  ASSERT_EQ(set.systems.size(), 1u);
  EXPECT_EQ(set.systems.count("emulated A100"), 1u);
  PointGroups groups = group_points(set);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups.begin()->second.size(), 2u);

  FixturePoint other;
  other.cluster = "emulated";
  other.gpu_model = "H100";
  write_point(dir / "ok2.json", other);
  set = load_results({{dir.path(), std::nullopt}});
  EXPECT_EQ(set.systems.size(), 3u);  // A100, H100 and the unknown one apart
  EXPECT_EQ(set.systems.count("emulated"), 1u);
}

TEST(ReportLoader, LabelsNameTheSystem) {
  TempDir dir;
  FixturePoint p;
  write_point(dir / "a" / "one.json", p);
  p.cluster.reset();
  p.hostname = "workstation";
  write_point(dir / "b" / "two.json", p);
  p.label = "my lab box";
  write_point(dir / "c" / "three.json", p);
  const ResultSet set = load_results({{dir / "a", std::string("Mahti (A100)")},
                                      {dir / "b", std::nullopt},
                                      {dir / "c", std::nullopt}});
  ASSERT_EQ(set.points.size(), 3u);
  EXPECT_EQ(set.points[0].system, "Mahti (A100)");
  EXPECT_EQ(set.points[1].system, "A100");  // no cluster: the device model, never the host
  EXPECT_EQ(set.points[2].system, "my lab box");        // the point's own label
}

TEST(ReportLoader, CpuBackendIsNamedByItsCpu) {
  TempDir dir;
  FixturePoint p;
  p.backend = "cpu";
  p.cluster.reset();
  p.hostname = "ci";
  write_point(dir / "cpu.json", p);
  const ResultSet set = load_results({{dir.path(), std::nullopt}});
  EXPECT_EQ(set.points.at(0).system, "AMD EPYC 7H12");
}

TEST(ReportLoader, SkipsMalformedTruncatedAndForeignFilesWithPathAndReason) {
  TempDir dir;
  write_point(dir / "good.json", FixturePoint{});
  const std::string good = testing::read_text(dir / "good.json");
  write_text(dir / "truncated.json", good.substr(0, good.size() / 2));
  write_text(dir / "foreign.json", R"({"name": "package.json", "version": "1.0"})");
  write_text(dir / "plan.json", R"({"schema": "scalebench.plan/1", "points": []})");
  write_text(dir / "array.json", "[1, 2, 3]");
  write_text(dir / "notes.txt", "not json, and not *.json either");
  nlohmann::json missing = nlohmann::json::parse(good);
  missing["point"].erase("devices");
  write_text(dir / "missing-key.json", missing.dump());
  nlohmann::json wrong_type = nlohmann::json::parse(good);
  wrong_type["point"]["devices"] = "four";
  write_text(dir / "wrong-type.json", wrong_type.dump());
  nlohmann::json bad_strategy = nlohmann::json::parse(good);
  bad_strategy["point"]["strategy"] = "fsdp";
  write_text(dir / "bad-strategy.json", bad_strategy.dump());

  const ResultSet set = load_results({{dir.path(), std::nullopt}});
  EXPECT_EQ(set.points.size(), 1u);
  EXPECT_EQ(set.files_read, 8u);  // *.json only
  EXPECT_EQ(set.skipped.size(), 7u);
  ASSERT_NE(skipped_named(set, "truncated.json"), nullptr);
  EXPECT_NE(skipped_named(set, "truncated.json")->reason.find("malformed JSON"), std::string::npos);
  EXPECT_EQ(skipped_named(set, "truncated.json")->path, dir / "truncated.json");
  EXPECT_NE(skipped_named(set, "foreign.json")->reason.find("no 'schema' key"), std::string::npos);
  EXPECT_NE(skipped_named(set, "plan.json")->reason.find("scalebench.plan/1"), std::string::npos);
  EXPECT_NE(skipped_named(set, "array.json")->reason.find("not a scalebench result"),
            std::string::npos);
  EXPECT_EQ(skipped_named(set, "missing-key.json")->reason, "invalid result: point.devices: missing");
  EXPECT_EQ(skipped_named(set, "wrong-type.json")->reason,
            "invalid result: point.devices: expected an integer, got \"four\"");
  EXPECT_EQ(skipped_named(set, "bad-strategy.json")->reason,
            "invalid result: point.strategy 'fsdp' is not known (valid: ddp, mirrored)");
}

// The strict reader's refusals reach the report as skipped files, each reason naming the JSON
// path; the report goes on with the good file (nothing is fatal).
TEST(ReportLoader, SkipsRecordsTheStrictReaderRefusesNamingThePath) {
  TempDir dir;
  write_point(dir / "good.json", FixturePoint{});
  const nlohmann::json good = nlohmann::json::parse(testing::read_text(dir / "good.json"));
  ASSERT_TRUE(good["communication"].is_object());
  struct Case {
    std::string file;
    std::string pointer;  // RFC 6901, into the good record
    nlohmann::json value;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"typo.json", "/point/devies", 4, "point.devies: unknown key"},
      {"newer.json", "/throughput/samples_per_j", 1.5, "throughput.samples_per_j: unknown key"},
      {"deep-type.json", "/communication/buckets", nlohmann::json::array({{{"index", 0}}}),
       "communication.buckets[0].bytes: missing"},
      {"float-batch.json", "/point/batch_per_device", 8.5,
       "point.batch_per_device: expected an integer, got 8.5"},
      {"no-nodes.json", "/point/nodes", 0, "point.nodes: 0 is below 1"},
      {"bad-status.json", "/status", "done",
       "status 'done' is not known (valid: ok, failed, timeout)"},
      {"bad-host.json", "/system/ranks/0/host", 7, "system.ranks[0].host: expected a string, got 7"},
  };
  for (const Case& c : cases) {
    nlohmann::json j = good;
    j[nlohmann::json::json_pointer(c.pointer)] = c.value;
    write_text(dir / c.file, j.dump());
  }
  const ResultSet set = load_results({{dir.path(), std::nullopt}});
  EXPECT_EQ(set.points.size(), 1u);
  EXPECT_EQ(set.skipped.size(), cases.size());
  for (const Case& c : cases) {
    const SkippedFile* s = skipped_named(set, c.file);
    ASSERT_NE(s, nullptr) << c.file;
    EXPECT_EQ(s->path, dir / c.file);
    EXPECT_EQ(s->reason, "invalid result: " + c.reason) << c.file;
  }
}

TEST(ReportLoader, ReadsSchemaOneAndTwoTogetherAndCountsEach) {
  TempDir dir;
  write_point(dir / "v2.json", FixturePoint{});
  nlohmann::json v1 = nlohmann::json::parse(testing::read_text(dir / "v2.json"));
  v1["schema"] = "scalebench.result/1";
  write_text(dir / "v1.json", v1.dump());
  const ResultSet set = load_results({{dir.path(), std::nullopt}});
  EXPECT_EQ(set.points.size(), 2u);
  EXPECT_EQ(set.schemas.at("scalebench.result/1"), 1u);
  EXPECT_EQ(set.schemas.at("scalebench.result/2"), 1u);
}

TEST(ReportLoader, RefusesAnUnreadableVersionBesideReadableOnesNamingBoth) {
  TempDir dir;
  write_point(dir / "v2.json", FixturePoint{});
  nlohmann::json v9 = nlohmann::json::parse(testing::read_text(dir / "v2.json"));
  v9["schema"] = "scalebench.result/9";
  write_text(dir / "v9.json", v9.dump());
  const std::string message = usage_error_of({{dir.path(), std::nullopt}});
  EXPECT_NE(message.find("scalebench.result/9"), std::string::npos) << message;
  EXPECT_NE(message.find("v9.json"), std::string::npos) << message;
  EXPECT_NE(message.find("v2.json"), std::string::npos) << message;
  EXPECT_NE(message.find("reads scalebench.result/1 and scalebench.result/2"), std::string::npos) << message;
}

TEST(ReportLoader, RefusesASchemaVersionItCannotRead) {
  TempDir dir;
  write_point(dir / "v1.json", FixturePoint{});
  nlohmann::json v3 = nlohmann::json::parse(testing::read_text(dir / "v1.json"));
  v3["schema"] = "scalebench.result/3";
  write_text(dir / "v1.json", v3.dump());
  const std::string message = usage_error_of({{dir.path(), std::nullopt}});
  EXPECT_NE(message.find("scalebench.result/3"), std::string::npos) << message;
  EXPECT_NE(message.find("reads scalebench.result/1"), std::string::npos) << message;
}

TEST(ReportLoader, AFolderWithoutResultsIsAnError) {
  TempDir dir;
  std::filesystem::create_directories(dir / "empty");
  EXPECT_NE(usage_error_of({{dir / "empty", std::nullopt}}).find("no scalebench results in folder"),
            std::string::npos);
  write_text(dir / "junk" / "x.json", "{");
  const std::string junk = usage_error_of({{dir / "junk", std::nullopt}});
  EXPECT_NE(junk.find("1 file(s) skipped"), std::string::npos) << junk;
  EXPECT_NE(usage_error_of({{dir / "missing", std::nullopt}}).find("does not exist"),
            std::string::npos);
  EXPECT_NE(usage_error_of({}).find("no input"), std::string::npos);
}

TEST(ReportLoader, ANamedMalformedFileIsSkippedNotFatal) {
  TempDir dir;
  write_point(dir / "good.json", FixturePoint{});
  write_text(dir / "bad.json", "{\"schema\": ");
  const ResultSet set =
      load_results({{dir / "good.json", std::nullopt}, {dir / "bad.json", std::nullopt}});
  EXPECT_EQ(set.points.size(), 1u);
  ASSERT_EQ(set.skipped.size(), 1u);
  EXPECT_EQ(set.skipped[0].path, dir / "bad.json");
}

TEST(ReportLoader, ReadsBusbwFromGoogleBenchmarkOutput) {
  TempDir dir;
  write_point(dir / "r.json", FixturePoint{});
  write_text(dir / "allreduce.json", R"({
    "context": {"host_name": "g1101", "num_cpus": 128},
    "benchmarks": [
      {"name": "BM_AllReduce/1048576", "run_name": "BM_AllReduce/1048576", "run_type": "iteration",
       "bytes": 1048576, "busbw_gbps": 40.0},
      {"name": "BM_AllReduce/1024", "run_name": "BM_AllReduce/1024", "run_type": "iteration",
       "bytes": 1024, "busbw_gbps": 0.5},
      {"name": "BM_AllReduce/1024", "run_name": "BM_AllReduce/1024", "run_type": "iteration",
       "bytes": 1024, "busbw_gbps": 0.7},
      {"name": "BM_AllReduce/1024", "run_name": "BM_AllReduce/1024", "run_type": "iteration",
       "bytes": 1024, "busbw_gbps": 0.9},
      {"name": "BM_Gemm/64", "run_type": "iteration", "flops": 1e9}
    ]})");
  write_text(dir / "gemm.json",
             R"({"context": {}, "benchmarks": [{"name": "BM_Gemm", "flops": 1}]})");
  const ResultSet set = load_results({{dir.path(), std::string("mahti")}});
  ASSERT_EQ(set.busbw_series.size(), 1u);
  const BusbwSeries& s = set.busbw_series[0];
  EXPECT_EQ(s.name, "mahti BM_AllReduce");
  ASSERT_EQ(s.points.size(), 2u);
  EXPECT_DOUBLE_EQ(s.points[0].bytes, 1024);
  EXPECT_DOUBLE_EQ(s.points[0].busbw_gbps, 0.7);  // median of three repeats
  EXPECT_DOUBLE_EQ(s.points[1].busbw_gbps, 40.0);
  ASSERT_NE(skipped_named(set, "gemm.json"), nullptr);
  EXPECT_NE(skipped_named(set, "gemm.json")->reason.find("busbw_gbps"), std::string::npos);
}

TEST(ReportLoader, PrefersMedianAggregatesWhenPresent) {
  const nlohmann::json doc = nlohmann::json::parse(R"({
    "context": {"host_name": "h"},
    "benchmarks": [
      {"name": "BM_AllReduce/4096", "run_type": "iteration", "bytes": 4096, "busbw_gbps": 9.0},
      {"name": "BM_AllReduce/4096_mean", "run_name": "BM_AllReduce/4096", "run_type": "aggregate",
       "aggregate_name": "mean", "bytes": 4096, "busbw_gbps": 5.0},
      {"name": "BM_AllReduce/4096_median", "run_name": "BM_AllReduce/4096", "run_type": "aggregate",
       "aggregate_name": "median", "bytes": 4096, "busbw_gbps": 4.0}
    ]})");
  const std::vector<BusbwSeries> series = read_busbw_series(doc, "x.json", "");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].name, "h BM_AllReduce");
  ASSERT_EQ(series[0].points.size(), 1u);
  EXPECT_DOUBLE_EQ(series[0].points[0].busbw_gbps, 4.0);
}

}  // namespace
}  // namespace scalebench::reports
