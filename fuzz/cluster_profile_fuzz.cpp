// libFuzzer target: cluster profile text -> ClusterProfile, as load_cluster_profile_file reads it
// (which turns parse errors into UsageError). Documented refusals: UsageError and
// nlohmann::json::parse_error; any other exception means bad input escaped as exit status 1.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_support.hpp"
#include "records/cluster_profile.hpp"
#include "records/json_text.hpp"
#include "records/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace scalebench;
  try {
    const nlohmann::json j = parse_json_text(fuzz::as_text(data, size), "cluster.json");
    (void)parse_cluster_profile(j, "cluster.json");
  } catch (const nlohmann::json::parse_error&) {
  } catch (const UsageError&) {
  } catch (const std::exception& e) {
    fuzz::undocumented("cluster profile reader", e);
  }
  return 0;
}
