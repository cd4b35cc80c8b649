// libFuzzer target: result file text -> ResultRecord, as read_result_file reads it; then the
// record is written back as the run loop would. Documented refusals: nlohmann::json::exception
// (malformed JSON) and std::runtime_error, which UsageError is (the strict reader: a missing key,
// a wrong type, an unknown key or a bad value, named by its JSON path).
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fuzz/fuzz_support.hpp"
#include "records/json_text.hpp"
#include "records/result.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace scalebench;
  try {
    const nlohmann::json j = parse_json_text(fuzz::as_text(data, size), "fuzz.json");
    ResultRecord record;
    from_json(j, record);
    (void)nlohmann::json(record).dump(2);
  } catch (const nlohmann::json::exception&) {
  } catch (const std::runtime_error&) {
  } catch (const std::exception& e) {
    fuzz::undocumented("result reader", e);
  }
  return 0;
}
