// libFuzzer target: Google Benchmark JSON text -> busbw series, as the report loader reads a
// micro-benchmark file. Documented refusals: nlohmann::json::exception (the loader skips the
// file with its message). Every series must be sorted by bytes with positive sizes.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_support.hpp"
#include "records/json_text.hpp"
#include "reports/microbench.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace scalebench;
  try {
    const nlohmann::json doc = parse_json_text(fuzz::as_text(data, size), "bench.json");
    if (!reports::is_google_benchmark_output(doc)) return 0;
    for (const reports::BusbwSeries& s : reports::read_busbw_series(doc, "bench.json", "")) {
      if (s.points.empty()) std::abort();
      for (std::size_t i = 0; i < s.points.size(); ++i) {
        if (!(s.points[i].bytes > 0)) std::abort();
        if (i > 0 && !(s.points[i - 1].bytes < s.points[i].bytes)) std::abort();
      }
    }
  } catch (const nlohmann::json::exception&) {
  } catch (const std::exception& e) {
    fuzz::undocumented("busbw reader", e);
  }
  return 0;
}
