// The sweep commands of the scalebench binary: plan, submit, sweep, and `list clusters`.
#pragma once

#include <CLI/CLI.hpp>

namespace scalebench {

// Registers `plan`, `submit` and `sweep` on the top-level app. Each runs in its subcommand's
// callback; bad input throws UsageError, a failed submission RunError, and `sweep` with failed
// points throws RunError after running every point.
void add_plan_commands(CLI::App& app);

// Registers `clusters` under the `list` subcommand (`scalebench list clusters [--json]`).
void add_list_clusters(CLI::App& list_cmd);

}  // namespace scalebench
