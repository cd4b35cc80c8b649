// write_sample_result PATH: one valid result record (a mnist_cnn cpu point from the report
// fixtures), for scripts that need a result where the binary cannot run one (report-only build).
#include <cstdio>
#include <exception>

#include "tests/reports/fixtures.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_sample_result PATH\n");
    return 2;
  }
  try {
    scalebench::testing::FixturePoint p;
    p.cluster = "local";
    p.workload = "mnist_cnn";
    p.backend = "cpu";
    p.gpu_model = "";
    p.devices = 1;
    p.devices_per_node = 1;
    p.batch_per_device = 1;
    scalebench::testing::write_point(argv[1], p);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_sample_result: %s\n", e.what());
    return 1;
  }
  return 0;
}
