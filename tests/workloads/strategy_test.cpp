// The strategy table: one row per name of the result format, each with its layout and the options
// its records hold.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "records/errors.hpp"
#include "records/vocabulary.hpp"
#include "workloads/strategies.hpp"

namespace scalebench {
namespace {

TEST(Strategies, OneRowPerVocabularyName) {
  std::multiset<std::string_view> rows;
  for (const StrategyInfo& s : strategies()) rows.insert(s.name);
  ASSERT_EQ(rows.size(), vocabulary::kStrategies.size());
  for (std::string_view name : vocabulary::kStrategies) {
    EXPECT_EQ(rows.count(name), 1u) << name;
    ASSERT_NE(lookup_strategy(name), nullptr) << name;
    EXPECT_EQ(find_strategy(name).name, name);
    EXPECT_FALSE(find_strategy(name).description.empty()) << name;
  }
  EXPECT_EQ(strategy_names(), vocabulary::joined(vocabulary::kStrategies));
}

TEST(Strategies, Layouts) {
  EXPECT_EQ(find_strategy("ddp").layout, ProcessLayout::per_device);
  EXPECT_EQ(find_strategy("mirrored").layout, ProcessLayout::per_node);
}

StrategyOptions some_options() {
  return {.bucket_mb = 12.5,
          .first_bucket_mb = 0.5,
          .overlap = false,
          .packs = 3,
          .graph = true,
          .devices_per_process = 4};
}

TEST(Strategies, DdpRecordsItsBucketsOverlapAndGraph) {
  const nlohmann::json o = find_strategy("ddp").recorded_options(some_options());
  const nlohmann::json want = {
      {"bucket_mb", 12.5}, {"first_bucket_mb", 0.5}, {"overlap", false}, {"graph", true}};
  EXPECT_EQ(o, want) << o.dump();
}

TEST(Strategies, MirroredRecordsItsPacksDevicesAndGraph) {
  const nlohmann::json o = find_strategy("mirrored").recorded_options(some_options());
  const nlohmann::json want = {{"packs", 3}, {"devices_per_process", 4}, {"graph", true}};
  EXPECT_EQ(o, want) << o.dump();
  EXPECT_TRUE(o["packs"].is_number_integer());
  EXPECT_TRUE(o["devices_per_process"].is_number_integer());
}

TEST(Strategies, UnknownNameRefusedNamingTheValidOnes) {
  EXPECT_EQ(lookup_strategy("fsdp"), nullptr);
  EXPECT_EQ(lookup_strategy(""), nullptr);
  EXPECT_EQ(lookup_strategy("DDP"), nullptr);
  try {
    find_strategy("fsdp");
    FAIL() << "fsdp accepted";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown strategy 'fsdp' (valid: ddp, mirrored)");
  }
  // A name with a control character is shown on one line.
  try {
    find_strategy("a\nb");
    FAIL() << "a\\nb accepted";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown strategy 'a\\nb' (valid: ddp, mirrored)");
  }
}

}  // namespace
}  // namespace scalebench
