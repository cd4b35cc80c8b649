// scalebench: the command line. Maps errors to exit status: 2 for bad input, 1 for a failed run.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "harness/build_info.hpp"
#include "harness/list_command.hpp"
#include "harness/plan_commands.hpp"
#include "harness/predict_command.hpp"
#include "harness/report_command.hpp"
#ifndef SCALEBENCH_REPORT_ONLY
#include "harness/run_command.hpp"
#endif
#include "records/errors.hpp"

int main(int argc, char** argv) {
  using namespace scalebench;
  CLI::App app{
      "scalebench: how far does data-parallel training scale on this machine, and where does "
      "adding GPUs stop helping?"};
  app.name("scalebench");
  // One line of what this binary is (commit, backends, MPI, BLAS), then the compiler and libraries.
  app.set_version_flag("--version", version_text(build_info()));
  app.require_subcommand(1);
  CLI::App* list = add_list_command(app);
  add_list_clusters(*list);
#ifdef SCALEBENCH_REPORT_ONLY
  // This build reads and writes files only; a `run` is refused with what to do instead.
  CLI::App* run = app.add_subcommand("run", "Not in this build (SCALEBENCH_REPORT_ONLY)");
  run->allow_extras();
  run->callback([]() {
    throw UsageError(
        "run: this scalebench is a report-only build (SCALEBENCH_REPORT_ONLY=ON, no MPI or "
        "backend); runs need a full build on the compute nodes (see README.md)");
  });
#else
  add_list_backends(*list);
  add_run_command(app, argc, argv);
#endif
  add_plan_commands(app);
  add_report_command(app);
  add_predict_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "scalebench: %s (see scalebench --help)\n", e.what());
    return 2;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "scalebench: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scalebench: %s\n", e.what());
    return 1;
  }
  return 0;
}
