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
