# Dependencies as clusters provide them (Debian packages, Spack, EasyBuild, modules, Cray PE):
# compiler minimums, find_package with imported targets and stated minimum versions, the BLAS
# (scalebench::blas), and a configure error naming what to install and which variable to set.
# docs/building.md describes all of it; the README's dependency table lists the Debian packages.
#
# Sets for the rest of the build: SCALEBENCH_BLAS_VENDOR (OpenBLAS, FlexiBLAS, BLIS, Generic,
# or what FindBLAS found), SCALEBENCH_BLAS_LIBRARIES, the target scalebench::blas.
include_guard(GLOBAL)

# Opt-in download of the three header-style libraries when find_package does not find them.
# OFF by default: Spack, EasyBuild and distribution builds stay hermetic (no network at configure).
option(SCALEBENCH_FETCH_DEPS
  "Download nlohmann-json, CLI11 and fmt (pinned versions, checked hashes) when not found" OFF)

# ------------------------------------------------------------------------------- compilers
# What the sources need of C++20: designated initializers, defaulted <=>, std::span,
# string::ends_with, std::jthread (reports/loader.cpp), integer std::from_chars. GCC 11 is the
# first GCC whose C++20 mode is complete enough (and the oldest in current cluster toolchains:
# EasyBuild foss/2022a); clang 14 with libstdc++ is what CI builds with (Debian 12). With libc++
# std::jthread needs LLVM 18 (macOS, some clang-only stacks): build against libstdc++ there.
set(scalebench_min_gcc 11)
set(scalebench_min_clang 14)
set(scalebench_min_intelllvm 2023.0)
set(scalebench_cxx_id "${CMAKE_CXX_COMPILER_ID}")
set(scalebench_cxx_version "${CMAKE_CXX_COMPILER_VERSION}")
if(scalebench_cxx_id STREQUAL "GNU" AND scalebench_cxx_version VERSION_LESS scalebench_min_gcc)
  message(FATAL_ERROR "scalebench needs GCC >= ${scalebench_min_gcc} (C++20); ${CMAKE_CXX_COMPILER} "
    "is GCC ${scalebench_cxx_version}. Load a newer compiler (module load gcc/12, or the "
    "foss/2022a or newer toolchain) and configure a fresh build folder with CXX set to it.")
elseif(scalebench_cxx_id STREQUAL "Clang" AND scalebench_cxx_version VERSION_LESS scalebench_min_clang)
  message(FATAL_ERROR "scalebench needs Clang >= ${scalebench_min_clang} (C++20); ${CMAKE_CXX_COMPILER} "
    "is Clang ${scalebench_cxx_version}. Load a newer compiler (Debian: clang-14 or newer) and "
    "configure a fresh build folder with CXX set to it.")
elseif(scalebench_cxx_id STREQUAL "IntelLLVM" AND scalebench_cxx_version VERSION_LESS scalebench_min_intelllvm)
  message(FATAL_ERROR "scalebench needs Intel oneAPI icpx >= ${scalebench_min_intelllvm}; "
    "${CMAKE_CXX_COMPILER} is ${scalebench_cxx_version}.")
elseif(NOT scalebench_cxx_id MATCHES "^(GNU|Clang|IntelLLVM|Cray|CrayClang)$")
  message(WARNING "scalebench: compiler ${scalebench_cxx_id} ${scalebench_cxx_version} is untested "
    "(tested: GCC >= ${scalebench_min_gcc}, Clang >= ${scalebench_min_clang}; amdclang, Cray CCE "
    "and icpx are clang-based). Expect to fix C++20 gaps by hand.")
endif()

# Warnings every supported compiler accepts; the GCC-only switches only for GCC, and only for
# C++ sources and nvcc's host compiler (not ROCm's clang): -Wno-array-bounds and
# -Wno-restrict silence GCC 12 false positives in libstdc++ strings and nlohmann::json (GCC bugs
# 105329, 106199); clang does not know -Wno-restrict and warns about it in every file.
if(scalebench_cxx_id MATCHES "^(GNU|Clang|AppleClang|IntelLLVM|Cray|CrayClang)$")
  add_compile_options(-Wall -Wextra)
endif()
if(scalebench_cxx_id STREQUAL "GNU")
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-Wno-array-bounds>
                      $<$<COMPILE_LANGUAGE:CXX>:-Wno-restrict>
                      $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wno-array-bounds>
                      $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wno-restrict>)
endif()

# --------------------------------------------------------------------- missing-package error
# One message for every missing dependency: what it is for, the minimum version, the Debian
# package, and the variables that point CMake at a module/Spack/EasyBuild install.
function(scalebench_missing_dependency name min_version purpose debian variables)
  set(considered "")
  if(${name}_CONSIDERED_CONFIGS)
    set(considered "\n  Considered and refused (version): ")
    foreach(config version IN ZIP_LISTS ${name}_CONSIDERED_CONFIGS ${name}_CONSIDERED_VERSIONS)
      string(APPEND considered "${config} (${version}) ")
    endforeach()
  endif()
  set(fetch "")
  if(ARGN)
    set(fetch "\n  Or configure with -DSCALEBENCH_FETCH_DEPS=ON to download a pinned ${ARGN}.")
  endif()
  message(FATAL_ERROR "scalebench: ${name} >= ${min_version} not found (${purpose}).\n"
    "  Debian/Ubuntu: apt-get install ${debian}\n"
    "  A module, Spack or EasyBuild install: load it, or configure with ${variables}${fetch}"
    "${considered}")
endfunction()

# ------------------------------------------------------------- header-style libraries (+ fetch)
# Pinned for SCALEBENCH_FETCH_DEPS=ON; the hashes are those of the upstream release archives.
# FETCHCONTENT_SOURCE_DIR_<NAME> (e.g. FETCHCONTENT_SOURCE_DIR_FMT=/path/to/fmt-11.0.2) uses an
# unpacked copy instead, for machines without a network.
set(scalebench_fetch_nlohmann_json_version 3.11.3)
set(scalebench_fetch_nlohmann_json_url
  "https://github.com/nlohmann/json/releases/download/v3.11.3/json.tar.xz")
set(scalebench_fetch_nlohmann_json_sha256 d6c65aca6b1ed68e7a182f4757257b107ae403032760ed6ef121c9d55e81757d)
set(scalebench_fetch_CLI11_version 2.4.2)
set(scalebench_fetch_CLI11_url "https://github.com/CLIUtils/CLI11/archive/refs/tags/v2.4.2.tar.gz")
set(scalebench_fetch_CLI11_sha256 f2d893a65c3b1324c50d4e682c0cdc021dd0477ae2c048544f39eed6654b699a)
set(scalebench_fetch_fmt_version 11.0.2)
set(scalebench_fetch_fmt_url "https://github.com/fmtlib/fmt/archive/refs/tags/11.0.2.tar.gz")
set(scalebench_fetch_fmt_sha256 6cb1e6d37bdcb756dbbe59be438790db409cdb4868c66e888d5df9f13f7c027f)

# Downloads and adds one of the three (as a subproject, not installed with scalebench: fmt is
# linked statically, the other two are headers), or stops with the missing-package message.
function(scalebench_fetch_or_fail name min_version purpose debian variables)
  if(NOT SCALEBENCH_FETCH_DEPS)
    scalebench_missing_dependency(${name} ${min_version} "${purpose}" "${debian}" "${variables}"
      "${name} ${scalebench_fetch_${name}_version}")
  endif()
  include(FetchContent)
  message(STATUS "scalebench: ${name} not found: fetching ${name} ${scalebench_fetch_${name}_version} "
                 "(SCALEBENCH_FETCH_DEPS=ON)")
  # The subprojects' own tests, docs and install rules stay off.
  set(JSON_BuildTests OFF CACHE INTERNAL "")
  set(JSON_Install OFF CACHE INTERNAL "")
  set(CLI11_BUILD_TESTS OFF CACHE INTERNAL "")
  set(CLI11_BUILD_EXAMPLES OFF CACHE INTERNAL "")
  set(CLI11_BUILD_DOCS OFF CACHE INTERNAL "")
  set(CLI11_INSTALL OFF CACHE INTERNAL "")
  set(CLI11_PRECOMPILED OFF CACHE INTERNAL "")
  set(FMT_INSTALL OFF CACHE INTERNAL "")
  set(FMT_TEST OFF CACHE INTERNAL "")
  set(FMT_DOC OFF CACHE INTERNAL "")
  FetchContent_Declare(${name}
    URL "${scalebench_fetch_${name}_url}"
    URL_HASH SHA256=${scalebench_fetch_${name}_sha256}
    DOWNLOAD_EXTRACT_TIMESTAMP TRUE
    SYSTEM)
  FetchContent_MakeAvailable(${name})
  set(${name}_VERSION "${scalebench_fetch_${name}_version}" PARENT_SCOPE)
endfunction()

# The minimum versions: nlohmann-json 3.10 (NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE with defaults,
# JSON_DIAGNOSTICS), CLI11 2.1 (Debian 12 ships 2.1.2), fmt 9 (Debian 12's; 11 works too).
find_package(nlohmann_json 3.10 QUIET)
if(NOT nlohmann_json_FOUND)
  scalebench_fetch_or_fail(nlohmann_json 3.10 "result files, plans, profiles" nlohmann-json3-dev
    "-Dnlohmann_json_ROOT=<prefix> or -DCMAKE_PREFIX_PATH=<prefix>")
endif()
find_package(CLI11 2.1 QUIET)
if(NOT CLI11_FOUND)
  scalebench_fetch_or_fail(CLI11 2.1 "the command line" libcli11-dev
    "-DCLI11_ROOT=<prefix> or -DCMAKE_PREFIX_PATH=<prefix>")
endif()
find_package(fmt 9 QUIET)
if(NOT fmt_FOUND)
  scalebench_fetch_or_fail(fmt 9 "formatting" libfmt-dev
    "-Dfmt_ROOT=<prefix> or -DCMAKE_PREFIX_PATH=<prefix>")
endif()
find_package(Threads REQUIRED)

if(SCALEBENCH_REPORT_ONLY)
  return()
endif()

# -------------------------------------------------------------------------------- MPI, OpenMP
# No MPI C++ bindings (deprecated in MPI-2.2, removed in MPI-3): FindMPI leaves them out of
# MPI::MPI_CXX, and the definitions keep mpi.h from pulling them in when CXX=mpicxx, where FindMPI
# adds no flags of its own.
set(MPI_CXX_SKIP_MPICXX ON CACHE BOOL "Leave out the MPI C++ bindings (scalebench uses the C API)")
add_compile_definitions(OMPI_SKIP_MPICXX MPICH_SKIP_MPICXX)
# The library's own version string ("Open MPI v4.1.4, ..."), for --version and the results: FindMPI
# asks the library only when told to (it compiles and runs a small program).
set(MPI_DETERMINE_LIBRARY_VERSION ON)
find_package(MPI COMPONENTS CXX)
if(NOT MPI_CXX_FOUND)
  message(FATAL_ERROR "scalebench: no MPI found for C++ (ranks, bootstrap, the CPU all-reduce).\n"
    "  Debian/Ubuntu: apt-get install libopenmpi-dev openmpi-bin (or libmpich-dev mpich)\n"
    "  A module, Spack or EasyBuild install: load it (module load openmpi / cray-mpich) so that "
    "mpicxx is on PATH, or configure with -DMPI_HOME=<prefix> (or -DMPI_CXX_COMPILER=<mpicxx>); "
    "CXX=mpicxx or the Cray CC wrapper also works")
endif()
# FindMPI still lists libmpi_cxx where mpicxx --showme:link names it (Open MPI 4): not needed.
get_target_property(scalebench_mpi_libs MPI::MPI_CXX INTERFACE_LINK_LIBRARIES)
if(scalebench_mpi_libs)
  list(FILTER scalebench_mpi_libs EXCLUDE REGEX "libmpi_cxx[.]|^mpi_cxx$")
  set_target_properties(MPI::MPI_CXX PROPERTIES INTERFACE_LINK_LIBRARIES "${scalebench_mpi_libs}")
endif()
# OpenMP for the memory passes; the BLAS should share its thread pool (an OpenMP build).
find_package(OpenMP COMPONENTS CXX)
if(NOT OpenMP_CXX_FOUND)
  message(FATAL_ERROR "scalebench: ${scalebench_cxx_id} ${scalebench_cxx_version} has no usable "
    "OpenMP (the CPU backend's memory passes).\n"
    "  GCC: libgomp comes with it. Clang: apt-get install libomp-dev (Debian 12: libomp-14-dev for "
    "clang 14), or point at libomp with -DOpenMP_ROOT=<prefix>.")
endif()

# --------------------------------------------------------------------------------------- BLAS
# CMake's FindBLAS with BLA_VENDOR (CMake's vendor names; BLIS is CMake's "FLAME"):
#   unset          prefer OpenBLAS (Debian: libopenblas-openmp-dev, whose OpenMP threads are the
#                  memory passes' threads), else whatever FindBLAS finds (its "All" search: a
#                  BLAS the compiler links by itself, as Cray's CC wrapper links LibSci, then MKL,
#                  FlexiBLAS, OpenBLAS, ..., the reference libblas)
#   OpenBLAS, FlexiBLAS, BLIS (= FLAME), Generic, or any other FindBLAS vendor: only that one.
# Where to look: OPENBLAS_ROOT / FLEXIBLAS_ROOT / BLIS_ROOT / BLAS_ROOT (variables or environment,
# as Spack's modules set them), EasyBuild's EBROOTOPENBLAS / EBROOTFLEXIBLAS / EBROOTBLIS,
# CMAKE_PREFIX_PATH and the system prefixes; in each also Debian's flavour folders
# (lib/<arch>/openblas-openmp, .../blis-openmp, ...), OpenMP flavour first.
# OPENBLAS_LIBRARY and CBLAS_INCLUDE_DIR (older scalebench, scripts/gpu_check.sh) still name the
# library and the header folder directly.

# The install roots the user named for a vendor, then CMake's prefixes: the ignored ones left out.
function(scalebench_blas_roots out vendor)
  set(names BLAS_ROOT)
  if(vendor STREQUAL "OpenBLAS" OR vendor STREQUAL "")
    list(APPEND names OPENBLAS_ROOT OpenBLAS_ROOT OPENBLAS_HOME OPENBLAS_DIR EBROOTOPENBLAS)
  endif()
  if(vendor STREQUAL "FlexiBLAS" OR vendor STREQUAL "")
    list(APPEND names FLEXIBLAS_ROOT FlexiBLAS_ROOT EBROOTFLEXIBLAS)
  endif()
  if(vendor STREQUAL "FLAME" OR vendor STREQUAL "")
    list(APPEND names BLIS_ROOT EBROOTBLIS)
  endif()
  if(vendor STREQUAL "")
    list(APPEND names CRAY_LIBSCI_PREFIX_DIR)
  endif()
  set(roots "")
  foreach(n IN LISTS names)
    if(DEFINED ${n} AND NOT "${${n}}" STREQUAL "")
      list(APPEND roots "${${n}}")
    endif()
    if(DEFINED ENV{${n}} AND NOT "$ENV{${n}}" STREQUAL "")
      list(APPEND roots "$ENV{${n}}")
    endif()
  endforeach()
  set(env_prefix "$ENV{CMAKE_PREFIX_PATH}")
  string(REPLACE ":" ";" env_prefix "${env_prefix}")
  list(APPEND roots ${CMAKE_PREFIX_PATH} ${env_prefix} ${CMAKE_SYSTEM_PREFIX_PATH})
  set(kept "")
  foreach(r IN LISTS roots)
    get_filename_component(r "${r}" ABSOLUTE)
    if(r IN_LIST CMAKE_IGNORE_PREFIX_PATH OR r IN_LIST CMAKE_SYSTEM_IGNORE_PREFIX_PATH)
      continue()
    endif()
    list(APPEND kept "${r}")
  endforeach()
  list(REMOVE_DUPLICATES kept)
  set(${out} "${kept}" PARENT_SCOPE)
endfunction()

# Debian's per-flavour folders of each vendor (the OpenMP build first).
function(scalebench_blas_flavours out vendor)
  if(vendor STREQUAL "OpenBLAS")
    set(f openblas-openmp openblas-pthread openblas-serial openblas)
  elseif(vendor STREQUAL "FLAME")
    set(f blis-openmp blis-pthread blis-serial blis)
  elseif(vendor STREQUAL "FlexiBLAS")
    set(f flexiblas)
  elseif(vendor STREQUAL "Generic")
    set(f blas)
  else()
    set(f "")
  endif()
  set(${out} "${f}" PARENT_SCOPE)
endfunction()

# One FindBLAS search for one vendor, with the library folders of the roots above put first.
function(scalebench_find_blas_vendor vendor)
  scalebench_blas_roots(roots "${vendor}")
  scalebench_blas_flavours(flavours "${vendor}")
  set(dirs "")
  foreach(r IN LISTS roots)
    foreach(lib IN ITEMS lib/${CMAKE_LIBRARY_ARCHITECTURE} lib64 lib)
      foreach(f IN LISTS flavours)
        if(IS_DIRECTORY "${r}/${lib}/${f}")
          list(APPEND dirs "${r}/${lib}/${f}")
        endif()
      endforeach()
      if(IS_DIRECTORY "${r}/${lib}")
        list(APPEND dirs "${r}/${lib}")
      endif()
    endforeach()
  endforeach()
  if(vendor STREQUAL "OpenBLAS" AND OPENBLAS_LIBRARY)
    set(BLAS_openblas_LIBRARY "${OPENBLAS_LIBRARY}" CACHE FILEPATH "OpenBLAS library" FORCE)
  endif()
  set(CMAKE_LIBRARY_PATH ${dirs} ${CMAKE_LIBRARY_PATH})
  set(BLA_VENDOR "${vendor}")
  if(vendor STREQUAL "")
    set(BLA_VENDOR All)
  endif()
  # FindBLAS prefers the environment's BLA_VENDOR: the caller has read it, and it is put back.
  set(env_vendor "$ENV{BLA_VENDOR}")
  set(ENV{BLA_VENDOR} "")
  find_package(BLAS QUIET)
  set(ENV{BLA_VENDOR} "${env_vendor}")
  set(BLAS_FOUND "${BLAS_FOUND}" PARENT_SCOPE)
  set(BLAS_LIBRARIES "${BLAS_LIBRARIES}" PARENT_SCOPE)
  set(BLAS_LINKER_FLAGS "${BLAS_LINKER_FLAGS}" PARENT_SCOPE)
endfunction()

# The vendor's name for records and --version, from what was asked for or the library found.
function(scalebench_blas_vendor_name out requested libraries)
  set(name "${requested}")
  if(requested STREQUAL "FLAME")
    set(name BLIS)
  elseif(requested STREQUAL "" OR requested STREQUAL "All")
    set(base "")
    if(NOT "${libraries}" STREQUAL "")
      list(GET libraries 0 first)
      get_filename_component(base "${first}" NAME)
    endif()
    if(base STREQUAL "" AND DEFINED ENV{CRAY_LIBSCI_VERSION})
      set(name LibSci)  # linked by the Cray compiler wrapper itself
    elseif(base STREQUAL "")
      set(name implicit)  # linked by the compiler (wrapper) itself
    elseif(base MATCHES "openblas")
      set(name OpenBLAS)
    elseif(base MATCHES "flexiblas")
      set(name FlexiBLAS)
    elseif(base MATCHES "blis")
      set(name BLIS)
    elseif(base MATCHES "mkl")
      set(name MKL)
    elseif(base MATCHES "armpl")
      set(name ArmPL)
    elseif(base MATCHES "sci_")
      set(name LibSci)
    elseif(base MATCHES "^lib(ref)?blas[.]")
      set(name Generic)
    else()
      set(name "${base}")
    endif()
  endif()
  set(${out} "${name}" PARENT_SCOPE)
endfunction()

set(scalebench_blas_requested "${BLA_VENDOR}")
if(NOT "$ENV{BLA_VENDOR}" STREQUAL "")
  set(scalebench_blas_requested "$ENV{BLA_VENDOR}")
endif()
if(scalebench_blas_requested STREQUAL "BLIS")
  set(scalebench_blas_requested FLAME)
endif()
if(scalebench_blas_requested STREQUAL "" OR scalebench_blas_requested STREQUAL "All")
  scalebench_find_blas_vendor(OpenBLAS)
  if(BLAS_FOUND)
    set(scalebench_blas_requested OpenBLAS)
  else()
    scalebench_find_blas_vendor("")
  endif()
else()
  scalebench_find_blas_vendor("${scalebench_blas_requested}")
endif()
if(NOT BLAS_FOUND)
  set(scalebench_blas_debian "libopenblas-openmp-dev (or libblis-openmp-dev with -DBLA_VENDOR=BLIS)")
  if(scalebench_blas_requested STREQUAL "FLAME")
    set(scalebench_blas_debian "libblis-openmp-dev")
  elseif(scalebench_blas_requested STREQUAL "Generic")
    set(scalebench_blas_debian "libblas-dev")
  elseif(scalebench_blas_requested STREQUAL "FlexiBLAS")
    set(scalebench_blas_debian "libflexiblas-dev (Debian 13; Debian 12 has none); EasyBuild: the FlexiBLAS module of the foss toolchain")
  endif()
  message(FATAL_ERROR "scalebench: no BLAS found (BLA_VENDOR=${BLA_VENDOR}$ENV{BLA_VENDOR}; "
    "the CPU backend's GEMMs).\n"
    "  Debian/Ubuntu: apt-get install ${scalebench_blas_debian}\n"
    "  A module, Spack or EasyBuild install: load it, or configure with -DOPENBLAS_ROOT=<prefix> "
    "(FLEXIBLAS_ROOT, BLIS_ROOT, BLAS_ROOT) or -DCMAKE_PREFIX_PATH=<prefix>, and "
    "-DBLA_VENDOR=OpenBLAS|FlexiBLAS|BLIS|Generic to choose one")
endif()
scalebench_blas_vendor_name(SCALEBENCH_BLAS_VENDOR "${scalebench_blas_requested}" "${BLAS_LIBRARIES}")
set(SCALEBENCH_BLAS_LIBRARIES "${BLAS_LIBRARIES}")

# cblas.h of the same library: first beside it (the prefix above its lib folder, with the same
# Debian flavour: lib/<arch>/openblas-openmp -> include/<arch>/openblas-openmp), then in the
# roots' include folders under the vendor's usual subfolder (include/openblas, include/blis,
# include/flexiblas), then CMake's default search.
set(scalebench_cblas_hints "")
set(scalebench_cblas_suffixes "")
scalebench_blas_flavours(scalebench_blas_flavour_dirs "${scalebench_blas_requested}")
foreach(lib IN LISTS BLAS_LIBRARIES)
  if(NOT IS_ABSOLUTE "${lib}")
    continue()
  endif()
  get_filename_component(real "${lib}" REALPATH)
  foreach(path IN ITEMS "${lib}" "${real}")
    get_filename_component(dir "${path}" DIRECTORY)
    get_filename_component(flavour "${dir}" NAME)
    get_filename_component(parent "${dir}" DIRECTORY)
    if(dir MATCHES "^(.*)/lib(64)?/${CMAKE_LIBRARY_ARCHITECTURE}/([^/]+)$")
      list(APPEND scalebench_cblas_hints "${CMAKE_MATCH_1}/include/${CMAKE_LIBRARY_ARCHITECTURE}/${CMAKE_MATCH_3}"
                                         "${CMAKE_MATCH_1}/include/${CMAKE_MATCH_3}")
    endif()
    if(dir MATCHES "^(.*)/lib(64)?(/${CMAKE_LIBRARY_ARCHITECTURE})?$")
      foreach(f IN LISTS scalebench_blas_flavour_dirs)
        list(APPEND scalebench_cblas_hints "${CMAKE_MATCH_1}/include/${f}")
      endforeach()
      list(APPEND scalebench_cblas_hints "${CMAKE_MATCH_1}/include")
    endif()
  endforeach()
endforeach()
scalebench_blas_roots(scalebench_blas_root_dirs "${scalebench_blas_requested}")
foreach(r IN LISTS scalebench_blas_root_dirs)
  foreach(f IN LISTS scalebench_blas_flavour_dirs)
    list(APPEND scalebench_cblas_suffixes "include/${CMAKE_LIBRARY_ARCHITECTURE}/${f}" "include/${f}")
  endforeach()
endforeach()
list(REMOVE_DUPLICATES scalebench_cblas_suffixes)
list(REMOVE_DUPLICATES scalebench_cblas_hints)
find_path(CBLAS_INCLUDE_DIR cblas.h HINTS ${scalebench_cblas_hints} NO_DEFAULT_PATH)
find_path(CBLAS_INCLUDE_DIR cblas.h
  HINTS ${scalebench_blas_root_dirs}
  PATH_SUFFIXES ${scalebench_cblas_suffixes} include)
if(NOT CBLAS_INCLUDE_DIR AND "${BLAS_LIBRARIES}" STREQUAL "")
  # A BLAS the compiler wrapper links by itself (Cray LibSci) comes with its headers on the
  # wrapper's include path: nothing to add.
  set(CBLAS_INCLUDE_DIR "" CACHE PATH "Folder of cblas.h" FORCE)
elseif(NOT CBLAS_INCLUDE_DIR)
  message(FATAL_ERROR "scalebench: found the ${SCALEBENCH_BLAS_VENDOR} BLAS (${BLAS_LIBRARIES}) "
    "but no cblas.h for it (looked in ${scalebench_cblas_hints}). Set -DCBLAS_INCLUDE_DIR=<folder "
    "with cblas.h>; Debian: the -dev package of that BLAS (libopenblas-openmp-dev, "
    "libblis-openmp-dev, libblas-dev).")
endif()

# The header and the library must go together: cblas_sgemm must link; a BLAS without the CBLAS
# interface gets libcblas. Vendor extras (version strings, thread counts) are used only where
# they link, else the record falls back to the portable facts (vendor name, OpenMP threads).
include(CheckCXXSourceCompiles)
include(CMakePushCheckState)
set(scalebench_cblas_probe "#include <cblas.h>
int main() {
  float a = 1.0f, b = 1.0f, c = 0.0f;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1);
  return c == 1.0f ? 0 : 1;
}")
function(scalebench_blas_links out code)
  string(MD5 key "${code};${CBLAS_INCLUDE_DIR};${ARGN}")
  cmake_push_check_state(RESET)
  set(CMAKE_REQUIRED_QUIET ON)
  set(CMAKE_REQUIRED_INCLUDES "${CBLAS_INCLUDE_DIR}")
  set(CMAKE_REQUIRED_LIBRARIES ${ARGN} ${BLAS_LINKER_FLAGS} OpenMP::OpenMP_CXX Threads::Threads)
  check_cxx_source_compiles("${code}" SCALEBENCH_BLAS_LINKS_${key})
  cmake_pop_check_state()
  set(${out} ${SCALEBENCH_BLAS_LINKS_${key}} PARENT_SCOPE)
endfunction()
scalebench_blas_links(scalebench_cblas_ok "${scalebench_cblas_probe}" ${BLAS_LIBRARIES})
if(NOT scalebench_cblas_ok)
  find_library(CBLAS_LIBRARY NAMES cblas HINTS ${scalebench_blas_root_dirs})
  if(CBLAS_LIBRARY)
    list(APPEND SCALEBENCH_BLAS_LIBRARIES "${CBLAS_LIBRARY}")
    scalebench_blas_links(scalebench_cblas_ok "${scalebench_cblas_probe}" ${SCALEBENCH_BLAS_LIBRARIES})
  endif()
endif()
if(NOT scalebench_cblas_ok)
  message(FATAL_ERROR "scalebench: ${CBLAS_INCLUDE_DIR}/cblas.h and ${SCALEBENCH_BLAS_LIBRARIES} do "
    "not link cblas_sgemm together (a header of another BLAS, or a BLAS without its CBLAS part). "
    "Set -DCBLAS_INCLUDE_DIR to the header folder of the same install, or add libcblas "
    "(-DCBLAS_LIBRARY=<path>); CMakeFiles/CMakeError.log has the compiler's message.")
endif()

set(scalebench_blas_extras "")
if(SCALEBENCH_BLAS_VENDOR STREQUAL "OpenBLAS")
  scalebench_blas_links(ok "#include <cblas.h>
int main() { openblas_set_num_threads(1); return openblas_get_config() && OPENBLAS_VERSION[0] && openblas_get_num_threads() > 0 ? 0 : 1; }"
    ${SCALEBENCH_BLAS_LIBRARIES})
  if(ok)
    set(scalebench_blas_extras SCALEBENCH_BLAS_OPENBLAS=1)
  endif()
elseif(SCALEBENCH_BLAS_VENDOR STREQUAL "BLIS")
  scalebench_blas_links(ok "#include <blis.h>
int main() { bli_thread_set_num_threads(1); return bli_info_get_version_str() && bli_thread_get_num_threads() > 0 ? 0 : 1; }"
    ${SCALEBENCH_BLAS_LIBRARIES})
  if(ok)
    set(scalebench_blas_extras SCALEBENCH_BLAS_BLIS=1)
  endif()
elseif(SCALEBENCH_BLAS_VENDOR STREQUAL "FlexiBLAS")
  # Declared by hand as kernels/cpu/cpu_device.cpp does: flexiblas_api.h is not always installed
  # beside cblas.h. Some installs keep these in libflexiblas_api.
  set(scalebench_flexiblas_probe "#include <cstddef>
extern \"C\" int flexiblas_current_backend(char*, std::size_t);
extern \"C\" int flexiblas_get_num_threads(void);
extern \"C\" void flexiblas_set_num_threads(int);
extern \"C\" void flexiblas_get_version(int*, int*, int*);
int main() { char name[64]; int a, b, c; flexiblas_get_version(&a, &b, &c); flexiblas_set_num_threads(1);
  return flexiblas_current_backend(name, sizeof name) > 0 && flexiblas_get_num_threads() > 0 ? 0 : 1; }")
  scalebench_blas_links(ok "${scalebench_flexiblas_probe}" ${SCALEBENCH_BLAS_LIBRARIES})
  if(NOT ok)
    find_library(FLEXIBLAS_API_LIBRARY NAMES flexiblas_api HINTS ${scalebench_blas_root_dirs})
    if(FLEXIBLAS_API_LIBRARY)
      scalebench_blas_links(ok "${scalebench_flexiblas_probe}" ${SCALEBENCH_BLAS_LIBRARIES} ${FLEXIBLAS_API_LIBRARY})
      if(ok)
        list(APPEND SCALEBENCH_BLAS_LIBRARIES "${FLEXIBLAS_API_LIBRARY}")
      endif()
    endif()
  endif()
  if(ok)
    set(scalebench_blas_extras SCALEBENCH_BLAS_FLEXIBLAS=1)
  endif()
endif()

add_library(scalebench::blas INTERFACE IMPORTED)
if(CBLAS_INCLUDE_DIR)
  target_include_directories(scalebench::blas INTERFACE "${CBLAS_INCLUDE_DIR}")
endif()
target_link_libraries(scalebench::blas INTERFACE ${SCALEBENCH_BLAS_LIBRARIES})
if(BLAS_LINKER_FLAGS)
  target_link_options(scalebench::blas INTERFACE ${BLAS_LINKER_FLAGS})
endif()
target_compile_definitions(scalebench::blas INTERFACE
  SCALEBENCH_BLAS_VENDOR="${SCALEBENCH_BLAS_VENDOR}" ${scalebench_blas_extras})
if(scalebench_blas_extras)
  set(scalebench_blas_note "vendor calls: ${scalebench_blas_extras}")
else()
  set(scalebench_blas_note "portable calls only: threads from OpenMP")
endif()
message(STATUS "scalebench: BLAS ${SCALEBENCH_BLAS_VENDOR} (${SCALEBENCH_BLAS_LIBRARIES}; cblas.h in "
               "${CBLAS_INCLUDE_DIR}; ${scalebench_blas_note})")
