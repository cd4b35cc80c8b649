// The `list` subcommand and its `list workloads` child.
#pragma once

#include <CLI/CLI.hpp>

namespace scalebench {

// Returns the `list` subcommand so that other parts can add children (clusters).
CLI::App* add_list_command(CLI::App& app);
// `list backends` (list_backends.cpp; builds with a backend only).
void add_list_backends(CLI::App& list);

}  // namespace scalebench
