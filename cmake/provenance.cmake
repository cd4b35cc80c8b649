# Build facts stamped into the binary (`scalebench --version`) and every result file. Two kinds:
# - what configuring decided (backends, GPU architectures, MPI, BLAS, compiler, library versions):
#   set here as SCALEBENCH_BUILD_* and configured into harness/build_info_data.cpp.in;
# - the commit, which changes without a new configure: cmake/git_commit.cmake writes it into a
#   generated header at every build (target scalebench_git_commit, harness/CMakeLists.txt).
# Included after the dependencies (MPI, BLAS) and cmake/gpu.cmake.

# A packager building from a release tarball (Spack, EasyBuild: no .git) names the commit.
set(SCALEBENCH_GIT_COMMIT "" CACHE STRING
    "Commit to record instead of asking git (builds from a release tarball); empty: git describe at every build")
if(NOT SCALEBENCH_GIT_COMMIT STREQUAL "" AND NOT SCALEBENCH_GIT_COMMIT MATCHES "^[A-Za-z0-9][A-Za-z0-9._+-]*$")
  message(FATAL_ERROR "SCALEBENCH_GIT_COMMIT='${SCALEBENCH_GIT_COMMIT}': use letters, digits and . _ + - "
                      "(a hash or a tag, e.g. v0.2.0 or 6130c3e)")
endif()
find_package(Git QUIET)

# A fact as a C string literal's contents (the values are configured into C++ source).
function(scalebench_c_string out value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  string(REPLACE "\n" "\\n" value "${value}")
  string(REPLACE "\t" " " value "${value}")
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

set(SCALEBENCH_BUILD_REPORT_ONLY 0)
set(SCALEBENCH_BUILD_BACKENDS "")
set(SCALEBENCH_BUILD_GPU "")
set(SCALEBENCH_BUILD_GPU_ARCHITECTURES "")
set(SCALEBENCH_BUILD_COLLECTIVES "")
set(SCALEBENCH_BUILD_MPI "")
set(SCALEBENCH_BUILD_MPI_LIBRARY "")
set(SCALEBENCH_BUILD_BLAS "")
if(SCALEBENCH_REPORT_ONLY)
  set(SCALEBENCH_BUILD_REPORT_ONLY 1)
else()
  set(SCALEBENCH_BUILD_BACKENDS "cpu")
  set(SCALEBENCH_BUILD_COLLECTIVES "mpi")
  if(SCALEBENCH_HAVE_CUDA)
    set(SCALEBENCH_BUILD_GPU "cuda")
  elseif(SCALEBENCH_HAVE_HIP)
    set(SCALEBENCH_BUILD_GPU "hip")
  endif()
  if(SCALEBENCH_BUILD_GPU)
    string(APPEND SCALEBENCH_BUILD_BACKENDS ", ${SCALEBENCH_BUILD_GPU}")
    set(SCALEBENCH_BUILD_GPU_ARCHITECTURES "${SCALEBENCH_GPU_ARCHITECTURES}")
    if(SCALEBENCH_HAVE_NCCL AND SCALEBENCH_HAVE_HIP)
      set(nccl_name "rccl")
    elseif(SCALEBENCH_HAVE_NCCL)
      set(nccl_name "nccl")
    endif()
    if(SCALEBENCH_HAVE_NCCL)
      # The headers' version (the library's own is recorded by each run: ncclGetVersion).
      set(nccl_version "")
      if(NCCL_INCLUDE_DIR AND EXISTS "${NCCL_INCLUDE_DIR}/nccl.h")
        file(STRINGS "${NCCL_INCLUDE_DIR}/nccl.h" nccl_defines REGEX "^#define NCCL_(MAJOR|MINOR|PATCH) ")
        foreach(part MAJOR MINOR PATCH)
          string(REGEX MATCH "NCCL_${part} +([0-9]+)" _ "${nccl_defines}")
          list(APPEND nccl_version "${CMAKE_MATCH_1}")
        endforeach()
        list(JOIN nccl_version "." nccl_version)
      elseif(rccl_VERSION)
        set(nccl_version "${rccl_VERSION}")
      endif()
      string(APPEND SCALEBENCH_BUILD_COLLECTIVES ", ${nccl_name} ${nccl_version}")
    else()
      string(APPEND SCALEBENCH_BUILD_COLLECTIVES ", mpi-host-staging")
    endif()
  endif()
  # FindMPI knows the library (Open MPI v4.1.4, MPICH 4.0) only with MPI_DETERMINE_LIBRARY_VERSION;
  # else the standard it implements. Its first line up to the first comma fits the version line.
  if(MPI_CXX_LIBRARY_VERSION_STRING AND NOT MPI_CXX_LIBRARY_VERSION_STRING STREQUAL "NOTFOUND")
    set(SCALEBENCH_BUILD_MPI_LIBRARY "${MPI_CXX_LIBRARY_VERSION_STRING}")
    string(REGEX REPLACE "[\r\n].*" "" mpi_short "${MPI_CXX_LIBRARY_VERSION_STRING}")
    string(REGEX REPLACE ",.*" "" mpi_short "${mpi_short}")
    string(REGEX REPLACE "[ \t]+" " " mpi_short "${mpi_short}")
    string(STRIP "${mpi_short}" SCALEBENCH_BUILD_MPI)
  else()
    set(SCALEBENCH_BUILD_MPI "standard ${MPI_CXX_VERSION}")
  endif()
  set(SCALEBENCH_BUILD_BLAS "${SCALEBENCH_BLAS_VENDOR}")
  if(SCALEBENCH_BUILD_BLAS STREQUAL "")
    set(SCALEBENCH_BUILD_BLAS "OpenBLAS")
  endif()
endif()
set(SCALEBENCH_BUILD_COMPILER "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")
set(SCALEBENCH_BUILD_LIBRARIES "fmt ${fmt_VERSION}, nlohmann_json ${nlohmann_json_VERSION}, CLI11 ${CLI11_VERSION}")
set(SCALEBENCH_BUILD_TYPE "${CMAKE_BUILD_TYPE}")

foreach(fact REPORT_ONLY BACKENDS GPU GPU_ARCHITECTURES COLLECTIVES MPI MPI_LIBRARY BLAS COMPILER
             LIBRARIES TYPE)
  scalebench_c_string(SCALEBENCH_BUILD_${fact}_C "${SCALEBENCH_BUILD_${fact}}")
endforeach()
