// Resolving a run point: defaults, weak vs strong scaling, and refusals of bad input.
#include <gtest/gtest.h>

#include "harness/runner.hpp"
#include "records/errors.hpp"

namespace scalebench {
namespace {

RunOptions base() {
  RunOptions o;
  o.workload = "mnist_cnn";
  o.backend = "cpu";
  return o;
}

TEST(Resolve, DefaultsComeFromTheWorkload) {
  const ResolvedRun r = resolve_run(base(), 1);
  EXPECT_EQ(r.batch_per_device, 64);
  EXPECT_EQ(r.image_size, 28);
  EXPECT_EQ(r.local_devices, 1);
}

TEST(Resolve, GlobalBatchSplitsOverAllDevices) {
  RunOptions o = base();
  o.strategy = "mirrored";
  o.devices = 2;
  o.global_batch = 64;
  EXPECT_EQ(resolve_run(o, 4).batch_per_device, 8);  // 4 processes x 2 devices
  o.global_batch = 60;
  try {
    resolve_run(o, 4);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("does not divide evenly over 8 devices"), std::string::npos);
  }
}

TEST(Resolve, BadInputIsAUsageError) {
  RunOptions o = base();
  o.workload = "alexnet";
  EXPECT_THROW(resolve_run(o, 1), UsageError);
  o = base();
  o.precision = "fp8";
  EXPECT_THROW(resolve_run(o, 1), UsageError);
  o = base();
  o.precision = "bf16";  // the CPU backend runs fp32 only
  EXPECT_THROW(resolve_run(o, 1), UsageError);
  o = base();
  o.backend = "tpu";
  EXPECT_THROW(resolve_run(o, 1), UsageError);
  o = base();
  o.steps = 0;
  EXPECT_THROW(resolve_run(o, 1), UsageError);
  o = base();
  o.batch = -1;
  EXPECT_THROW(resolve_run(o, 1), UsageError);
  o = base();
  o.strategy = "fsdp";
  EXPECT_THROW(resolve_run(o, 1), UsageError);
  o = base();
  o.image_size = 8;
  EXPECT_THROW(resolve_run(o, 1), UsageError);
  o = base();
  o.devices = 2;  // ddp is one device per process
  EXPECT_THROW(resolve_run(o, 1), UsageError);
}

}  // namespace
}  // namespace scalebench
