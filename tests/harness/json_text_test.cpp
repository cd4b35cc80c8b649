// Bounded JSON reading: nesting and size limits at every reading edge, and `report` given a
// deeply nested result file (it used to overflow the stack copying point.options).
#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>

#include "records/cluster_profile.hpp"
#include "harness/plan/plan.hpp"
#include "harness/report_command.hpp"
#include "records/json_text.hpp"
#include "records/result.hpp"
#include "records/errors.hpp"

namespace scalebench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string nested_arrays(std::size_t levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

// A result record whose point.options holds a value `levels` arrays deep: 300,000 levels make
// 600 KB.
std::string deep_result(std::size_t levels) {
  return R"({"schema": "scalebench.result/1", "status": "ok", "point": {"workload": "resnet50",
    "strategy": "ddp", "backend": "cpu", "precision": "fp32", "batch_per_device": 4,
    "devices": 1, "nodes": 1, "options": {"packs": )" +
         nested_arrays(levels) + "}}}";
}

class JsonText : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sb_json_text_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  fs::path dir_;
};

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST_F(JsonText, AcceptsTheLimitAndRefusesOneLevelMore) {
  EXPECT_EQ(parse_json_text(nested_arrays(kMaxJsonDepth), "ok.json").dump().size(),
            2 * static_cast<std::size_t>(kMaxJsonDepth));
  const json objects = parse_json_text(R"({"a": {"b": {"c": [1, {"d": null}]}}})", "x.json");
  EXPECT_TRUE(objects["a"]["b"]["c"][1]["d"].is_null());
  try {
    parse_json_text(nested_arrays(kMaxJsonDepth + 1), "deep.json");
    FAIL() << "65 levels were accepted";
  } catch (const json::parse_error& e) {
    EXPECT_NE(std::string(e.what()).find("'deep.json' nests deeper than 64 levels"),
              std::string::npos)
        << e.what();
  }
  // Objects count as levels too, and the limit holds wherever the deep part starts.
  std::string deep_objects;
  for (int i = 0; i <= kMaxJsonDepth; ++i) deep_objects += "{\"k\": ";
  deep_objects += "1" + std::string(kMaxJsonDepth + 1, '}');
  EXPECT_THROW(parse_json_text(deep_objects, "o.json"), json::parse_error);
  // Syntax errors are still nlohmann's parse errors.
  EXPECT_THROW(parse_json_text("{\"a\": ", "t.json"), json::parse_error);
}

TEST_F(JsonText, RefusesTextOverTheSizeLimitBeforeParsing) {
  const std::string huge(kMaxJsonBytes + 1, ' ');
  const std::string what = message_of([&] { parse_json_text(huge, "huge.json"); });
  EXPECT_NE(what.find("'huge.json' is larger than 256 MiB"), std::string::npos) << what;
  std::istringstream in(huge);
  EXPECT_THROW(parse_json_stream(in, "huge.json"), json::parse_error);
}

TEST_F(JsonText, DeepResultFileIsRefusedNamingTheFile) {
  const fs::path file = write("deep.json", deep_result(300000));
  ASSERT_GT(fs::file_size(file), 600000u);
  const std::string what = message_of([&] { read_result_file(file); });
  EXPECT_NE(what.find(file.string() + "' nests deeper than 64 levels"), std::string::npos) << what;
}

TEST_F(JsonText, DeepPlanAndProfileAreUsageErrors) {
  const fs::path plan = write("plan.json", R"({"schema": "scalebench.plan/1", "points": )" +
                                               nested_arrays(300000) + "}");
  EXPECT_THROW(plan::read_plan(plan), UsageError);
  EXPECT_NE(message_of([&] { plan::read_plan(plan); }).find("nests deeper than 64 levels"),
            std::string::npos);
  const fs::path profile = write("deep_cluster.json", R"({"schema": "scalebench.cluster/1", "x": )" +
                                                          nested_arrays(100000) + "}");
  EXPECT_THROW(load_cluster_profile_file(profile), UsageError);
  EXPECT_NE(message_of([&] { load_cluster_profile_file(profile); })
                .find("nests deeper than 64 levels"),
            std::string::npos);
}

// `scalebench report results -o out` with one good and one 600 KB deeply nested record: the
// deep one is skipped with a warning naming it; the report is written from the other.
TEST_F(JsonText, ReportSkipsADeepResultFileWithAWarning) {
  ResultRecord good;
  good.point.workload = "resnet50";
  good.point.strategy = "ddp";
  good.point.backend = "cpu";
  good.point.precision = "fp32";
  good.point.batch_per_device = 4;
  good.point.global_batch = 4;
  good.phases.full = StepStats{100, 95, 110, 101, 4, 94, 111, 20};
  good.step = good.phases.full;
  good.throughput = Throughput{40, 40};
  write("results/good.json", json(good).dump(2));
  write("results/deep.json", deep_result(300000));

  CLI::App app;
  add_report_command(app);
  const std::string results = (dir_ / "results").string();
  const std::string out = (dir_ / "out").string();
  // CLI11 takes a vector in reverse: report RESULTS -o OUT --formats svg.
  std::vector<std::string> args = {"svg", "--formats", out, "-o", results, "report"};
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  std::string error;
  try {
    app.parse(args);
  } catch (const std::exception& e) {
    error = e.what();
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  const std::string std_out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(error, "");
  EXPECT_NE(err.find("deep.json"), std::string::npos) << err << std_out;
  EXPECT_NE(err.find("nests deeper than 64 levels"), std::string::npos) << err << std_out;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "report.html")) << err << std_out;
}

// nlohmann reports 1E400 (too large for a double) as out_of_range, which escaped the readers that
// map parse errors to UsageError (exit 1 with a library message; found by fuzzing).
TEST_F(JsonText, NumberOverflowIsAParseErrorAndAUsageError) {
  EXPECT_THROW(parse_json_text("[1E400]", "n.json"), json::parse_error);
  const fs::path plan = write("overflow_plan.json", R"({"schema": "scalebench.plan/1", "x": 1E400})");
  EXPECT_THROW(plan::read_plan(plan), UsageError);
  const fs::path profile = write("overflow_cluster.json", R"({"schema": 1E400})");
  const std::string what = message_of([&] {
    try {
      load_cluster_profile_file(profile);
    } catch (const UsageError& e) {
      throw std::runtime_error(std::string("usage: ") + e.what());
    }
  });
  EXPECT_NE(what.find("usage: "), std::string::npos) << what;
  EXPECT_NE(what.find("number overflow"), std::string::npos) << what;
}

// A float where an integer belongs was cast unchecked (undefined for 1e300; found by fuzzing):
// now it is refused naming the key, as every other bad value is.
TEST_F(JsonText, OutOfRangeIntegersInAResultAreRefused) {
  for (const char* key : {"batch_per_device", "devices", "steps"}) {
    json j = json::parse(deep_result(1));
    j["point"][key] = 1e300;
    const fs::path file = write(std::string(key) + ".json", j.dump());
    const std::string what = message_of([&] { read_result_file(file); });
    EXPECT_NE(what.find(std::string("point.") + key + ": out of range"), std::string::npos) << what;
  }
  json j = json::parse(deep_result(1));
  j["point"]["devices"] = 2.0;  // an integral float still reads, as before
  EXPECT_EQ(read_result_file(write("two.json", j.dump())).point.devices, 2);
}

}  // namespace
}  // namespace scalebench
