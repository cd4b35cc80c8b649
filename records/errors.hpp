// Exceptions shared by every layer: bad input (exit 2) and failed runs (exit 1).
#pragma once

#include <stdexcept>
#include <string>

namespace scalebench {

// Bad input from the user: main prints the one-line message and exits with status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A library call or a run that failed: exit status 1.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A distributed operation that did not finish within the run's timeout.
class TimeoutError : public RunError {
 public:
  using RunError::RunError;
};

}  // namespace scalebench
