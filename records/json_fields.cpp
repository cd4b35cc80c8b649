// Strict reading of JSON objects at the loading edge.
#include "records/json_fields.hpp"

#include <fmt/format.h>

#include "records/errors.hpp"

namespace scalebench {

JsonFields::JsonFields(const nlohmann::json& j, std::string where) : j_(j), where_(std::move(where)) {
  if (!j_.is_object()) throw UsageError(fmt::format("{}: expected a JSON object", where_));
}

bool JsonFields::has(const std::string& key) const {
  return j_.contains(key) && !j_.at(key).is_null();
}

const nlohmann::json& JsonFields::get(const std::string& key) {
  seen_.insert(key);
  if (!j_.contains(key)) throw UsageError(fmt::format("{}: missing \"{}\"", where_, key));
  return j_.at(key);
}

std::string JsonFields::str(const std::string& key) {
  const auto& v = get(key);
  if (!v.is_string()) throw UsageError(fmt::format("{}: \"{}\" must be a string", where_, key));
  return v.get<std::string>();
}

std::optional<std::string> JsonFields::opt_str(const std::string& key) {
  seen_.insert(key);
  if (!has(key)) return std::nullopt;
  return str(key);
}

std::int64_t JsonFields::integer(const std::string& key) {
  const auto& v = get(key);
  if (!v.is_number_integer())
    throw UsageError(fmt::format("{}: \"{}\" must be an integer", where_, key));
  return v.get<std::int64_t>();
}

std::optional<std::int64_t> JsonFields::opt_integer(const std::string& key) {
  seen_.insert(key);
  if (!has(key)) return std::nullopt;
  return integer(key);
}

double JsonFields::number(const std::string& key) {
  const auto& v = get(key);
  if (!v.is_number()) throw UsageError(fmt::format("{}: \"{}\" must be a number", where_, key));
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
  if (!v.is_boolean()) throw UsageError(fmt::format("{}: \"{}\" must be true or false", where_, key));
  return v.get<bool>();
}

std::vector<std::string> JsonFields::strings(const std::string& key, bool required) {
  seen_.insert(key);
  if (!has(key)) {
    if (required) throw UsageError(fmt::format("{}: missing \"{}\"", where_, key));
    return {};
  }
  const auto& v = j_.at(key);
  std::vector<std::string> out;
  if (!v.is_array()) throw UsageError(fmt::format("{}: \"{}\" must be a list of strings", where_, key));
  for (const auto& e : v) {
    if (!e.is_string())
      throw UsageError(fmt::format("{}: \"{}\" must be a list of strings", where_, key));
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::vector<std::int64_t> JsonFields::integers(const std::string& key) {
  const auto& v = get(key);
  std::vector<std::int64_t> out;
  if (!v.is_array()) throw UsageError(fmt::format("{}: \"{}\" must be a list of integers", where_, key));
  for (const auto& e : v) {
    if (!e.is_number_integer())
      throw UsageError(fmt::format("{}: \"{}\" must be a list of integers", where_, key));
    out.push_back(e.get<std::int64_t>());
  }
  return out;
}

const nlohmann::json* JsonFields::sub(const std::string& key, bool required) {
  seen_.insert(key);
  if (!has(key)) {
    if (required) throw UsageError(fmt::format("{}: missing \"{}\"", where_, key));
    return nullptr;
  }
  return &j_.at(key);
}

void JsonFields::finish() const {
  for (const auto& [key, value] : j_.items()) {
    if (!seen_.count(key))
      throw UsageError(fmt::format("{}: unknown key \"{}\"", where_, key));
  }
}

}  // namespace scalebench
