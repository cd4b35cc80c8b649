// Every file the project ships in configs/ parses with the readers the program uses, and the
// vocabulary refuses a word naming the valid ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "records/cluster_profile.hpp"
#include "records/errors.hpp"
#include "records/sweep_preset.hpp"
#include "records/vocabulary.hpp"

namespace scalebench {
namespace {

namespace fs = std::filesystem;

const fs::path kConfigs = fs::path(SCALEBENCH_SOURCE_DIR) / "configs";

std::vector<fs::path> json_files(const fs::path& dir) {
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST(ShippedFiles, EveryClusterProfileParses) {
  const auto paths = json_files(kConfigs / "clusters");
  ASSERT_GE(paths.size(), 5u);
  std::set<std::string> names;
  for (const fs::path& path : paths) {
    SCOPED_TRACE(path.string());
    ClusterProfile c;
    ASSERT_NO_THROW(c = load_cluster_profile_file(path));
    EXPECT_EQ(c.name, path.stem().string()) << "a profile is found by its file name";
    EXPECT_TRUE(names.insert(c.name).second);
    EXPECT_FALSE(c.node_types.empty());
    EXPECT_FALSE(c.partitions.empty());
    EXPECT_FALSE(c.billing.unit.empty());
    EXPECT_TRUE(vocabulary::is_one_of(c.backend, vocabulary::kBackends)) << c.backend;
    for (const Partition& p : c.partitions) EXPECT_NO_THROW((void)c.node_type(p.node_type));
  }
}

TEST(ShippedFiles, EverySweepPresetParses) {
  const auto paths = json_files(kConfigs / "sweeps");
  ASSERT_GE(paths.size(), 2u);
  for (const fs::path& path : paths) {
    SCOPED_TRACE(path.string());
    SweepPreset p;
    ASSERT_NO_THROW(p = load_sweep_preset(path.string()));
    EXPECT_TRUE(p.description.has_value()) << "a preset says what it is for";
    EXPECT_FALSE(p.workloads.empty());
  }
}

TEST(ShippedFiles, PresetsAreFoundByName) {
  for (const fs::path& path : json_files(kConfigs / "sweeps")) {
    const fs::path found = find_sweep_preset(path.stem().string());
    EXPECT_EQ(fs::canonical(found), fs::canonical(path));
  }
}

TEST(Vocabulary, RequireOneOfNamesTheValidWords) {
  EXPECT_NO_THROW(vocabulary::require_one_of("ddp", "strategy", vocabulary::kStrategies));
  try {
    vocabulary::require_one_of("zero3\n", "strategy", vocabulary::kStrategies);
    FAIL() << "an unknown word must be refused";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "strategy 'zero3\\n' is not known (valid: ddp, mirrored)");
  }
  EXPECT_EQ(vocabulary::joined(vocabulary::kPrecisions), "fp32, tf32, bf16, fp16");
  EXPECT_TRUE(vocabulary::is_one_of("timeout", vocabulary::kStatuses));
  EXPECT_FALSE(vocabulary::is_one_of("Timeout", vocabulary::kStatuses));
}

TEST(SweepPresetReader, RefusesWrongTypesUnknownWordsAndKeys) {
  const std::string where = "sweep preset test";
  EXPECT_THROW(parse_sweep_preset({{"strategies", {"zero3"}}}, where), UsageError);
  EXPECT_THROW(parse_sweep_preset({{"precision", "fp8"}}, where), UsageError);
  EXPECT_THROW(parse_sweep_preset({{"steps", "50"}}, where), UsageError);
  EXPECT_THROW(parse_sweep_preset({{"time", "soon"}}, where), UsageError);
  EXPECT_THROW(parse_sweep_preset({{"colour", "red"}}, where), UsageError);
  EXPECT_THROW(parse_sweep_preset({{"workloads", {"a;rm -rf /"}}}, where), UsageError);
  const SweepPreset p = parse_sweep_preset({{"gpus", {1, 2}}, {"time", "00:10:00"}}, where);
  ASSERT_TRUE(p.gpus.has_value());
  EXPECT_EQ(*p.gpus, (std::vector<std::int64_t>{1, 2}));
  EXPECT_FALSE(p.steps.has_value());
}

}  // namespace
}  // namespace scalebench

namespace scalebench {
namespace {

// The rate the report prices a GPU-hour at: GPUs, the cores and memory a job asks per GPU, and a
// GPU's share of a node rate (of the first node type with GPUs).
TEST(BillingRate, EveryRatePartCounts) {
  ClusterProfile c;
  c.billing.unit = "BU";
  c.resources.cpus_per_gpu = 10;
  c.resources.memory_per_gpu_gb = 80;
  NodeType cpu_only;
  cpu_only.gpus = 0;
  NodeType gpu_node;
  gpu_node.gpus = 4;
  c.node_types = {cpu_only, gpu_node};
  EXPECT_FALSE(billing_per_gpu_hour(c).has_value()) << "no rate at all prices nothing";
  c.billing.per_gpu_hour = 60;
  EXPECT_DOUBLE_EQ(*billing_per_gpu_hour(c), 60.0);
  c.billing.per_core_hour = 1;
  c.billing.per_gib_hour = 0.1;
  EXPECT_DOUBLE_EQ(*billing_per_gpu_hour(c), 60.0 + 10.0 + 8.0);
  c.billing.per_node_hour = 20;
  EXPECT_DOUBLE_EQ(*billing_per_gpu_hour(c), 60.0 + 10.0 + 8.0 + 5.0);
  c.billing.unit = "none";
  EXPECT_FALSE(billing_per_gpu_hour(c).has_value()) << "unit none bills nothing";
}

}  // namespace
}  // namespace scalebench
