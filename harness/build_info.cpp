// `scalebench --version` from the build facts (the facts themselves: build_info_data.cpp.in).
#include "harness/build_info.hpp"

namespace scalebench {

std::string version_text(const BuildInfo& b) {
  std::string line = "scalebench " + b.version + " (" + b.git_commit;
  if (b.report_only) {
    line += "; report-only";
  } else {
    line += "; backends " + b.backends;
    if (b.gpu == "cuda") line += "; CUDA archs " + b.gpu_architectures;
    if (b.gpu == "hip") line += "; HIP archs " + b.gpu_architectures;
    line += "; MPI " + b.mpi + "; BLAS " + b.blas;
  }
  line += ")";
  line += "\ncompiler: " + b.compiler + " (" + b.build_type + ")";
  if (!b.report_only) {
    line += "\ncollectives: " + b.collectives;
    if (!b.mpi_library.empty()) line += "\nMPI library: " + b.mpi_library;
  }
  line += "\nlibraries: " + b.libraries;
  return line;
}

}  // namespace scalebench
