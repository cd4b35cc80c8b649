// Shared wording and escaping for the documents: numbers, names, and the escapes of each format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "reports/loader.hpp"

namespace scalebench::reports {

// 0.724 -> "72%"
std::string percent(double fraction);
// A number with `digits` significant digits, no exponent below 1e9: 1234.5 -> "1234.5".
std::string number(double value, int digits = 4);
// An optional number, or `missing` when absent.
std::string number_or(const std::optional<double>& value, const std::string& missing,
                      int digits = 4);
// 1048576 -> "1 MiB"
std::string bytes_text(double bytes);

// "resnet50" -> "ResNet-50"; unknown names are returned as they are.
std::string workload_title(const std::string& workload);
// 1281167 -> "1,281,167" (rounded to an integer)
std::string grouped(double value);
// A throughput for prose: "12,345 images/s" for the image workloads scalebench ships, "5.31
// samples/s" for others (three significant digits below 100).
std::string rate_text(double samples_per_s, const std::string& workload);
// The precision as a proposal names it: "fp16" -> "fp16 autocast (AMP)" (scalebench's fp16 and
// bf16 are mixed precision with fp32 master weights, as torch.autocast), "tf32" -> "tf32 (fp32 on
// TF32 tensor cores)"; fp32 as it is.
std::string precision_title(const std::string& precision);
// "fp32, 64 samples per GPU, weak scaling" / "fp32, global batch 1024, strong scaling", then the
// curve's variant where it has one (", image 64 px")
std::string group_setting(const GroupKey& key, const std::string& unit);
// "ResNet-50 ddp, fp32, batch 64/GPU (weak) on mahti A100", then " [image 64 px]" where the curve
// has a variant (one line, for titles and captions)
std::string group_title(const GroupKey& key);
// Lowercase letters, digits and '-', for file names; at most kMaxSlugChars (a longer text keeps
// its start and a hash of the whole, so distinct long labels give distinct names).
inline constexpr std::size_t kMaxSlugChars = 96;
std::string slug(const std::string& text);

std::string html_escape(const std::string& text);
std::string latex_escape(const std::string& text);
std::string csv_field(const std::string& text);
std::string markdown_escape(const std::string& text);
// A gnuplot string expression that is only ever data: single-quoted pieces (no command
// substitution), a newline becomes a line break, other control characters a space.
std::string gnuplot_string(const std::string& text);
// Text for a `# ...` comment line of a gnuplot script or data file: one line, and no trailing
// backslash (which would continue the comment over the next line).
std::string gnuplot_comment(const std::string& text);

}  // namespace scalebench::reports
