// main() of the GoogleTest binaries whose tests need MPI (communicators): MPI is initialised for
// the whole binary, as a singleton when started alone or as the ranks of an mpirun.
#include <gtest/gtest.h>

#include "kernels/mpi/mpi_world.hpp"

int main(int argc, char** argv) {
  scalebench::MpiWorld world(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
