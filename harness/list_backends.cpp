// `scalebench list backends`: the backends built into this binary and their visible devices. Not in
// a report-only build, which has no backend.
#include <fmt/format.h>

#include "harness/list_command.hpp"
#include "kernels/backend.hpp"

namespace scalebench {

void add_list_backends(CLI::App& list) {
  CLI::App* be = list.add_subcommand(
      "backends", "Backends built into this binary, their visible devices, and the best one");
  be->callback([]() {
    const std::string best = best_backend();
    for (const std::string& name : built_backends()) {
      fmt::print("{:<5} {} device(s){}\n", name, visible_devices(name), name == best ? "  best" : "");
    }
  });
}

}  // namespace scalebench
