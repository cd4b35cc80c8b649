// The `run` subcommand: command line -> validated point -> measured run -> one result file.
#pragma once

#include <CLI/CLI.hpp>

namespace scalebench {

void add_run_command(CLI::App& app, int argc, char** argv);

}  // namespace scalebench
