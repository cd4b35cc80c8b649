// Parsers the report tests read documents back with: CSV (RFC 4180) and XML well-formedness.
#pragma once

#include <string>
#include <vector>

namespace scalebench::testing {

std::vector<std::vector<std::string>> parse_csv(const std::string& text);

// Empty when `text` is well-formed XML (tags balanced and nested, attributes quoted, entities
// complete; a DOCTYPE, comments and processing instructions allowed), else the first problem.
std::string xml_problem(const std::string& text);

// Every value of an id attribute in `text`.
std::vector<std::string> id_values(const std::string& text);

}  // namespace scalebench::testing
