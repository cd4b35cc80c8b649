// Shared wording and escaping for the documents.
#include "reports/text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

namespace scalebench::reports {
namespace {

struct WorkloadName {
  const char* id;
  const char* title;
};

// Every workload scalebench ships (workloads/), with the name a proposal would use.
const WorkloadName kWorkloadNames[] = {
    {"mnist_cnn", "MNIST CNN"},
    {"resnet50", "ResNet-50"},
    {"vit_b16", "ViT-B/16"},
};

}  // namespace

std::string percent(double fraction) { return fmt::format("{:.0f}%", fraction * 100.0); }

std::string number(double value, int digits) {
  if (!std::isfinite(value)) return "n/a";
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e9) return fmt::format("{:.{}g}", value, digits);
  if (magnitude == 0) return "0";
  // Decimals for `digits` significant digits; large values keep all their integer digits.
  const int integer_digits = static_cast<int>(std::floor(std::log10(magnitude))) + 1;
  const int decimals = std::clamp(digits - integer_digits, 0, 12);
  return fmt::format("{:.{}f}", value, decimals);
}

std::string number_or(const std::optional<double>& value, const std::string& missing, int digits) {
  return value ? number(*value, digits) : missing;
}

std::string bytes_text(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024.0 && unit < 4) {
    bytes /= 1024.0;
    ++unit;
  }
  return fmt::format("{:g} {}", std::round(bytes * 10.0) / 10.0, units[unit]);
}

std::string workload_title(const std::string& workload) {
  for (const WorkloadName& w : kWorkloadNames) {
    if (workload == w.id) return w.title;
  }
  return workload;
}

std::string grouped(double value) {
  const std::string digits = fmt::format("{:.0f}", std::fabs(value));
  const std::size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  std::string out = (value < 0 ? "-" : "") + digits.substr(0, first);
  for (std::size_t i = first; i < digits.size(); i += 3) out += "," + digits.substr(i, 3);
  return out;
}

std::string rate_text(double samples_per_s, const std::string& workload) {
  bool images = false;
  for (const WorkloadName& w : kWorkloadNames) images = images || workload == w.id;
  const std::string value =
      std::fabs(samples_per_s) >= 100 ? grouped(samples_per_s) : number(samples_per_s, 3);
  return value + (images ? " images/s" : " samples/s");
}

std::string precision_title(const std::string& precision) {
  if (precision == "fp16" || precision == "bf16") return precision + " autocast (AMP)";
  if (precision == "tf32") return "tf32 (fp32 on TF32 tensor cores)";
  return precision;
}

std::string group_setting(const GroupKey& key, const std::string& unit) {
  const std::string variant = key.variant.empty() ? "" : ", " + key.variant;
  if (key.scaling == "strong") {
    return fmt::format("{}, global batch {}, strong scaling{}", key.precision, key.batch, variant);
  }
  return fmt::format("{}, {} samples per {}, weak scaling{}", key.precision, key.batch, unit,
                     variant);
}

std::string group_title(const GroupKey& key) {
  const std::string batch = key.scaling == "strong" ? fmt::format("global batch {}", key.batch)
                                                    : fmt::format("batch {}/GPU", key.batch);
  return fmt::format("{} {}, {}, {} ({}) on {}{}", workload_title(key.workload), key.strategy,
                     key.precision, batch, key.scaling, key.system,
                     key.variant.empty() ? "" : " [" + key.variant + "]");
}

std::string slug(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) {
      out += static_cast<char>(std::tolower(c));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.empty()) return "x";
  if (out.size() <= kMaxSlugChars) return out;
  // File names are limited (255 bytes on most file systems, with a prefix and an extension still
  // to come): keep the start, and a hash of the whole text so that long names stay distinct.
  std::uint32_t hash = 2166136261u;  // FNV-1a, 32 bits
  for (const char ch : text) hash = (hash ^ static_cast<unsigned char>(ch)) * 16777619u;
  out.resize(kMaxSlugChars - 9);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return fmt::format("{}-{:08x}", out, hash);
}

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {
// Latin-1 and Latin Extended-A characters that pdflatex's default OT1 encoding cannot typeset
// (found by compiling each one in a plain article): guillemets, eth, thorn, ogonek letters, ...
bool needs_t1(std::uint32_t code) {
  static constexpr std::uint32_t kCodes[] = {
      0xab,  0xbb,  0xd0,  0xde,  0xf0,  0xfe,  0x104, 0x105, 0x110, 0x111, 0x118, 0x119, 0x126, 0x127,
      0x12e, 0x12f, 0x138, 0x13f, 0x140, 0x149, 0x14a, 0x14b, 0x166, 0x167, 0x172, 0x173, 0x17f};
  return std::find(std::begin(kCodes), std::end(kCodes), code) != std::end(kCodes);
}
}  // namespace

std::string latex_escape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      // A UTF-8 sequence: Latin-1 and Latin Extended-A letters (but those OT1 lacks) are what
      // pdflatex's default set-up typesets; any other character (CJK, Cyrillic, an emoji, a broken sequence) would
      // stop it with "Unicode character ... not set up", so it is written as \scalebenchchar{HEX}
      // (table.tex defines it: the character under XeLaTeX/LuaLaTeX, "U+HEX" under pdflatex).
      const std::size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      std::uint32_t code = length == 4 ? c & 0x07u : length == 3 ? c & 0x0fu : c & 0x1fu;
      bool valid = length > 1 && i + length <= text.size();
      for (std::size_t k = 1; valid && k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        valid = (next & 0xc0u) == 0x80u;
        code = (code << 6) | (next & 0x3fu);
      }
      if (!valid) {
        out += "\\scalebenchchar{FFFD}";
        ++i;
        continue;
      }
      if (code >= 0xa0 && code <= 0x17f && !needs_t1(code)) {
        out.append(text, i, length);
      } else {
        out += fmt::format("\\scalebenchchar{{{:04X}}}", code);
      }
      i += length;
      continue;
    }
    switch (c) {
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '&':
      case '%':
      case '$':
      case '#':
      case '_':
      case '{':
      case '}':
        out += '\\';
        out += static_cast<char>(c);
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '<':
        out += "\\textless{}";  // OT1 has no '<' and '>' glyphs: pdflatex prints ¡ and ¿
        break;
      case '>':
        out += "\\textgreater{}";
        break;
      case '|':
        out += "\\textbar{}";
        break;
      case '/':
        out += "/\\allowbreak{}";  // a path or "fp16/bf16" may break after its slashes
        break;
      default:
        out += c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c);
    }
    ++i;
  }
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string markdown_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '|' || c == '*' || c == '_' || c == '`' || c == '[' || c == ']' || c == '<' ||
        c == '\\') {
      out += '\\';
    }
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

namespace {

// Control characters would end a gnuplot line (and so a string or a comment) early.
bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

}  // namespace

// Single-quoted gnuplot strings are taken literally: no backquote command substitution, no
// @macro expansion, no backslash escapes (gnuplot docs, "Substitution"). A double-quoted string
// runs `...` as a shell command, so data never goes into one. A quote or a line break in the text
// becomes a constant double-quoted piece ("'" or "\n") joined with `.`: gnuplot 5.4 has a ''
// escape inside single quotes, but its lexer fails on two of them in a row.
std::string gnuplot_string(const std::string& text) {
  std::vector<std::string> pieces;
  std::string run;
  const auto flush = [&] {
    if (!run.empty()) pieces.push_back("'" + run + "'");
    run.clear();
  };
  for (const char c : text) {
    if (c == '\n' || c == '\'') {
      flush();
      pieces.push_back(c == '\n' ? "\"\\n\"" : "\"'\"");
    } else {
      run += is_control(c) ? ' ' : c;
    }
  }
  flush();
  if (pieces.empty()) return "''";
  return fmt::format("{}", fmt::join(pieces, "."));
}

// A comment must stay one line: a control character would start a new (executed) line, and a
// trailing backslash would continue the comment over the next command.
std::string gnuplot_comment(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) out += is_control(c) ? ' ' : c;
  while (!out.empty() && (out.back() == '\\' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace scalebench::reports
