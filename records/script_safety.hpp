// Script safety: quoting for the shell and the validators every value passes before it enters a
// batch script (names, times, module lines, launcher arguments, CPU masks).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace scalebench {

// True when every character is in [A-Za-z0-9_./:,=+@%-] and the string is not empty: such a word
// means the same to the shell quoted or not.
bool is_plain_word(std::string_view s);

// The word as the shell must see it: unchanged when plain, otherwise in single quotes (a ' inside
// becomes '\''). Throws UsageError for a NUL, a newline or another control character, which no path
// or argument in a batch script has any business carrying.
std::string shell_quote(std::string_view s);

// A Slurm name (account, partition, GRES type, profile, node type, job name): a letter or digit,
// then letters, digits, '_', '.', '-'; at most 64 characters. `what` names the value in the error.
void require_name(std::string_view s, std::string_view what);
bool is_name(std::string_view s);  // the same test, without the error

// An environment line of a profile: "module ...", "export NAME=VALUE" or "source PATH"/". PATH",
// made of plain words; VALUE may also reference variables ($NAME, ${NAME}). Anything else —
// a newline, ';', '&&', '|', a backquote, "$(", redirection, globbing — is refused (UsageError).
void require_environment_line(std::string_view line, std::string_view what);

// A launcher argument of a profile (srun/mpirun option): a plain word starting with '-'.
void require_launcher_argument(std::string_view arg, std::string_view what);

// Text a profile puts into a script as a `# ...` comment or into a warning (a partition's access
// rule, the multi-node note): one line of at most 1000 bytes, no control characters, so it cannot
// end the comment. Throws UsageError otherwise.
inline constexpr std::size_t kMaxCommentText = 1000;
void require_comment_text(std::string_view text, std::string_view what);

// A Slurm license request ("machine:1", "scratch,fs:2"): names as require_name takes them, each
// with an optional ":COUNT" (1 to 9999), joined by commas. Throws UsageError otherwise.
void require_licenses(std::string_view licenses, std::string_view what);

// A hexadecimal CPU mask ("0xfe0000"). Throws UsageError otherwise.
void require_cpu_mask(std::string_view mask, std::string_view what);

// A value as an error message shows it: on one line, control characters as \n, \t, \xNN.
std::string printable(std::string_view s);

// Slurm time limit "[D-]HH:MM:SS" (also "MM:SS" and plain minutes, as sbatch takes them) → seconds.
// Throws UsageError on anything else, on zero and past kMaxTimeLimitDays.
inline constexpr std::int64_t kMaxTimeLimitDays = 365;
std::int64_t parse_time_limit(std::string_view s, std::string_view what);
// Seconds → "HH:MM:SS", or "D-HH:MM:SS" from one day on.
std::string format_time_limit(std::int64_t seconds);

}  // namespace scalebench
