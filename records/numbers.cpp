#include "records/numbers.hpp"

#include <charconv>

#include <fmt/format.h>

#include "records/errors.hpp"
#include "records/script_safety.hpp"

namespace scalebench {

std::optional<std::int64_t> parse_whole_number(std::string_view text, bool* too_large) {
  if (too_large) *too_large = false;
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec == std::errc::result_out_of_range && ptr == end) {
    if (too_large) *too_large = true;
    return std::nullopt;
  }
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

std::int64_t require_whole_number(std::string_view flag, std::string_view text) {
  bool too_large = false;
  if (const auto v = parse_whole_number(text, &too_large)) return *v;
  if (too_large)
    throw UsageError(fmt::format("{} {}: the number is too large", flag, printable(text)));
  throw UsageError(fmt::format("{} '{}' is not a whole number", flag, printable(text)));
}

}  // namespace scalebench
