// `scalebench list workloads` (`list backends` is in list_backends.cpp, `list clusters` in
// plan_commands.cpp).
#include "harness/list_command.hpp"

#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "records/errors.hpp"
#include "workloads/workload.hpp"

namespace scalebench {
namespace {

void print_workloads(bool json) {
  nlohmann::json items = nlohmann::json::array();
  if (!json) {
    fmt::print("{:<10} {:>12} {:>16} {:>9} {:>7} {:>7}  {}\n", "workload", "parameters",
               "fwd GFLOP/sample", "batch", "image", "layers", "description");
  }
  for (const WorkloadInfo& w : workloads()) {
    const Model m = build_model(w, 1, w.default_image_size);
    const double gflops = m.forward_flops() / 1e9;
    if (json) {
      items.push_back({{"name", w.name},
                       {"description", w.description},
                       {"parameters", m.parameters()},
                       {"forward_gflops_per_sample", gflops},
                       {"default_batch", w.default_batch},
                       {"default_image_size", w.default_image_size},
                       {"layers", m.layers.size()}});
    } else {
      fmt::print("{:<10} {:>12L} {:>16.3f} {:>9} {:>7} {:>7}  {}\n", w.name, m.parameters(), gflops,
                 w.default_batch, w.default_image_size, m.layers.size(), w.description);
    }
  }
  if (json) fmt::print("{}\n", nlohmann::json{{"workloads", items}}.dump(2));
}

}  // namespace

CLI::App* add_list_command(CLI::App& app) {
  CLI::App* list = app.add_subcommand("list", "List what scalebench knows: workloads, clusters");
  // At most one; none is refused by the callback with the choices (CLI11 would only say "A
  // subcommand is required", also for `list bogus`, whose word it then never names).
  list->require_subcommand(0, 1);
  list->callback([list]() {
    if (list->get_subcommands().empty())
      throw UsageError("list: name what to list: workloads, backends or clusters");
  });
  auto json = std::make_shared<bool>(false);
  CLI::App* wl = list->add_subcommand(
      "workloads", "Each workload's parameter count, forward GFLOPs per sample (a multiply-add "
                   "counts 2), default batch and layer count");
  wl->add_flag("--json", *json, "print JSON instead of a table");
  wl->callback([json]() { print_workloads(*json); });
  return list;
}

}  // namespace scalebench
