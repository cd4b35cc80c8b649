// Bounded JSON parsing: nlohmann's parser is iterative, but copying, converting and dumping the
// value it builds recurse once per level, so a deep file must be refused while it is parsed.
#include "records/json_text.hpp"

#include <fstream>

#include "records/errors.hpp"

namespace scalebench {
namespace {

using nlohmann::json;

// id 101 is nlohmann's "unexpected token": callers already treat it as a malformed file.
json::parse_error limit_error(const std::string& message) {
  return json::parse_error::create(101, std::size_t{0}, message, nullptr);
}

std::string too_large(const std::string& where) {
  return "'" + where + "' is larger than " + std::to_string(kMaxJsonBytes >> 20) +
         " MiB, the limit for scalebench's JSON files";
}

}  // namespace

json parse_json_text(std::string_view text, const std::string& where) {
  if (text.size() > kMaxJsonBytes) throw limit_error(too_large(where));
  // The callback's depth counts the containers around the one starting: 0 for the top level.
  const json::parser_callback_t bound = [&where](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth) {
      throw limit_error("'" + where + "' nests deeper than " + std::to_string(kMaxJsonDepth) +
                        " levels, the limit for scalebench's JSON files");
    }
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), bound);
  } catch (const json::out_of_range& e) {
    // A number too large for a double (1E400) is nlohmann's out_of_range 406, not a parse error,
    // and escaped every caller that maps parse_error to "malformed file" (found by fuzzing).
    const std::string what = e.what();
    const auto tag_end = what.find("] ");
    throw limit_error(tag_end == std::string::npos ? what : what.substr(tag_end + 2));
  }
}

json parse_json_stream(std::istream& in, const std::string& where) {
  std::string text;
  char chunk[1 << 16];
  while (in && text.size() <= kMaxJsonBytes) {
    in.read(chunk, sizeof chunk);
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  return parse_json_text(text, where);
}

json read_json_file(const std::filesystem::path& path, std::string_view what,
                    const std::string& if_folder) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw UsageError(if_folder);
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read " + std::string(what) + " " + path.string());
  try {
    return parse_json_stream(in, path.string());
  } catch (const json::parse_error& e) {
    throw UsageError(path.string() + ": not valid JSON: " + e.what());
  }
}

}  // namespace scalebench
