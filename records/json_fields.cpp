// Strict reading of JSON objects at the loading edge.
#include "records/json_fields.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "records/errors.hpp"

namespace scalebench {
namespace {

using nlohmann::json;

// A value as a path message shows it: scalars as JSON (strings quoted and escaped, cut at 40
// characters), containers by their kind.
std::string shown(const json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

// A member of a path: `name` when it is a plain word, else `["na.me"]` (escaped, cut at 64).
std::string segment(const std::string& key, bool first) {
  const bool plain = !key.empty() && key.size() <= 64 &&
                     key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789_-") == std::string::npos;
  if (plain) return first ? key : "." + key;
  std::string quoted = json(key.substr(0, 64)).dump(-1, ' ', false, json::error_handler_t::replace);
  if (key.size() > 64) quoted.insert(quoted.size() - 1, "...");
  return "[" + quoted + "]";
}

}  // namespace

JsonFields::JsonFields(const json& j, std::string where) : JsonFields(j, std::move(where), false) {}

JsonFields JsonFields::at_path(const json& j, std::string path) {
  return JsonFields(j, std::move(path), true);
}

JsonFields::JsonFields(const json& j, std::string where, bool paths)
    : j_(j), where_(std::move(where)), paths_(paths) {
  if (j_.is_object()) return;
  if (!paths_) throw UsageError(fmt::format("{}: expected a JSON object", where_));
  throw UsageError(fmt::format("{}: expected an object, got {}",
                               where_.empty() ? "the top level" : where_, shown(j_)));
}

std::string JsonFields::child(const std::string& key) const {
  if (!paths_) return fmt::format("{}: {}", where_, key);
  return where_ + segment(key, where_.empty());
}

std::string JsonFields::child(const std::string& key, std::size_t index) const {
  return fmt::format("{}[{}]", child(key), index);
}

void JsonFields::missing(const std::string& key) const {
  if (paths_) throw UsageError(fmt::format("{}: missing", child(key)));
  throw UsageError(fmt::format("{}: missing \"{}\"", where_, key));
}

void JsonFields::wrong(const std::string& key, std::optional<std::size_t> index,
                       const char* expected, const char* where_says, const json& v) const {
  if (paths_) {
    throw UsageError(fmt::format("{}: expected {}, got {}", index ? child(key, *index) : child(key),
                                 expected, shown(v)));
  }
  throw UsageError(fmt::format("{}: \"{}\" must be {}", where_, key, where_says));
}

// nlohmann would cast a float to an integer unchecked (undefined beyond int64, found by
// fuzz/result_reader_fuzz.cpp) and wrap an unsigned one above 2^63 - 1.
std::int64_t JsonFields::to_integer(const std::string& key, std::optional<std::size_t> index,
                                    const char* where_says, const json& v) const {
  bool in_range = true;
  if (v.is_number_unsigned()) {
    in_range = v.get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<std::int64_t>::max());
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    if (d != std::trunc(d)) wrong(key, index, "an integer", where_says, v);
    in_range = d >= -9223372036854775808.0 && d < 9223372036854775808.0;  // [-2^63, 2^63)
  } else if (!v.is_number_integer()) {
    wrong(key, index, "an integer", where_says, v);
  }
  if (!in_range) {
    const std::string name = index ? fmt::format("{}[{}]", key, *index) : key;
    if (paths_) {
      throw UsageError(fmt::format("{}: out of range for a whole number: {}",
                                   index ? child(key, *index) : child(key), shown(v)));
    }
    throw UsageError(fmt::format("{}: \"{}\" is out of range: {}", where_, name, shown(v)));
  }
  return v.is_number_float() ? static_cast<std::int64_t>(v.get<double>()) : v.get<std::int64_t>();
}

bool JsonFields::has(const std::string& key) const {
  return j_.contains(key) && !j_.at(key).is_null();
}

const json& JsonFields::get(const std::string& key) {
  seen_.insert(key);
  if (!j_.contains(key)) missing(key);
  return j_.at(key);
}

std::string JsonFields::str(const std::string& key) {
  const auto& v = get(key);
  if (!v.is_string()) wrong(key, std::nullopt, "a string", "a string", v);
  return v.get<std::string>();
}

std::optional<std::string> JsonFields::opt_str(const std::string& key) {
  seen_.insert(key);
  if (!has(key)) return std::nullopt;
  return str(key);
}

std::int64_t JsonFields::integer(const std::string& key) {
  return to_integer(key, std::nullopt, "an integer", get(key));
}

std::optional<std::int64_t> JsonFields::opt_integer(const std::string& key) {
  seen_.insert(key);
  if (!has(key)) return std::nullopt;
  return integer(key);
}

double JsonFields::number(const std::string& key) {
  const auto& v = get(key);
  if (!v.is_number()) wrong(key, std::nullopt, "a number", "a number", v);
  return v.get<double>();
}

std::optional<double> JsonFields::opt_number(const std::string& key) {
  seen_.insert(key);
  if (!has(key)) return std::nullopt;
  return number(key);
}

bool JsonFields::boolean(const std::string& key, bool fallback) {
  seen_.insert(key);
  if (!has(key)) return fallback;
  const auto& v = j_.at(key);
  if (!v.is_boolean()) wrong(key, std::nullopt, "true or false", "true or false", v);
  return v.get<bool>();
}

std::vector<std::string> JsonFields::strings(const std::string& key, bool required) {
  seen_.insert(key);
  if (!has(key)) {
    if (required) missing(key);
    return {};
  }
  const auto& v = j_.at(key);
  constexpr const char* kList = "a list of strings";
  if (!v.is_array()) wrong(key, std::nullopt, kList, kList, v);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) wrong(key, i, "a string", kList, v[i]);
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

std::vector<std::int64_t> JsonFields::integers(const std::string& key, bool required) {
  seen_.insert(key);
  if (!required && !has(key)) return {};
  const auto& v = get(key);
  constexpr const char* kList = "a list of integers";
  if (!v.is_array()) wrong(key, std::nullopt, kList, kList, v);
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < v.size(); ++i) out.push_back(to_integer(key, i, kList, v[i]));
  return out;
}

const json* JsonFields::sub(const std::string& key, bool required) {
  seen_.insert(key);
  if (!has(key)) {
    if (required) missing(key);
    return nullptr;
  }
  return &j_.at(key);
}

JsonFields JsonFields::object(const std::string& key) {
  const auto& v = get(key);
  if (!v.is_object()) wrong(key, std::nullopt, "an object", "an object", v);
  return JsonFields(v, child(key), paths_);
}

std::optional<JsonFields> JsonFields::opt_object(const std::string& key) {
  seen_.insert(key);
  if (!has(key)) return std::nullopt;
  return object(key);
}

std::vector<JsonFields> JsonFields::objects(const std::string& key) {
  seen_.insert(key);
  if (!has(key)) return {};
  const auto& v = j_.at(key);
  if (!v.is_array()) wrong(key, std::nullopt, "a list of objects", "a list of objects", v);
  std::vector<JsonFields> out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_object()) wrong(key, i, "an object", "a list of objects", v[i]);
    out.push_back(JsonFields(v[i], child(key, i), paths_));
  }
  return out;
}

std::map<std::string, std::string> JsonFields::string_map(const std::string& key) {
  seen_.insert(key);
  if (!has(key)) return {};
  JsonFields m = object(key);
  std::map<std::string, std::string> out;
  for (const auto& item : m.j_.items()) out.emplace(item.key(), m.str(item.key()));
  return out;
}

std::optional<std::map<std::string, double>> JsonFields::opt_number_map(const std::string& key) {
  seen_.insert(key);
  if (!has(key)) return std::nullopt;
  JsonFields m = object(key);
  std::map<std::string, double> out;
  for (const auto& item : m.j_.items()) out.emplace(item.key(), m.number(item.key()));
  return out;
}

void JsonFields::finish() const {
  for (const auto& [key, value] : j_.items()) {
    if (seen_.count(key)) continue;
    if (paths_) throw UsageError(fmt::format("{}: unknown key", child(key)));
    throw UsageError(fmt::format("{}: unknown key \"{}\"", where_, key));
  }
}

}  // namespace scalebench
