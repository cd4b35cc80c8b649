// Strict reading of JSON objects at the loading edge: required and optional fields with their
// types, and a refusal of keys nobody reads (nlohmann's struct macros would ignore them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scalebench {

// Reads one JSON object; every error is a UsageError naming the field. Two ways of naming it:
// - JsonFields(j, where): `WHERE: "key" must be a string`, `WHERE: missing "key"` (plans,
//   profiles, presets; `where` is the file and the part of it);
// - JsonFields::at_path(j, path): the field's JSON path, `point.batch_per_device: expected an
//   integer, got "8"`, `communication.buckets[2].time_ms: missing` (result records).
// A reader made by object(), opt_object() or objects() names its fields the way its parent does.
//
// An optional field that is null reads as absent. An integer is a JSON number with an integral
// value that an int64 holds (2 and 2.0 read as 2; 2.5, 1e300 and 2^63 are refused); a number is
// any JSON number, integers included. A string, a boolean or null is never a number.
class JsonFields {
 public:
  JsonFields(const nlohmann::json& j, std::string where);
  // `path` is the object's own path: "" for the whole document, "point", "ranks[0]".
  static JsonFields at_path(const nlohmann::json& j, std::string path);

  std::string str(const std::string& key);
  std::optional<std::string> opt_str(const std::string& key);
  std::int64_t integer(const std::string& key);
  std::optional<std::int64_t> opt_integer(const std::string& key);
  double number(const std::string& key);
  std::optional<double> opt_number(const std::string& key);
  bool boolean(const std::string& key, bool fallback);
  std::vector<std::string> strings(const std::string& key, bool required = false);
  // Absent or null reads as empty when not required.
  std::vector<std::int64_t> integers(const std::string& key, bool required = true);
  // A nested object or array (nullptr when absent and not required).
  const nlohmann::json* sub(const std::string& key, bool required);
  bool has(const std::string& key) const;
  const std::string& where() const { return where_; }

  // A nested object as a reader of its own (call its finish() too).
  JsonFields object(const std::string& key);
  std::optional<JsonFields> opt_object(const std::string& key);  // absent or null: nullopt
  // An array of objects, one reader each; absent or null: none.
  std::vector<JsonFields> objects(const std::string& key);
  // An object of strings (any keys); absent or null: empty.
  std::map<std::string, std::string> string_map(const std::string& key);
  // An object of numbers (any keys); absent or null: nullopt.
  std::optional<std::map<std::string, double>> opt_number_map(const std::string& key);

  // Throws when the object holds a key none of the calls above asked for.
  void finish() const;

 private:
  JsonFields(const nlohmann::json& j, std::string where, bool paths);
  const nlohmann::json& get(const std::string& key);
  // A member's (an element's) name as a child reader's `where` or a path-mode message shows it.
  std::string child(const std::string& key) const;
  std::string child(const std::string& key, std::size_t index) const;
  [[noreturn]] void missing(const std::string& key) const;
  // `expected` names the value in a path message ("an integer"); `where_says` in a `where` one
  // ("a list of integers" for an element of a list).
  [[noreturn]] void wrong(const std::string& key, std::optional<std::size_t> index,
                          const char* expected, const char* where_says, const nlohmann::json& v) const;
  std::int64_t to_integer(const std::string& key, std::optional<std::size_t> index,
                          const char* where_says, const nlohmann::json& v) const;
  const nlohmann::json& j_;
  std::string where_;  // `where`, or the object's JSON path
  bool paths_ = false;
  std::set<std::string> seen_;
};

}  // namespace scalebench
