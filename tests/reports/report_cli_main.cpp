// Test driver: `report_cli_for_tests report ...` runs the report command with main's exit codes.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "harness/report_command.hpp"
#include "records/errors.hpp"

int main(int argc, char** argv) {
  CLI::App app{"report command test driver"};
  app.require_subcommand(1);
  scalebench::add_report_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "scalebench: %s\n", e.what());
    return 2;
  } catch (const scalebench::UsageError& e) {
    std::fprintf(stderr, "scalebench: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scalebench: %s\n", e.what());
    return 1;
  }
  return 0;
}
