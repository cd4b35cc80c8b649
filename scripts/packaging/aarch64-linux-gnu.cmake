# CMake toolchain: cross-compile for aarch64 Linux (CSC Roihu's Grace CPUs) with Debian 12's
# g++-aarch64-linux-gnu and the :arm64 multiarch -dev packages; tests run under qemu-user.
# Used by scripts/aarch64_check.sh: cmake -DCMAKE_TOOLCHAIN_FILE=scripts/packaging/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Debian's multiarch layout: the :arm64 packages install into /usr/lib/aarch64-linux-gnu (their CMake
# packages into /usr/lib/aarch64-linux-gnu/cmake), header-only ones (nlohmann-json, CLI11) into
# /usr/include and /usr/share. Searching /usr with this library architecture finds the arm64 builds
# and never /usr/lib/x86_64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# ctest (and gtest_discover_tests' listing) run the test binaries through qemu-user. The loader and
# libc are those of the libc6:arm64 package (a dependency of the :arm64 -dev packages), found at
# /lib/ld-linux-aarch64.so.1, and libfmt from /usr/lib/aarch64-linux-gnu. Not `-L
# /usr/aarch64-linux-gnu` (the cross toolchain's own libc6-arm64-cross, 2.36-8cross1): under
# Debian 12's qemu-user-static 7.2 every pthread_create with that libc spins for ever (a static
# binary, or the same binary with libc6:arm64 2.36-9+deb12u14, starts threads at once), so every
# test that starts a thread (the report loader, the point lock) timed out. -L stays the fall-back
# where libc6:arm64 is not installed.
find_program(SCALEBENCH_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64 REQUIRED)
if(EXISTS /lib/ld-linux-aarch64.so.1)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${SCALEBENCH_QEMU_AARCH64}")
else()
  set(CMAKE_CROSSCOMPILING_EMULATOR "${SCALEBENCH_QEMU_AARCH64};-L;/usr/aarch64-linux-gnu")
endif()
