// libFuzzer target: the two files `predict` and `report --prediction` read from outside, a
// measured table (CSV) and a prediction.json. The first byte picks the reader. Documented
// refusals: UsageError (one line naming the file and what is wrong) and nlohmann::json::exception
// (not JSON). Every row a table yields must be in the ranges parse_measured_table promises.
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_support.hpp"
#include "records/errors.hpp"
#include "reports/predict.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace scalebench;
  if (size == 0) return 0;
  const std::string_view text = fuzz::as_text(data + 1, size - 1);
  try {
    if (data[0] % 2 == 0) {
      for (const reports::MeasuredRow& r : reports::parse_measured_table(text, "table.csv")) {
        if (r.gpus < 1 || r.nodes < 1 || r.nodes > r.gpus || r.batch_per_device < 1 ||
            !(r.samples_per_s > 0) || r.model.empty() || r.precision.empty())
          std::abort();
      }
    } else {
      // The reader takes a path: the input goes through a file as `report --prediction` reads it.
      static const std::filesystem::path path =
          std::filesystem::temp_directory_path() /
          ("predict_fuzz_" + std::to_string(::getpid()) + ".json");
      std::ofstream(path, std::ios::binary | std::ios::trunc)
          .write(text.data(), std::streamsize(text.size()));
      for (const reports::PredictedCurve& c : reports::read_prediction_file(path)) {
        for (const reports::PredictedPoint& p : c.points) (void)p;
      }
    }
  } catch (const UsageError&) {
  } catch (const nlohmann::json::exception&) {
  } catch (const std::exception& e) {
    fuzz::undocumented("predict inputs", e);
  }
  return 0;
}
