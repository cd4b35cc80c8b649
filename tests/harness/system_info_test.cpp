// The provenance a run records: the environment filter (what is kept, what never is, the bounds)
// and the --version text's shape.
#include <gtest/gtest.h>

#include <string>

#include "harness/build_info.hpp"
#include "harness/system_info.hpp"
#include "records/result.hpp"

namespace scalebench {
namespace {

TEST(FilteredEnvironment, KeepsWhatChangesARunAndNothingElse) {
  const Environment env = {{"NCCL_DEBUG", "INFO"},
                           {"OMP_NUM_THREADS", "8"},
                           {"CUDA_VISIBLE_DEVICES", "0,1"},
                           {"ROCR_VISIBLE_DEVICES", "2"},
                           {"OMPI_MCA_btl", "^openib"},
                           {"UCX_TLS", "rc,sm"},
                           {"FI_PROVIDER", "cxi"},
                           {"LOADEDMODULES", "gcc/12:openmpi/4.1"},
                           {"HOME", "/root"},
                           {"PATH", "/usr/bin"},
                           {"AWS_SECRET_ACCESS_KEY", "abc"},
                           {"NCCL_SECRET", "abc"},
                           {"UCX_AUTH_TOKEN", "abc"},
                           {"OMPI_MCA_orte_precondition_transports", "a32d7b3d09d85de1-e3dd42677c0c9e47"},
                           {"SLURM_JOB_ID", "42"},
                           {"_VISIBLE_DEVICES", "x"},
                           {"OMPI_COMM_WORLD_RANK", "0"}};
  const Environment kept = filtered_environment(env);
  const Environment want = {{"NCCL_DEBUG", "INFO"},         {"OMP_NUM_THREADS", "8"},
                            {"CUDA_VISIBLE_DEVICES", "0,1"}, {"ROCR_VISIBLE_DEVICES", "2"},
                            {"OMPI_MCA_btl", "^openib"},     {"UCX_TLS", "rc,sm"},
                            {"FI_PROVIDER", "cxi"},          {"LOADEDMODULES", "gcc/12:openmpi/4.1"}};
  EXPECT_EQ(kept, want);
}

TEST(FilteredEnvironment, IsBoundedAndValidUtf8) {
  Environment env;
  for (std::size_t i = 0; i < kMaxRecordedVariables + 10; ++i) env["OMP_X" + std::to_string(1000 + i)] = "1";
  // A long value whose cut would fall inside a two-byte character, and invalid bytes.
  env["NCCL_A"] = std::string(kMaxRecordedValueBytes - 1, 'a') + "\xC3\xA9" + "tail";
  env["NCCL_B"] = std::string("x\xFFy\xC3");
  const Environment kept = filtered_environment(env);
  EXPECT_EQ(kept.size(), kMaxRecordedVariables);
  ASSERT_TRUE(kept.count("NCCL_A"));
  EXPECT_EQ(kept.at("NCCL_A"), std::string(kMaxRecordedValueBytes - 1, 'a') + " [truncated, " +
                                   std::to_string(kMaxRecordedValueBytes + 5) + " bytes]");
  EXPECT_EQ(kept.at("NCCL_B"), "x\xEF\xBF\xBDy\xEF\xBF\xBD");
  // The record with them can be written (nlohmann refuses invalid UTF-8).
  ResultRecord r;
  r.provenance.environment = kept;
  EXPECT_NO_THROW((void)nlohmann::json(r).dump());
}

TEST(VersionText, NamesBackendsArchitecturesMpiAndBlas) {
  BuildInfo b;
  b.version = "0.2.0";
  b.git_commit = "6130c3e1a2b4-dirty";
  b.backends = "cpu, cuda";
  b.gpu = "cuda";
  b.gpu_architectures = "80-real,90";
  b.collectives = "mpi, nccl 2.21.5";
  b.mpi = "Open MPI v4.1.4";
  b.blas = "OpenBLAS";
  b.compiler = "GNU 12.2.0";
  b.libraries = "fmt 9.1.0";
  b.build_type = "Release";
  const std::string text = version_text(b);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "scalebench 0.2.0 (6130c3e1a2b4-dirty; backends cpu, cuda; CUDA archs 80-real,90; MPI "
            "Open MPI v4.1.4; BLAS OpenBLAS)");
  EXPECT_NE(text.find("\ncollectives: mpi, nccl 2.21.5"), std::string::npos);
  b.report_only = true;
  const std::string ro = version_text(b);
  EXPECT_EQ(ro.substr(0, ro.find('\n')), "scalebench 0.2.0 (6130c3e1a2b4-dirty; report-only)");
  EXPECT_EQ(ro.find("MPI"), std::string::npos);
  EXPECT_EQ(ro.find("BLAS"), std::string::npos);
}

}  // namespace
}  // namespace scalebench
