// CSV and XML checks for reading the report's documents back.
#include "tests/reports/checks.hpp"

#include <cctype>

namespace scalebench::testing {

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
    } else {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(field);
    rows.push_back(row);
  }
  return rows;
}

namespace {

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' ||
         c == '.';
}

// The end of a tag starting at `i` ('<'), honouring quoted attribute values; npos if unquoted
// attributes or an unterminated tag are found.
std::size_t tag_end(const std::string& text, std::size_t i) {
  char quote = 0;
  for (std::size_t j = i + 1; j < text.size(); ++j) {
    const char c = text[j];
    if (quote) {
      if (c == quote) quote = 0;
      if (c == '<') return std::string::npos;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '=') {
      std::size_t k = j + 1;
      while (k < text.size() && std::isspace(static_cast<unsigned char>(text[k]))) ++k;
      if (k >= text.size() || (text[k] != '"' && text[k] != '\'')) return std::string::npos;
    } else if (c == '>') {
      return j;
    } else if (c == '<') {
      return std::string::npos;
    }
  }
  return std::string::npos;
}

std::string entity_problem(const std::string& text, std::size_t i) {
  const std::size_t semi = text.find(';', i);
  if (semi == std::string::npos || semi - i > 10) return "bare '&' at offset " + std::to_string(i);
  const std::string name = text.substr(i + 1, semi - i - 1);
  static const char* const kNamed[] = {"amp", "lt", "gt", "quot", "apos"};
  for (const char* n : kNamed) {
    if (name == n) return "";
  }
  if (name.size() > 1 && name[0] == '#') return "";
  return "unknown entity '&" + name + ";'";
}

}  // namespace

std::string xml_problem(const std::string& text) {
  std::vector<std::string> open;
  std::size_t i = 0;
  while ((i = text.find_first_of("<&", i)) != std::string::npos) {
    if (text[i] == '&') {
      if (std::string p = entity_problem(text, i); !p.empty()) return p;
      ++i;
      continue;
    }
    if (text.compare(i, 4, "<!--") == 0) {
      const std::size_t end = text.find("-->", i);
      if (end == std::string::npos) return "unterminated comment";
      i = end + 3;
      continue;
    }
    if (text.compare(i, 2, "<?") == 0 || text.compare(i, 9, "<!DOCTYPE") == 0) {
      i = text.find('>', i);
      if (i == std::string::npos) return "unterminated declaration";
      continue;
    }
    const std::size_t end = tag_end(text, i);
    if (end == std::string::npos) return "malformed tag at offset " + std::to_string(i);
    const bool closing = text[i + 1] == '/';
    std::size_t n = i + (closing ? 2 : 1);
    std::string name;
    while (n < end && name_char(text[n])) name += text[n++];
    if (name.empty()) return "tag without a name at offset " + std::to_string(i);
    if (closing) {
      if (open.empty() || open.back() != name) {
        return "</" + name + "> closes " + (open.empty() ? "nothing" : "<" + open.back() + ">");
      }
      open.pop_back();
    } else if (text[end - 1] != '/') {
      open.push_back(name);
    }
    i = end + 1;
  }
  return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

std::vector<std::string> id_values(const std::string& text) {
  std::vector<std::string> ids;
  for (std::size_t i = text.find(" id="); i != std::string::npos; i = text.find(" id=", i + 1)) {
    const char quote = text[i + 4];
    const std::size_t end = text.find(quote, i + 5);
    ids.push_back(text.substr(i + 5, end - i - 5));
  }
  return ids;
}

}  // namespace scalebench::testing
