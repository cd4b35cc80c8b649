// What every fuzz target shares: a refused input is fine, anything else is a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

namespace scalebench::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// An exception the reader does not document escaped: libFuzzer records the input as a crash.
[[noreturn]] inline void undocumented(const char* reader, const std::exception& e) {
  std::fprintf(stderr, "%s: undocumented exception escaped: %s\n", reader, e.what());
  std::abort();
}

}  // namespace scalebench::fuzz
