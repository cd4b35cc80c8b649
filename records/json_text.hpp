// The one bounded JSON reader of scalebench's files: a depth and a size limit before any
// recursion (copies, from_json, dump) can meet a hostile nesting.
#pragma once

#include <cstddef>
#include <filesystem>
#include <istream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace scalebench {

// scalebench writes at most 5 levels (a result's point.options); 64 leaves room for hand-made files.
inline constexpr int kMaxJsonDepth = 64;
// The largest plan or Google Benchmark file seen is a few MB; 256 MiB is no longer a file of ours.
inline constexpr std::size_t kMaxJsonBytes = std::size_t{256} << 20;

// Parses `text` (from the file named by `where`). Throws nlohmann::json::parse_error for
// malformed JSON (a number overflowing a double too), for nesting deeper than kMaxJsonDepth and
// for text over kMaxJsonBytes; the limit messages name `where` and the limit. Callers map
// parse_error as they map syntax errors.
nlohmann::json parse_json_text(std::string_view text, const std::string& where);

// Reads at most kMaxJsonBytes + 1 bytes of `in`, then parses them as parse_json_text does.
nlohmann::json parse_json_stream(std::istream& in, const std::string& where);

// A JSON file the user named (a cluster profile, a sweep preset, a plan), read as
// parse_json_stream reads it. Every problem is a UsageError: `if_folder` when `path` is a folder,
// "cannot read WHAT PATH" when it cannot be opened, "PATH: not valid JSON: ..." otherwise.
nlohmann::json read_json_file(const std::filesystem::path& path, std::string_view what,
                              const std::string& if_folder);

}  // namespace scalebench
