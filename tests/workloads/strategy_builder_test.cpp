// The device side of the strategy table: every row builds, and each builder follows its options.
#include <gtest/gtest.h>

#include "workloads/data_parallel.hpp"
#include "workloads/workload.hpp"

namespace scalebench {
namespace {

Model small_model() { return build_model(find_workload("mnist_cnn"), 2, 28); }

TEST(StrategyBuilders, EveryRowHasOne) {
  const Model model = small_model();
  for (const StrategyInfo& s : strategies()) {
    ASSERT_TRUE(has_builder(s)) << s.name;
    const StrategyConfig config = make_strategy(s, model, StrategyOptions{});
    EXPECT_EQ(config.name, s.name);
    EXPECT_FALSE(config.units.empty()) << s.name;
  }
}

TEST(StrategyBuilders, FollowTheirOptions) {
  const Model model = small_model();
  StrategyOptions o;
  o.overlap = true;
  o.packs = 2;
  const StrategyConfig ddp = make_strategy(find_strategy("ddp"), model, o);
  EXPECT_TRUE(ddp.overlap);
  o.overlap = false;
  EXPECT_FALSE(make_strategy(find_strategy("ddp"), model, o).overlap);
  const StrategyConfig mirrored = make_strategy(find_strategy("mirrored"), model, o);
  EXPECT_FALSE(mirrored.overlap);  // packs travel after backward
  EXPECT_EQ(mirrored.units.size(), 2u);
}

}  // namespace
}  // namespace scalebench
