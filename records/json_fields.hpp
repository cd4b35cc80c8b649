// Strict reading of JSON objects at the loading edge: required and optional fields with their
// types, and a refusal of keys nobody reads (nlohmann's struct macros would ignore them).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scalebench {

// Reads one JSON object; every error is a UsageError naming `where` and the key.
class JsonFields {
 public:
  JsonFields(const nlohmann::json& j, std::string where);

  std::string str(const std::string& key);
  std::optional<std::string> opt_str(const std::string& key);
  std::int64_t integer(const std::string& key);
  std::optional<std::int64_t> opt_integer(const std::string& key);
  double number(const std::string& key);
  std::optional<double> opt_number(const std::string& key);
  bool boolean(const std::string& key, bool fallback);
  std::vector<std::string> strings(const std::string& key, bool required = false);
  std::vector<std::int64_t> integers(const std::string& key);
  // A nested object or array (nullptr when absent and not required).
  const nlohmann::json* sub(const std::string& key, bool required);
  bool has(const std::string& key) const;
  const std::string& where() const { return where_; }

  // Throws when the object holds a key none of the calls above asked for.
  void finish() const;

 private:
  const nlohmann::json& get(const std::string& key);
  const nlohmann::json& j_;
  std::string where_;
  std::set<std::string> seen_;
};

}  // namespace scalebench
