// Whole numbers as the command line, the environment and the time limits give them: decimal digits
// with an optional leading '-' ("12", "-1"); not "", "+1", " 3", "1e3", "2.5", "0x10" or "12abc".
// One parser for every flag and variable, so that they all refuse the same things.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace scalebench {

// The number, or nullopt when `text` is not a whole number or does not fit (then *too_large, when
// given, says which).
std::optional<std::int64_t> parse_whole_number(std::string_view text, bool* too_large = nullptr);

// The same for a flag's value; throws UsageError "FLAG 'TEXT' is not a whole number" or
// "FLAG TEXT: the number is too large".
std::int64_t require_whole_number(std::string_view flag, std::string_view text);

}  // namespace scalebench
