// What this binary is: version, commit, backends, libraries. Facts come from CMake
// (cmake/provenance.cmake at configure time, cmake/git_commit.cmake at every build) into one
// generated translation unit, so a new commit recompiles one file.
#pragma once

#include <string>

namespace scalebench {

struct BuildInfo {
  std::string version;             // PROJECT_VERSION, "0.2.0"
  std::string git_commit;          // `git describe` ("6130c3e1a2b4", "v0.2.0-3-g6130c3e1a2b4-dirty") or "unknown"
  bool report_only = false;        // SCALEBENCH_REPORT_ONLY: no backends, MPI or BLAS
  std::string backends;            // "cpu" or "cpu, cuda" / "cpu, hip"; empty when report-only
  std::string gpu;                 // "cuda", "hip" or ""
  std::string gpu_architectures;   // what kernels were compiled for: "80-real,90", "gfx90a"
  std::string collectives;         // "mpi", "mpi, nccl 2.21.5" (headers' version), "mpi, mpi-host-staging"
  std::string mpi;                 // "Open MPI v4.1.4", or "standard 3.1" when FindMPI did not ask the library
  std::string mpi_library;         // FindMPI's MPI_Get_library_version output, when it ran it
  std::string blas;                // SCALEBENCH_BLAS_VENDOR ("OpenBLAS")
  std::string compiler;            // "GNU 12.2.0"
  std::string libraries;           // "fmt 9.1.0, nlohmann_json 3.11.2, CLI11 2.3.2"
  std::string build_type;          // CMAKE_BUILD_TYPE
};

// This binary's facts.
const BuildInfo& build_info();

// `scalebench --version`: the first line is
//   scalebench 0.2.0 (6130c3e1a2b4-dirty; backends cpu, cuda; CUDA archs 80-real,90; MPI Open MPI v4.1.4; BLAS OpenBLAS)
// or, for a report-only build, `scalebench 0.2.0 (6130c3e1a2b4; report-only)`; the lines after it
// name the compiler, the collectives and the libraries. No trailing newline.
std::string version_text(const BuildInfo& info);

}  // namespace scalebench
