// Script safety: quoting for the shell and the validators of values entering batch scripts.
#include "records/script_safety.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "records/errors.hpp"
#include "records/numbers.hpp"

namespace scalebench {
namespace {

bool is_plain_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '_': case '.': case '/': case ':': case ',': case '=': case '+': case '@': case '%':
    case '-':
      return true;
    default:
      return false;
  }
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) words.push_back(s.substr(i, j - i));
    i = j;
  }
  return words;
}

bool is_variable_name(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

// VALUE of "export NAME=VALUE": plain characters and $NAME / ${NAME} references.
bool is_export_value(std::string_view v) {
  std::size_t i = 0;
  while (i < v.size()) {
    if (v[i] == '$') {
      std::size_t start = i + 1;
      if (start < v.size() && v[start] == '{') {
        std::size_t close = v.find('}', start);
        if (close == std::string_view::npos || !is_variable_name(v.substr(start + 1, close - start - 1)))
          return false;
        i = close + 1;
      } else {
        std::size_t j = start;
        while (j < v.size() && (std::isalnum(static_cast<unsigned char>(v[j])) || v[j] == '_')) ++j;
        if (!is_variable_name(v.substr(start, j - start))) return false;
        i = j;
      }
    } else if (is_plain_char(v[i])) {
      ++i;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out += c;
  }
  return out;
}


bool is_plain_word(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_plain_char(c)) return false;
  return true;
}

std::string shell_quote(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      throw UsageError(fmt::format("refusing a control character in a script value: '{}'", printable(s)));
  }
  if (is_plain_word(s)) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  out += "'";
  return out;
}

bool is_name(std::string_view s) {
  bool ok = !s.empty() && s.size() <= 64 && std::isalnum(static_cast<unsigned char>(s[0]));
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') ok = false;
  return ok;
}

void require_name(std::string_view s, std::string_view what) {
  if (!is_name(s))
    throw UsageError(fmt::format(
        "{} '{}' is not a valid name: use letters, digits, '_', '.', '-' (at most 64, starting "
        "with a letter or digit)",
        what, printable(s)));
}

void require_environment_line(std::string_view line, std::string_view what) {
  auto refuse = [&](std::string_view why) {
    throw UsageError(fmt::format(
        "{}: '{}' {}; an environment line is 'module ...', 'export NAME=VALUE' or 'source PATH' "
        "made of plain words",
        what, printable(line), why));
  };
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) refuse("holds a control character (newline?)");
  }
  auto words = split_spaces(line);
  if (words.empty()) refuse("is empty");
  if (words[0] == "module" || words[0] == "ml") {
    if (words.size() < 2) refuse("names no module command");
    for (std::size_t i = 1; i < words.size(); ++i)
      if (!is_plain_word(words[i])) refuse(fmt::format("has the non-plain word '{}'", words[i]));
    return;
  }
  if (words[0] == "source" || words[0] == ".") {
    if (words.size() != 2 || !is_plain_word(words[1])) refuse("must name exactly one plain path");
    return;
  }
  if (words[0] == "export") {
    if (words.size() != 2) refuse("must set exactly one variable");
    auto eq = words[1].find('=');
    if (eq == std::string_view::npos || !is_variable_name(words[1].substr(0, eq)))
      refuse("has no NAME=VALUE");
    if (!is_export_value(words[1].substr(eq + 1)))
      refuse("has shell metacharacters in its value");
    return;
  }
  refuse(fmt::format("starts with '{}'", words[0]));
}

void require_comment_text(std::string_view text, std::string_view what) {
  if (text.empty()) throw UsageError(fmt::format("{} is empty; give one line of text", what));
  if (text.size() > kMaxCommentText)
    throw UsageError(fmt::format("{} is {} bytes; at most {} (one line of text)", what, text.size(),
                                 kMaxCommentText));
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      throw UsageError(fmt::format("{} '{}' holds a control character; give one line of plain text",
                                   what, printable(text)));
  }
}

void require_licenses(std::string_view licenses, std::string_view what) {
  const auto refuse = [&] {
    throw UsageError(fmt::format("{} '{}' is not a license request; give NAME[:COUNT][,NAME[:COUNT]...]",
                                 what, printable(licenses)));
  };
  if (licenses.empty()) refuse();
  std::size_t start = 0;
  while (start <= licenses.size()) {
    const std::size_t comma = std::min(licenses.find(',', start), licenses.size());
    const std::string_view item = licenses.substr(start, comma - start);
    const std::size_t colon = item.find(':');
    if (!is_name(item.substr(0, colon))) refuse();
    if (colon != std::string_view::npos) {
      const std::string_view count = item.substr(colon + 1);
      if (count.empty() || count.size() > 4 || count[0] == '0' ||
          !std::all_of(count.begin(), count.end(), [](char c) { return c >= '0' && c <= '9'; }))
        refuse();
    }
    start = comma + 1;
  }
}

void require_launcher_argument(std::string_view arg, std::string_view what) {
  if (arg.size() < 2 || arg[0] != '-' || !is_plain_word(arg))
    throw UsageError(fmt::format("{}: launcher argument '{}' must be one plain option word", what,
                                 printable(arg)));
}

void require_cpu_mask(std::string_view mask, std::string_view what) {
  bool ok = mask.size() > 2 && mask.substr(0, 2) == "0x";
  for (std::size_t i = 2; ok && i < mask.size(); ++i)
    ok = std::isxdigit(static_cast<unsigned char>(mask[i])) != 0;
  if (!ok)
    throw UsageError(fmt::format("{}: CPU mask '{}' must be hexadecimal like 0xfe", what,
                                 printable(mask)));
}

std::int64_t parse_time_limit(std::string_view s, std::string_view what) {
  auto refuse = [&] {
    return UsageError(fmt::format("{} '{}' is not a time limit: use HH:MM:SS or D-HH:MM:SS", what,
                                  printable(s)));
  };
  std::int64_t days = 0;
  std::string_view rest = s;
  if (auto dash = s.find('-'); dash != std::string_view::npos) {
    const auto d = parse_whole_number(s.substr(0, dash));
    if (!d || *d < 0) throw refuse();
    days = *d;
    if (days > kMaxTimeLimitDays)
      throw UsageError(fmt::format("{} '{}': at most {} days", what, printable(s), kMaxTimeLimitDays));
    rest = s.substr(dash + 1);
  }
  std::vector<std::int64_t> parts;
  std::size_t i = 0;
  while (true) {
    std::size_t j = rest.find(':', i);
    auto field = rest.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (field.empty() || field.size() > 3) throw refuse();
    const auto v = parse_whole_number(field);
    if (!v || *v < 0) throw refuse();
    parts.push_back(*v);
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  std::int64_t seconds = 0;
  if (parts.size() == 3) {
    if (parts[1] >= 60 || parts[2] >= 60) throw refuse();
    seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
  } else if (parts.size() == 2 && days == 0) {  // MM:SS
    if (parts[1] >= 60) throw refuse();
    seconds = parts[0] * 60 + parts[1];
  } else if (parts.size() == 1 && days == 0) {  // minutes
    seconds = parts[0] * 60;
  } else {
    throw refuse();
  }
  seconds += days * 86400;
  if (seconds <= 0) throw refuse();
  return seconds;
}

std::string format_time_limit(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  auto hms = fmt::format("{:02}:{:02}:{:02}", rest / 3600, rest / 60 % 60, rest % 60);
  return days > 0 ? fmt::format("{}-{}", days, hms) : hms;
}

}  // namespace scalebench
