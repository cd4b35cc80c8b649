// predict's table of scalebench's own parameter counts (for a measured table naming a workload)
// must be the layer tables' counts.
#include <gtest/gtest.h>

#include "reports/predict.hpp"
#include "workloads/workload.hpp"

namespace scalebench {
namespace {

TEST(KnownModels, PredictParameterCountsAreTheLayerTables) {
  for (const char* name : {"mnist_cnn", "resnet50", "vit_b16"}) {
    const WorkloadInfo& info = find_workload(name);
    const Model model = build_model(info, 1, info.default_image_size);
    ASSERT_TRUE(reports::known_model_parameters(name)) << name;
    EXPECT_EQ(*reports::known_model_parameters(name), model.parameters()) << name;
  }
  EXPECT_FALSE(reports::known_model_parameters("gpt2"));
}

}  // namespace
}  // namespace scalebench
