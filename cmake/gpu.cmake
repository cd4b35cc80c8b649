# GPU backend detection: one validated option, SCALEBENCH_GPU = auto | none | cuda | hip.
# auto builds CUDA when a CUDA compiler is found, else HIP when a ROCm HIP compiler (with its
# hip-lang CMake package) is found, else no GPU backend. Sets, for kernels/ tests/ bench/:
#   SCALEBENCH_HAVE_CUDA / SCALEBENCH_HAVE_HIP   which backend kernels/gpu is compiled as
#   SCALEBENCH_HAVE_GPU_BLAS                     cuBLAS / hipBLAS found
#   SCALEBENCH_HAVE_NCCL                         NCCL / RCCL found (else host-staged MPI)
#   SCALEBENCH_GPU_ARCHITECTURES                 the architectures compiled for (recorded in results)
#   SCALEBENCH_GPU_LIBRARIES                     what scalebench_kernels links for the backend
set(SCALEBENCH_GPU "auto" CACHE STRING "GPU backend to build: auto, none, cuda, hip")
set_property(CACHE SCALEBENCH_GPU PROPERTY STRINGS auto none cuda hip)
if(NOT SCALEBENCH_GPU MATCHES "^(auto|none|cuda|hip)$")
  message(FATAL_ERROR "SCALEBENCH_GPU='${SCALEBENCH_GPU}' is not one of: auto, none, cuda, hip")
endif()
option(SCALEBENCH_NCCL "Use NCCL/RCCL for GPU runs when found" ON)

set(SCALEBENCH_HAVE_CUDA OFF)
set(SCALEBENCH_HAVE_HIP OFF)
set(SCALEBENCH_HAVE_GPU_BLAS OFF)
set(SCALEBENCH_HAVE_NCCL OFF)
set(SCALEBENCH_GPU_ARCHITECTURES "")
set(SCALEBENCH_GPU_LIBRARIES "")

include(CheckLanguage)

# ------------------------------------------------------------------------------------ CUDA
# The default list covers P100 to H100 (60;70;80;90) where the toolkit still accepts them:
# CUDA 13 dropped sm_60 and sm_70 (P100, V100), so with it the default is 75;80;90.
function(scalebench_default_cuda_architectures out)
  execute_process(COMMAND ${CMAKE_CUDA_COMPILER} --list-gpu-arch
    OUTPUT_VARIABLE listed ERROR_QUIET RESULT_VARIABLE rc)
  set(wanted 60 70 75 80 90)
  set(archs "")
  set(dropped "")
  foreach(a IN LISTS wanted)
    if(rc EQUAL 0 AND NOT listed MATCHES "compute_${a}")
      if(NOT a EQUAL 75)
        list(APPEND dropped ${a})
      endif()
      continue()
    endif()
    # sm_75 (T4) only stands in for the dropped Volta/Pascal when the toolkit refuses those.
    if(a EQUAL 75 AND listed MATCHES "compute_70")
      continue()
    endif()
    list(APPEND archs ${a}-real)
  endforeach()
  # PTX of the newest architecture so that newer GPUs still run (JIT-compiled at start).
  list(POP_BACK archs last)
  string(REPLACE "-real" "" last "${last}")
  list(APPEND archs ${last})
  if(dropped)
    message(STATUS "scalebench: this CUDA toolkit no longer compiles for sm_${dropped} "
                   "(P100/V100 need CUDA 12): default architectures ${archs}")
  endif()
  set(${out} "${archs}" PARENT_SCOPE)
endfunction()

# The CUDA sources are C++20, which nvcc compiles from CUDA 12 on (and CMake 3.25 knows no C++20
# flag for nvcc: set below). Checked before enable_language so that `auto` can skip an old toolkit.
set(SCALEBENCH_MIN_CUDA 12.0)
function(scalebench_nvcc_version out)
  execute_process(COMMAND "${CMAKE_CUDA_COMPILER}" --version
    OUTPUT_VARIABLE text ERROR_QUIET RESULT_VARIABLE rc)
  set(version "")
  if(rc EQUAL 0 AND text MATCHES "release ([0-9]+[.][0-9]+)")
    set(version "${CMAKE_MATCH_1}")
  endif()
  set(${out} "${version}" PARENT_SCOPE)
endfunction()

if(SCALEBENCH_GPU STREQUAL "auto" OR SCALEBENCH_GPU STREQUAL "cuda")
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    scalebench_nvcc_version(nvcc_version)
    if(nvcc_version AND nvcc_version VERSION_LESS SCALEBENCH_MIN_CUDA)
      string(CONCAT too_old "CUDA >= ${SCALEBENCH_MIN_CUDA} is needed (C++20 in nvcc); ${CMAKE_CUDA_COMPILER} "
                  "is CUDA ${nvcc_version}. Load a newer toolkit (module load cuda/12.x, or "
                  "nvhpc/cudatoolkit 12) and configure a fresh build folder, or set "
                  "CMAKE_CUDA_COMPILER to a CUDA 12+ nvcc")
      if(SCALEBENCH_GPU STREQUAL "cuda")
        message(FATAL_ERROR "scalebench: SCALEBENCH_GPU=cuda: ${too_old}")
      endif()
      message(WARNING "scalebench: no CUDA backend: ${too_old}")
      unset(CMAKE_CUDA_COMPILER CACHE)
      unset(CMAKE_CUDA_COMPILER)
    endif()
  endif()
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES OR CMAKE_CUDA_ARCHITECTURES STREQUAL "")
      scalebench_default_cuda_architectures(default_archs)
      set(CMAKE_CUDA_ARCHITECTURES "${default_archs}" CACHE STRING "CUDA architectures to compile for")
    endif()
    enable_language(CUDA)
    if(NOT CMAKE_CUDA_COMPILER_ID STREQUAL "NVIDIA")
      message(FATAL_ERROR "scalebench: the CUDA backend needs nvcc (it passes -Xcompiler and -Xptxas), "
                          "not ${CMAKE_CUDA_COMPILER_ID} ${CMAKE_CUDA_COMPILER}")
    elseif(CMAKE_CUDA_COMPILER_VERSION VERSION_LESS SCALEBENCH_MIN_CUDA)
      message(FATAL_ERROR "scalebench: CUDA >= ${SCALEBENCH_MIN_CUDA} is needed (C++20 in nvcc); "
                          "${CMAKE_CUDA_COMPILER} is ${CMAKE_CUDA_COMPILER_VERSION}. Load a newer "
                          "toolkit (module load cuda/12.x) and configure a fresh build folder")
    endif()
    # The project's warning flags are host-compiler flags: nvcc takes them through -Xcompiler.
    get_directory_property(project_options COMPILE_OPTIONS)
    set(wrapped_options "")
    foreach(option IN LISTS project_options)
      if(option MATCHES "^-W")
        list(APPEND wrapped_options "$<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=${option}>"
                                    "$<$<NOT:$<COMPILE_LANGUAGE:CUDA>>:${option}>")
      else()
        list(APPEND wrapped_options "${option}")
      endif()
    endforeach()
    set_directory_properties(PROPERTIES COMPILE_OPTIONS "${wrapped_options}")
    # CMake 3.25 does not know nvcc's C++20 flag (nvcc has it since CUDA 12).
    if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    endif()
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    find_package(CUDAToolkit REQUIRED)
    set(SCALEBENCH_HAVE_CUDA ON)
    set(SCALEBENCH_HAVE_GPU_BLAS ON)
    string(REPLACE ";" "," SCALEBENCH_GPU_ARCHITECTURES "${CMAKE_CUDA_ARCHITECTURES}")
    list(APPEND SCALEBENCH_GPU_LIBRARIES CUDA::cudart CUDA::cublas CUDA::cublasLt ${CMAKE_DL_LIBS})
    if(SCALEBENCH_NCCL)
      # NCCL ships in the CUDA toolkit on some systems, as libnccl-dev, as a module (NCCL_HOME,
      # NCCL_ROOT) or inside the nvidia-nccl Python wheel (no libnccl.so link, only .so.2).
      find_path(NCCL_INCLUDE_DIR nccl.h
        HINTS ${NCCL_ROOT} $ENV{NCCL_ROOT} $ENV{NCCL_HOME} ${CUDAToolkit_INCLUDE_DIRS}
        PATH_SUFFIXES include)
      find_library(NCCL_LIBRARY NAMES nccl libnccl.so.2
        HINTS ${NCCL_ROOT} $ENV{NCCL_ROOT} $ENV{NCCL_HOME} ${CUDAToolkit_LIBRARY_DIR}
        PATH_SUFFIXES lib lib64)
      if(NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
        set(SCALEBENCH_HAVE_NCCL ON)
        add_library(scalebench_nccl INTERFACE IMPORTED)
        target_include_directories(scalebench_nccl INTERFACE ${NCCL_INCLUDE_DIR})
        target_link_libraries(scalebench_nccl INTERFACE ${NCCL_LIBRARY})
        list(APPEND SCALEBENCH_GPU_LIBRARIES scalebench_nccl)
      endif()
    endif()
    message(STATUS "scalebench: GPU backend cuda (CUDA ${CUDAToolkit_VERSION}, architectures "
                   "${CMAKE_CUDA_ARCHITECTURES})")
    if(SCALEBENCH_HAVE_NCCL)
      message(STATUS "scalebench: NCCL ${NCCL_LIBRARY}")
    else()
      message(STATUS "scalebench: NCCL not found: GPU runs use the MPI communicator with host "
                     "staging (set NCCL_HOME to an NCCL install to use NCCL)")
    endif()
  elseif(SCALEBENCH_GPU STREQUAL "cuda")
    message(FATAL_ERROR "SCALEBENCH_GPU=cuda but no CUDA compiler was found (put nvcc on PATH or "
                        "set CMAKE_CUDA_COMPILER)")
  endif()
endif()

# ------------------------------------------------------------------------------------- HIP
# enable_language(HIP) needs ROCm's clang and ROCm's hip-lang package under its root
# (<rocm>/lib/cmake/hip-lang). Debian 12's hipcc packages lack that layout: there the HIP
# kernels are compile-checked by scripts/hip_compile_check.sh instead (see tests/gpu).
# ROCm >= 6.0: the GEMMs call hipBLAS 2's API (hipblasGemmStridedBatchedEx with
# hipblasComputeType_t, ROCm 6.0's hipBLAS 2.0), without which no workload runs; ROCm 6's clang
# (17+) also compiles the C++20 sources. LUMI and Frontier have ROCm 6 modules.
set(SCALEBENCH_MIN_ROCM 6.0)
if(NOT SCALEBENCH_HAVE_CUDA AND (SCALEBENCH_GPU STREQUAL "auto" OR SCALEBENCH_GPU STREQUAL "hip"))
  set(hip_usable OFF)
  check_language(HIP)
  if(CMAKE_HIP_COMPILER)
    # ROCm's root: $ROCM_PATH, two levels above the compiler (<rocm>/llvm/bin), or /opt/rocm.
    get_filename_component(compiler_root "${CMAKE_HIP_COMPILER}" DIRECTORY)
    get_filename_component(compiler_root "${compiler_root}/../.." ABSOLUTE)
    foreach(root IN ITEMS "$ENV{ROCM_PATH}" "${compiler_root}" /opt/rocm)
      if(root AND EXISTS "${root}/lib/cmake/hip-lang/hip-lang-config.cmake")
        set(hip_usable ON)
        break()
      endif()
    endforeach()
  endif()
  if(hip_usable)
    if(NOT DEFINED CMAKE_HIP_ARCHITECTURES OR CMAKE_HIP_ARCHITECTURES STREQUAL "")
      # MI250X; gfx908 (MI100) and gfx942 (MI300) on request.
      set(CMAKE_HIP_ARCHITECTURES "gfx90a" CACHE STRING "HIP architectures to compile for")
    endif()
    enable_language(HIP)
    set(CMAKE_HIP_STANDARD 20)
    set(CMAKE_HIP_STANDARD_REQUIRED ON)
    find_package(hip CONFIG REQUIRED)
    if(hip_VERSION VERSION_LESS SCALEBENCH_MIN_ROCM)
      message(FATAL_ERROR "scalebench: ROCm/HIP >= ${SCALEBENCH_MIN_ROCM} is needed (hipBLAS 2 API for "
                          "the GEMMs); found HIP ${hip_VERSION} (${hip_DIR}). Load a newer ROCm "
                          "(module load rocm/6.x, on LUMI: rocm/6.0.3) or configure with "
                          "-DSCALEBENCH_GPU=none")
    endif()
    set(SCALEBENCH_HAVE_HIP ON)
    string(REPLACE ";" "," SCALEBENCH_GPU_ARCHITECTURES "${CMAKE_HIP_ARCHITECTURES}")
    list(APPEND SCALEBENCH_GPU_LIBRARIES hip::host ${CMAKE_DL_LIBS})
    find_package(hipblas 2.0 CONFIG QUIET)
    if(hipblas_FOUND)
      set(SCALEBENCH_HAVE_GPU_BLAS ON)
      list(APPEND SCALEBENCH_GPU_LIBRARIES roc::hipblas)
    endif()
    if(SCALEBENCH_NCCL)
      find_package(rccl CONFIG QUIET)
      if(rccl_FOUND)
        set(SCALEBENCH_HAVE_NCCL ON)
        list(APPEND SCALEBENCH_GPU_LIBRARIES rccl::rccl)
      endif()
    endif()
    message(STATUS "scalebench: GPU backend hip (architectures ${CMAKE_HIP_ARCHITECTURES})")
    if(NOT SCALEBENCH_HAVE_GPU_BLAS)
      message(STATUS "scalebench: hipBLAS (>= 2.0) not found: the HIP backend is built without GEMMs "
                     "(runs refuse them); install hipblas-dev for real runs")
    endif()
    if(NOT SCALEBENCH_HAVE_NCCL)
      message(STATUS "scalebench: RCCL not found: GPU runs use the MPI communicator with host staging")
    endif()
  elseif(SCALEBENCH_GPU STREQUAL "hip")
    message(FATAL_ERROR "SCALEBENCH_GPU=hip but no usable HIP toolchain was found (need ROCm's clang "
                        "as CMAKE_HIP_COMPILER and <rocm>/lib/cmake/hip-lang; Debian's hipcc packages "
                        "only support scripts/hip_compile_check.sh)")
  endif()
endif()

if(NOT SCALEBENCH_HAVE_CUDA AND NOT SCALEBENCH_HAVE_HIP)
  message(STATUS "scalebench: no GPU backend (SCALEBENCH_GPU=${SCALEBENCH_GPU})")
endif()
