// The `predict` subcommand: measured curves and a cluster profile -> projected efficiency past the
// measured scale, with a band (reports/predict.hpp, docs/predict.md).
#pragma once

#include <CLI/CLI.hpp>

namespace scalebench {

// Registers `scalebench predict RESULTS... --cluster NAME|FILE -o OUT [...]`. Bad input throws
// UsageError from the callback (exit status 2).
void add_predict_command(CLI::App& app);

}  // namespace scalebench
