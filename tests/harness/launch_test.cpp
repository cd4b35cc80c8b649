// Launch detection: Slurm and Open MPI variables cross-checked against MPI's view.
#include <gtest/gtest.h>

#include "harness/launch.hpp"
#include "records/errors.hpp"

namespace scalebench {
namespace {

TEST(Launch, NoLauncherIsASingleProcess) {
  const LaunchInfo l = check_launch(0, 1, 0, 1, 1, {});
  EXPECT_EQ(l.launcher, "none");
  EXPECT_EQ(l.size, 1);
}

TEST(Launch, MpirunVariablesMustAgree) {
  const Environment ok{{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_SIZE", "4"},
                       {"OMPI_COMM_WORLD_LOCAL_RANK", "0"}};
  EXPECT_EQ(check_launch(2, 4, 0, 2, 2, ok).launcher, "mpirun");
  EXPECT_THROW(check_launch(0, 1, 0, 1, 1, ok), UsageError);
}

TEST(Launch, SrunWithoutPmiIsCaught) {
  // srun started 4 tasks, but MPI initialised each as a singleton: the classic missing --mpi=pmix.
  const Environment env{{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "3"},
                        {"SLURM_STEP_NUM_TASKS", "4"}, {"SLURM_LOCALID", "3"}};
  try {
    check_launch(0, 1, 0, 1, 1, env);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--mpi=pmix"), std::string::npos);
  }
  EXPECT_EQ(check_launch(3, 4, 3, 4, 1, env).launcher, "srun");
}

TEST(Launch, DeviceIsTheLocalRank) {
  LaunchInfo l;
  l.local_rank = 2;
  l.local_size = 4;
  EXPECT_EQ(device_for_rank(l, 4, "cuda"), 2);
  EXPECT_EQ(device_for_rank(l, 1, "cuda"), 0);  // per-task binding
  EXPECT_THROW(device_for_rank(l, 2, "cuda"), UsageError);
  EXPECT_THROW(device_for_rank(l, 0, "hip"), UsageError);
  EXPECT_EQ(device_for_rank(l, 0, "cpu"), 0);
}

}  // namespace
}  // namespace scalebench
