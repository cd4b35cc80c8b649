// Which backends this build has, and creating a device of one of them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/device.hpp"

namespace scalebench {

// Backends compiled into this binary, best first (a GPU backend before the CPU).
std::vector<std::string> built_backends();

// Number of devices of a backend visible to this process (the CPU backend has one).
int visible_devices(std::string_view backend);

// The best backend built and with a device present: what a run uses by default.
std::string best_backend();

// Throws UsageError for an unknown backend, one not built, or a precision it cannot run.
std::unique_ptr<Device> make_device(std::string_view backend, Precision precision,
                                    int device_index);

}  // namespace scalebench
