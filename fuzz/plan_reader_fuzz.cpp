// libFuzzer target: plan.json text -> Plan, as read_plan reads it (which turns parse errors into
// UsageError); a plan that loads is written back as `plan` would. The same text is read as an
// until_knee.json (the --until-knee gate's record, which `report --skipped` reads). Documented refusals: UsageError
// and nlohmann::json::parse_error; any other exception means bad input escaped as exit status 1.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_support.hpp"
#include "harness/plan/plan.hpp"
#include "records/json_text.hpp"
#include "records/until_knee.hpp"
#include "records/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace scalebench;
  try {
    const nlohmann::json j = parse_json_text(fuzz::as_text(data, size), "plan.json");
    try {
      const UntilKneeState s = until_knee_from_json(j, "until_knee.json");
      (void)to_json(s).dump(2);
    } catch (const UsageError&) {
    }
    const plan::Plan p = plan::plan_from_json(j, "plan.json");
    (void)plan::plan_to_json(p).dump(2);
  } catch (const nlohmann::json::parse_error&) {
  } catch (const UsageError&) {
  } catch (const std::exception& e) {
    fuzz::undocumented("plan reader", e);
  }
  return 0;
}
