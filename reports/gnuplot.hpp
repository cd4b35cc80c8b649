// Running gnuplot on the figure scripts: finding it, one process per figure, collecting errors.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "reports/figures.hpp"

namespace scalebench::reports {

struct RenderOutcome {
  bool gnuplot_found = false;
  std::size_t rendered = 0;           // figures with every format written
  std::vector<std::string> failures;  // "NAME.gp: gnuplot's first error line"
};

// The executable `name` resolves to: as given when it holds a '/', else searched in PATH.
std::optional<std::filesystem::path> find_program(const std::string& name);

// Runs `gnuplot NAME.gp` in `dir` for each figure (scripts and data must be there already) and
// checks that each format came out non-empty.
RenderOutcome render_figures(const std::filesystem::path& dir, const std::vector<Figure>& figures,
                             const std::vector<std::string>& formats, const std::string& gnuplot);

}  // namespace scalebench::reports
