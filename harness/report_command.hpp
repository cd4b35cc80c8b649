// The `report` subcommand: result files -> scaling metrics, figures and documents (reports/).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace scalebench {

// Registers `scalebench report DIR_OR_FILES... -o OUT [...]`. Bad input throws UsageError from
// the callback (exit status 2).
void add_report_command(CLI::App& app);

// --formats LIST: pdf, png, svg, comma-separated, each once; UsageError otherwise (also `predict`).
std::vector<std::string> parse_formats(const std::string& list);

}  // namespace scalebench
