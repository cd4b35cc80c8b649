#include "records/vocabulary.hpp"

#include <fmt/format.h>

#include "records/errors.hpp"
#include "records/script_safety.hpp"

namespace scalebench::vocabulary {

void require_one_of(std::string_view word, std::string_view what, const std::string_view* words,
                    std::size_t count) {
  std::string valid;
  for (std::size_t i = 0; i < count; ++i) {
    if (words[i] == word) return;
    valid += (i == 0 ? "" : ", ");
    valid += words[i];
  }
  throw UsageError(fmt::format("{} '{}' is not known (valid: {})", what, printable(word), valid));
}

}  // namespace scalebench::vocabulary
