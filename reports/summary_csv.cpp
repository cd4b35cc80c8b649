// summary.csv: one row per group and GPU count with every metric, raw numbers in their units.
#include <fmt/format.h>

#include "reports/documents.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

using OptionalField = std::optional<double> CountMetrics::*;

// The measured columns, in order; names carry their units.
const std::pair<const char*, OptionalField> kNumberColumns[] = {
    {"step_ms", &CountMetrics::step_ms},
    {"step_p5_ms", &CountMetrics::step_p5_ms},
    {"step_p95_ms", &CountMetrics::step_p95_ms},
    {"compute_ms", &CountMetrics::compute_ms},
    {"exposed_comm_ms", &CountMetrics::exposed_ms},
    {"exposed_comm_share", &CountMetrics::exposed_share},
    {"overlap", &CountMetrics::overlap},
    {"allreduce_ms", &CountMetrics::allreduce_ms},
    {"busbw_gbps", &CountMetrics::busbw_gbps},
    {"samples_per_s", &CountMetrics::samples_per_s},
    {"samples_per_s_per_gpu", &CountMetrics::samples_per_s_per_gpu},
    {"speedup", &CountMetrics::speedup},
    {"efficiency", &CountMetrics::efficiency},
    {"doubling_gain", &CountMetrics::doubling_gain},
    {"gpu_hours_per_1000_steps", &CountMetrics::gpu_hours_per_1000_steps},
    {"billing_units_per_1000_steps", &CountMetrics::billing_units_per_1000_steps},
    {"gpu_hours_per_million_samples", &CountMetrics::gpu_hours_per_million_samples},
    {"node_hours_per_million_samples", &CountMetrics::node_hours_per_million_samples},
    {"billing_units_per_million_samples", &CountMetrics::billing_units_per_million_samples},
};

std::string csv_number(const std::optional<double>& v) {
  return v ? fmt::format("{:.9g}", *v) : "";
}

}  // namespace

std::string summary_csv(const ReportContent& report) {
  std::string out =
      "system,workload,strategy,precision,scaling,batch_per_device,global_batch,gpus,nodes,status,"
      "repeats,failed_runs,error,baseline_gpus";
  for (const auto& [name, field] : kNumberColumns) out += fmt::format(",{}", name);
  // The device unit ("GCD" on LUMI: gpus counts GCDs), the per-billed-GPU view where a billed GPU
  // is several devices, and the billing columns' unit.
  out +=
      ",knee_gpus,is_knee,device_unit,devices_per_billed_gpu,samples_per_s_per_billed_gpu,"
      "billed_gpu_hours_per_million_samples,billing_unit\n";
  for (const GroupMetrics& g : report.groups) {
    const std::string baseline = g.baseline_gpus ? std::to_string(*g.baseline_gpus) : "";
    const std::string knee = g.knee ? std::to_string(g.knee->gpus) : "";
    for (const CountMetrics& c : g.counts) {
      out +=
          fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}", csv_field(g.key.system),
                      csv_field(g.key.workload), csv_field(g.key.strategy),
                      csv_field(g.key.precision), g.key.scaling, c.batch_per_device, c.global_batch,
                      c.gpus, c.nodes, c.status, c.repeats, c.failed, csv_field(c.error), baseline);
      for (const auto& [name, field] : kNumberColumns)
        out += fmt::format(",{}", csv_number(c.*field));
      out +=
          fmt::format(",{},{},{},{:.9g},{},{},{}\n", knee, g.knee && g.knee->gpus == c.gpus ? 1 : 0,
                      csv_field(g.unit(1)), g.pricing.devices_per_billed_gpu,
                      csv_number(c.samples_per_s_per_billed_gpu),
                      csv_number(c.billed_gpu_hours_per_million_samples),
                      g.pricing.per_device_hour ? csv_field(g.pricing.unit) : "");
    }
  }
  return out;
}

}  // namespace scalebench::reports
