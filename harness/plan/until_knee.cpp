// The adaptive sweep's gate: results so far -> a verdict per curve -> until_knee.json, sweep.log
// and the points the later waves skip (cancelled on Slurm, not started by `sweep`).
#include "harness/plan/until_knee.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (fmt 11 moved it here)
#include <nlohmann/json.hpp>

#include "harness/plan/cost.hpp"
#include "harness/plan/plan.hpp"
#include "harness/plan/process.hpp"
#include "records/durable_file.hpp"
#include "records/errors.hpp"
#include "records/json_text.hpp"
#include "records/numbers.hpp"
#include "records/script_safety.hpp"
#include "reports/loader.hpp"
#include "reports/metrics.hpp"
#include "reports/predict.hpp"

namespace scalebench::plan {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string pct(double f) { return fmt::format("{:.0f}%", f * 100); }

std::string utc_now() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string at(const MeasuredCount& c, const std::string& unit) {
  return fmt::format("{} {} ({} node{})", c.gpus, unit, c.nodes, c.nodes == 1 ? "" : "s");
}

// The wave of every point of the plan.
std::vector<std::int64_t> wave_of_points(const Plan& plan) {
  std::vector<std::int64_t> wave(plan.points.size(), 0);
  for (std::size_t w = 0; w < plan.waves.size(); ++w)
    for (auto idx : plan.waves[w].points) wave[idx] = static_cast<std::int64_t>(w);
  return wave;
}

struct Curve {
  std::string workload, strategy;
  std::vector<std::int64_t> points;  // plan order
};

std::vector<Curve> curves_of(const Plan& plan) {
  std::vector<Curve> curves;
  for (const auto& p : plan.points) {
    auto it = std::find_if(curves.begin(), curves.end(), [&](const Curve& c) {
      return c.workload == p.workload && c.strategy == p.strategy;
    });
    if (it == curves.end()) {
      curves.push_back({p.workload, p.strategy, {}});
      it = curves.end() - 1;
    }
    it->points.push_back(p.index);
  }
  return curves;
}

UntilKneeState fresh_state(const Plan& plan) {
  UntilKneeState s;
  s.threshold = plan.spec.knee_threshold;
  s.confirm = plan.spec.knee_confirm;
  s.unit = plan.cluster.backend == "cpu" ? "devices" : "GPUs";
  for (const Curve& c : curves_of(plan)) {
    CurveDecision d;
    d.workload = c.workload;
    d.strategy = c.strategy;
    d.state = "running";
    d.reason = "no wave decided yet";
    s.curves.push_back(std::move(d));
  }
  return s;
}

// The saved decisions before wave `wave` (a gate run again decides its wave and the later ones
// afresh); a fresh state when there are none or they belong to another plan.
UntilKneeState state_before(const Plan& plan, const fs::path& dir, std::int64_t wave) {
  const fs::path file = dir / kUntilKneeFile;
  if (!fs::exists(file)) return fresh_state(plan);
  UntilKneeState s = read_until_knee_file(file);
  UntilKneeState fresh = fresh_state(plan);
  bool same = s.curves.size() == fresh.curves.size();
  for (std::size_t i = 0; same && i < s.curves.size(); ++i)
    same = s.curves[i].workload == fresh.curves[i].workload &&
           s.curves[i].strategy == fresh.curves[i].strategy;
  if (!same) return fresh;
  s.threshold = fresh.threshold;
  s.confirm = fresh.confirm;
  std::erase_if(s.waves, [&](const WaveRecord& w) { return w.wave >= wave; });
  for (CurveDecision& c : s.curves) {
    if (c.state != "running" && c.stopped_after_wave && *c.stopped_after_wave < wave) continue;
    if (c.state == "stopped" && !c.stopped_after_wave) continue;
    c.state = "running";
    c.stopped_after_wave.reset();
    c.skipped.clear();
    c.reason = "no wave decided yet";
  }
  return s;
}

// "p0004: failed: the error" for a point without an ok result.
std::string failure(const PlannedPoint& p, const reports::PointSample* s) {
  std::string why = s ? s->status + (s->error.empty() ? "" : ": " + s->error) : "no result record";
  if (why.size() > 200) why = why.substr(0, 200) + "...";
  // The error comes from a result file: one printable line (control characters escaped).
  return fmt::format("p{:04} ({} {} GPUs): {}", p.index, p.workload, p.gpus, printable(why));
}

// The projection of a curve's later counts from its results so far (nullopt, and why, when predict
// cannot project it: no full-node point, or a profile without inter-node facts).
struct CurveProjection {
  std::map<std::int64_t, ProjectedEfficiency> by_gpus;
  std::string calibration;
};
std::optional<CurveProjection> project_curve(const Plan& plan, const std::vector<fs::path>& files,
                                             const std::string& workload,
                                             const std::string& strategy,
                                             const std::vector<std::int64_t>& counts,
                                             std::string& why) {
  reports::PredictOptions o;
  for (const auto& f : files) o.inputs.push_back({f, std::nullopt});
  o.cluster = plan.cluster.name;
  o.profile = plan.cluster;
  o.gpus = counts;
  o.beyond_profile = true;
  o.threshold = plan.spec.knee_threshold;
  o.draws = kGateDraws;
  try {
    reports::PredictSummary s = reports::project(o);
    for (const reports::PredictedCurve& c : s.curves) {
      if (c.keys.value("workload", "") != workload || c.keys.value("strategy", "") != strategy)
        continue;
      CurveProjection out;
      out.calibration = std::string(reports::to_string(c.calibration));
      for (const reports::PredictedPoint& p : c.points)
        out.by_gpus[p.gpus] = ProjectedEfficiency{p.efficiency, p.low, p.high};
      return out;
    }
    why = s.warnings.empty() ? "predict made no curve of it" : s.warnings.front();
  } catch (const UsageError& e) {
    why = e.what();
  }
  return std::nullopt;
}

std::string gpu_list(const Plan& plan, const std::vector<SkippedPoint>& skipped) {
  std::set<std::int64_t> counts;
  for (const auto& s : skipped) counts.insert(s.gpus);
  return fmt::format("{} {}", fmt::join(counts, ", "),
                     plan.cluster.backend == "cpu" ? "devices" : "GPUs");
}

void append_log(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::app);
  out << text;
  out.flush();
  if (!out) throw RunError(fmt::format("cannot append to {}", file.string()));
}

}  // namespace

Verdict judge_curve(const std::vector<MeasuredCount>& counts,
                    const std::optional<NextWaveProjection>& next, double threshold,
                    std::int64_t confirm, const std::string& unit) {
  std::size_t trailing = 0;  // the measured counts at the end that are below the threshold
  while (trailing < counts.size() && counts[counts.size() - 1 - trailing].efficiency < threshold)
    ++trailing;
  const bool past_one_node =
      std::any_of(counts.begin(), counts.end(), [](const MeasuredCount& c) { return c.nodes > 1; });
  const bool projection_below = next && past_one_node && next->efficiency.high < threshold;
  const std::size_t needed = static_cast<std::size_t>(confirm) + 1;
  const std::string thr = pct(threshold);
  const std::string next_at = next ? fmt::format("{} {} ({} node{})", next->gpus, unit, next->nodes,
                                                 next->nodes == 1 ? "" : "s")
                                   : "";
  if (trailing > 0) {
    const MeasuredCount& knee = counts[counts.size() - trailing];
    std::string fell =
        fmt::format("efficiency {} at {} is below {}", pct(knee.efficiency), at(knee, unit), thr);
    if (trailing >= needed) {
      if (trailing == 1) return {true, fell + " (--confirm 0: no further count needed)"};
      std::vector<std::string> further;
      for (std::size_t i = counts.size() - trailing + 1; i < counts.size(); ++i)
        further.push_back(fmt::format("{} at {}", pct(counts[i].efficiency), at(counts[i], unit)));
      return {true, fmt::format("{}, confirmed by {}", fell, fmt::join(further, ", "))};
    }
    if (projection_below)
      return {true, fmt::format(
                        "{}, confirmed by the projection at {}: at most {} (the band's upper edge)",
                        fell, next_at, pct(next->efficiency.high))};
    return {false, fmt::format("{}; {} further count{} below it will confirm the knee", fell,
                               needed - trailing, needed - trailing == 1 ? "" : "s")};
  }
  if (projection_below)
    return {true,
            fmt::format("the projection at {} is at most {} (the band's upper edge), below {}",
                        next_at, pct(next->efficiency.high), thr)};
  if (counts.empty()) return {false, "no count above the baseline measured yet"};
  const MeasuredCount& last = counts.back();
  return {false, fmt::format("efficiency {} at {}, at or above {}", pct(last.efficiency),
                             at(last, unit), thr)};
}

GateOutcome run_gate(const Plan& plan, const fs::path& dir, std::int64_t wave) {
  if (plan.waves.empty())
    throw UsageError("gate: this plan is not an --until-knee plan (it has no waves)");
  const auto waves = static_cast<std::int64_t>(plan.waves.size());
  if (wave < 0 || wave >= waves)
    throw UsageError(fmt::format("--wave {}: the plan's waves are 0 to {}", wave, waves - 1));
  const std::vector<std::int64_t> wave_of = wave_of_points(plan);
  const std::string unit = plan.cluster.backend == "cpu" ? "devices" : "GPUs";
  GateOutcome out;
  UntilKneeState& state = out.state;
  state = state_before(plan, dir, wave);
  std::set<std::int64_t> skipped;
  for (const CurveDecision& c : state.curves)
    for (const SkippedPoint& p : c.skipped) skipped.insert(p.point);

  const Wave& this_wave = plan.waves[wave];
  WaveRecord record;
  record.wave = wave;
  record.nodes = this_wave.nodes;
  record.decided_at = utc_now();
  std::string curve_lines;
  const std::vector<Curve> curves = curves_of(plan);
  for (std::size_t ci = 0; ci < curves.size(); ++ci) {
    const Curve& curve = curves[ci];
    CurveDecision& d = state.curves[ci];
    const std::string name = fmt::format("{} {}", curve.workload, curve.strategy);
    // The results so far (this wave and earlier), and this wave's points that ran.
    std::vector<fs::path> files;
    std::vector<std::int64_t> here, later;
    for (auto idx : curve.points) {
      if (wave_of[idx] > wave) {
        if (!skipped.count(idx)) later.push_back(idx);
        continue;
      }
      if (wave_of[idx] == wave && !skipped.count(idx)) here.push_back(idx);
      const fs::path f = dir / plan.points[idx].result;
      std::error_code ec;
      if (fs::is_regular_file(f, ec)) files.push_back(f);
    }
    reports::ResultSet results;
    if (!files.empty()) {
      std::vector<reports::InputSpec> specs;
      for (const auto& f : files) specs.push_back({f, std::nullopt});
      try {
        results = reports::load_results(specs);
      } catch (const UsageError&) {
        // Every file was unreadable: as if none had been written.
      }
    }
    std::map<fs::path, const reports::PointSample*> by_path;
    for (const auto& s : results.points) by_path[fs::absolute(s.path).lexically_normal()] = &s;
    std::int64_t ok_here = 0;
    std::vector<std::string> failed_here;
    for (auto idx : here) {
      auto it = by_path.find(fs::absolute(dir / plan.points[idx].result).lexically_normal());
      const reports::PointSample* s = it == by_path.end() ? nullptr : it->second;
      if (s && s->status == "ok")
        ++ok_here;
      else
        failed_here.push_back(failure(plan.points[idx], s));
    }
    record.points += static_cast<std::int64_t>(here.size());
    record.ok += ok_here;
    record.failed.insert(record.failed.end(), failed_here.begin(), failed_here.end());
    if (d.state != "running") continue;

    Verdict v;
    std::optional<CurveProjection> projection;
    std::string projection_note;
    if (!here.empty() && ok_here == 0) {
      v = {true, fmt::format("every point of wave {} ({} node{}) failed, so the larger waves would "
                             "most likely fail the same way: {}",
                             wave, this_wave.nodes, this_wave.nodes == 1 ? "" : "s",
                             failed_here.front())};
    } else {
      reports::MetricOptions mo;
      mo.threshold = plan.spec.knee_threshold;
      if (plan.spec.report_baseline == "node")
        mo.baseline_full_node = true;
      else if (plan.spec.report_baseline)
        mo.baseline_gpus = parse_whole_number(*plan.spec.report_baseline);
      std::vector<MeasuredCount> measured;
      std::optional<std::int64_t> baseline;
      try {
        for (const auto& g : reports::compute_metrics(reports::group_points(results), mo)) {
          if (g.key.workload != curve.workload || g.key.strategy != curve.strategy) continue;
          baseline = g.baseline_gpus;
          for (const auto& c : g.counts)
            if (c.ok() && c.efficiency && baseline && c.gpus > *baseline)
              measured.push_back({c.gpus, c.nodes, *c.efficiency});
          break;
        }
      } catch (const UsageError& e) {
        v = {true,
             fmt::format("no baseline to measure efficiency against: {}", printable(e.what()))};
      }
      if (!v.stop && !baseline) v = {true, "no count of it succeeded, so there is no baseline"};
      if (!v.stop) {
        std::optional<NextWaveProjection> next;
        if (!later.empty()) {
          std::set<std::int64_t> counts;
          for (auto idx : later) counts.insert(plan.points[idx].gpus);
          projection = project_curve(plan, files, curve.workload, curve.strategy,
                                     {counts.begin(), counts.end()}, projection_note);
          std::int64_t next_wave = wave_of[later.front()];
          for (auto idx : later) next_wave = std::min(next_wave, wave_of[idx]);
          if (projection) {
            for (auto idx : later) {
              const PlannedPoint& p = plan.points[idx];
              auto it = projection->by_gpus.find(p.gpus);
              if (wave_of[idx] != next_wave || it == projection->by_gpus.end()) continue;
              if (!next || it->second.high > next->efficiency.high)
                next = NextWaveProjection{p.gpus, p.nodes, it->second};
            }
          }
        }
        v = judge_curve(measured, next, plan.spec.knee_threshold, plan.spec.knee_confirm, unit);
      }
    }
    if (v.stop && !later.empty()) {
      d.state = "stopped";
      d.stopped_after_wave = wave;
      d.reason = v.reason;
      for (auto idx : later) {
        const PlannedPoint& p = plan.points[idx];
        SkippedPoint s{idx, p.gpus, p.nodes, wave_of[idx], p.result, std::nullopt};
        if (projection)
          if (auto it = projection->by_gpus.find(p.gpus); it != projection->by_gpus.end())
            s.projected = it->second;
        d.skipped.push_back(s);
        out.newly_skipped.push_back(idx);
      }
      std::string projected;
      for (const auto& s : d.skipped)
        if (s.projected) {
          projected = fmt::format("; projected {} ({}-{}) at {} {}", pct(s.projected->central),
                                  pct(s.projected->low), pct(s.projected->high), s.gpus, unit);
          break;
        }
      curve_lines +=
          fmt::format("  {}: STOPPED after wave {}: {}; skips {} point(s) ({}){}\n", name, wave,
                      v.reason, d.skipped.size(), gpu_list(plan, d.skipped), projected);
    } else if (later.empty()) {
      d.state = "complete";
      d.reason = v.stop ? v.reason : fmt::format("every wave ran; {}", v.reason);
      curve_lines += fmt::format("  {}: complete: {}\n", name, d.reason);
    } else {
      d.reason = v.reason;
      std::int64_t next_wave = wave_of[later.front()];
      for (auto idx : later) next_wave = std::min(next_wave, wave_of[idx]);
      curve_lines += fmt::format("  {}: goes on to wave {}: {}\n", name, next_wave, v.reason);
    }
    if (!projection && !projection_note.empty() && d.state == "running")
      curve_lines += fmt::format("    (no projection: {})\n", printable(projection_note));
  }
  std::erase_if(state.waves, [&](const WaveRecord& w) { return w.wave >= wave; });
  state.waves.push_back(record);

  std::set<std::int64_t> now_skipped = skipped;
  now_skipped.insert(out.newly_skipped.begin(), out.newly_skipped.end());
  std::int64_t left = 0;
  for (std::size_t idx = 0; idx < plan.points.size(); ++idx)
    if (wave_of[idx] > wave && !now_skipped.count(static_cast<std::int64_t>(idx))) ++left;
  out.nothing_left = left == 0;

  std::string log =
      fmt::format("{} gate after wave {} ({} node{}): {} of {} point(s) ok{}\n", record.decided_at,
                  wave, this_wave.nodes, this_wave.nodes == 1 ? "" : "s", record.ok, record.points,
                  record.failed.empty() ? "" : fmt::format(", {} FAILED", record.failed.size()));
  for (const auto& f : record.failed) log += fmt::format("  failed: {}\n", printable(f));
  log += curve_lines;
  if (wave + 1 < waves)
    log += out.nothing_left ? "  nothing is left to run: the later waves are skipped\n"
                            : fmt::format("  {} point(s) left in the later waves\n", left);
  out.log = log;
  write_file_atomically(dir / kUntilKneeFile, to_json(state).dump(2) + "\n");
  append_log(dir / kSweepLogFile, log);
  return out;
}

std::string cancel_skipped(const Plan& plan, const fs::path& dir, std::int64_t wave,
                           const GateOutcome& outcome, const std::string& scancel) {
  if (outcome.newly_skipped.empty() && !outcome.nothing_left) return "";
  const fs::path rec = dir / "submitted.json";
  const char* me = std::getenv("SLURM_JOB_ID");
  const std::string mine = me ? me : "";
  json record;
  for (int waited = 0; record.is_null(); ++waited) {
    std::error_code ec;
    if (fs::is_regular_file(rec, ec)) {
      try {
        std::ifstream in(rec);
        json all = parse_json_stream(in, rec.string());
        for (auto it = all.rbegin(); all.is_array() && it != all.rend(); ++it) {
          if (!it->is_object() || !it->contains("gates")) continue;
          bool match = mine.empty();
          for (const auto& g : (*it)["gates"]) match = match || g.value("job_id", "") == mine;
          if (match) {
            record = *it;
            break;
          }
        }
      } catch (const nlohmann::json::exception&) {
      } catch (const UsageError&) {
      }
    }
    if (!record.is_null()) break;
    if (waited >= kGateWaitForSubmissionS)
      throw RunError(
          fmt::format("gate: {} records no submission with this gate{}: cancel the "
                      "skipped points by hand (until_knee.json lists them); run by hand "
                      "inside an allocation, unset SLURM_JOB_ID first",
                      rec.string(), mine.empty() ? "" : " (job " + mine + ")"));
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::map<std::string, std::string> job_ids;
  for (const auto& a : record["arrays"]) job_ids[a.value("job", "")] = a.value("job_id", "");
  std::vector<std::string> targets;
  for (auto idx : outcome.newly_skipped) {
    const PlannedPoint& p = plan.points[idx];
    auto it = job_ids.find(p.job);
    if (it == job_ids.end() || it->second.empty())
      throw RunError(fmt::format("gate: submitted.json has no job id for {}", p.job));
    targets.push_back(fmt::format("{}_{}", it->second, p.array_index));
  }
  std::int64_t gates = 0;
  if (outcome.nothing_left)
    for (const auto& g : record["gates"])
      if (g.value("wave", -1) > wave) {
        targets.push_back(g.value("job_id", ""));
        ++gates;
      }
  if (targets.empty()) return "";
  for (const auto& t : targets)
    if (t.empty() || t.find_first_not_of("0123456789_") != std::string::npos)
      throw RunError(
          fmt::format("gate: submitted.json holds a job id that is not one: '{}'", printable(t)));
  std::vector<std::string> argv{scancel};
  argv.insert(argv.end(), targets.begin(), targets.end());
  ProcessOptions po;
  po.capture_stdout = true;
  po.timeout = std::chrono::seconds(60);
  auto r = run_process(argv, po);
  if (r.exit_code != 0 || r.timed_out)
    throw RunError(fmt::format("gate: {} failed (exit {}){}", command_line(argv), r.exit_code,
                               r.timed_out ? ", timed out" : ""));
  std::string line =
      fmt::format("  cancelled {} array task(s){}: {}\n", outcome.newly_skipped.size(),
                  gates ? fmt::format(" and {} later gate job(s)", gates) : "", command_line(argv));
  append_log(dir / kSweepLogFile, line);
  return line;
}

std::vector<std::int64_t> skipped_points(const fs::path& dir) {
  std::vector<std::int64_t> out;
  if (!fs::exists(dir / kUntilKneeFile)) return out;
  for (const auto& c : read_until_knee_file(dir / kUntilKneeFile).curves)
    for (const auto& p : c.skipped) out.push_back(p.point);
  return out;
}

std::string format_until_knee_cost(const Plan& plan, const std::vector<fs::path>& predict_from) {
  const ClusterProfile& cl = plan.cluster;
  const std::vector<std::int64_t> wave_of = wave_of_points(plan);
  const auto waves = plan.waves.size();
  std::vector<std::string> node_counts;
  for (const auto& w : plan.waves) node_counts.push_back(std::to_string(w.nodes));
  std::string s = fmt::format(
      "until the knee (--until-knee): {} wave(s) by node count ({} nodes), a gate job after each "
      "but "
      "the last; a curve stops when its efficiency falls below {} and {} further count(s) confirm "
      "it\n",
      waves, fmt::join(node_counts, ", "), pct(plan.spec.knee_threshold), plan.spec.knee_confirm);
  // Device-hours and billing of one point at its time limit and its expected time.
  struct Amount {
    double dev_h = 0, units = 0, dev_h_expected = 0, units_expected = 0;
    bool expected = true;
  };
  auto add = [&](Amount& a, const PlannedPoint& p) {
    const PlannedJob& job = plan.job(p.job);
    const double limit_h = static_cast<double>(job.time_s) / 3600.0;
    const double rate = billing_per_hour(cl.billing, job.shape);
    a.dev_h += static_cast<double>(p.gpus) * limit_h;
    a.units += rate * limit_h;
    if (p.expected_s) {
      a.dev_h_expected += static_cast<double>(p.gpus) * *p.expected_s / 3600.0;
      a.units_expected += rate * *p.expected_s / 3600.0;
    } else {
      a.expected = false;
    }
  };
  const JobShape gate = report_shape(plan);
  const double gate_h = static_cast<double>(kGateTimeLimitS) / 3600.0;
  const double gate_dev_h = static_cast<double>(gate.gpus()) * gate_h;
  const double gate_units = billing_per_hour(cl.billing, gate) * gate_h;
  auto line = [&](const Amount& a, std::size_t gates) {
    std::string t = format_amount(cl, a.dev_h + gate_dev_h * static_cast<double>(gates),
                                  a.units + gate_units * static_cast<double>(gates));
    if (a.expected)
      t += fmt::format(" at the time limit; {} expected",
                       format_amount(cl, a.dev_h_expected + gate_dev_h * static_cast<double>(gates),
                                     a.units_expected + gate_units * static_cast<double>(gates)));
    else
      t += " at the time limit";
    return t;
  };
  Amount naive;
  for (const auto& p : plan.points) add(naive, p);
  s += fmt::format("  naive sweep (every wave, no gates): {}\n", line(naive, 0));
  s += fmt::format("  worst case (every wave and {} gate job(s)): {}\n", waves - 1,
                   line(naive, waves - 1));
  // If every curve stopped after wave w.
  for (std::size_t w = 0; w + 1 < waves; ++w) {
    Amount a;
    for (const auto& p : plan.points)
      if (wave_of[p.index] <= static_cast<std::int64_t>(w)) add(a, p);
    s += fmt::format("  if every curve stops after wave {} ({} node{}): {}\n", w,
                     plan.waves[w].nodes, plan.waves[w].nodes == 1 ? "" : "s", line(a, w + 1));
  }
  if (waves < 2) return s;
  if (predict_from.empty()) {
    s +=
        "  expected: no full-node result to project from, so the cost lies between the first stop "
        "above and the worst case (give --predict-from RESULTS of one full node for an estimate)\n";
    return s;
  }
  // Expected: every curve's gates simulated on its projection (measured points as measured).
  const std::string unit = cl.backend == "cpu" ? "devices" : "GPUs";
  Amount expected;
  std::size_t gates_run = 0;
  std::vector<std::string> stops;
  for (const Curve& curve : curves_of(plan)) {
    std::set<std::int64_t> counts;
    for (auto idx : curve.points) counts.insert(plan.points[idx].gpus);
    std::string why;
    auto proj = project_curve(plan, predict_from, curve.workload, curve.strategy,
                              {counts.begin(), counts.end()}, why);
    std::int64_t stop_after = static_cast<std::int64_t>(waves) - 1;
    if (!proj) {
      stops.push_back(fmt::format("{} {}: every wave (no projection: {})", curve.workload,
                                  curve.strategy, printable(why)));
    } else {
      std::int64_t baseline = *counts.begin();
      if (plan.spec.report_baseline == "node") {
        for (auto idx : curve.points)
          if (plan.points[idx].nodes == 1) baseline = std::max(baseline, plan.points[idx].gpus);
      } else if (plan.spec.report_baseline) {
        baseline = parse_whole_number(*plan.spec.report_baseline).value_or(baseline);
      }
      for (std::int64_t w = 0; w + 1 < static_cast<std::int64_t>(waves); ++w) {
        std::vector<MeasuredCount> measured;
        std::optional<NextWaveProjection> next;
        for (auto idx : curve.points) {
          const PlannedPoint& p = plan.points[idx];
          auto it = proj->by_gpus.find(p.gpus);
          if (it == proj->by_gpus.end() || p.gpus <= baseline) continue;
          if (wave_of[idx] <= w)
            measured.push_back({p.gpus, p.nodes, it->second.central});
          else if (wave_of[idx] == w + 1 && (!next || it->second.high > next->efficiency.high))
            next = NextWaveProjection{p.gpus, p.nodes, it->second};
        }
        std::sort(measured.begin(), measured.end(),
                  [](const MeasuredCount& a, const MeasuredCount& b) { return a.gpus < b.gpus; });
        if (judge_curve(measured, next, plan.spec.knee_threshold, plan.spec.knee_confirm, unit)
                .stop) {
          stop_after = w;
          break;
        }
      }
      stops.push_back(fmt::format(
          "{} {}: {} (projected from {}, {} calibration)", curve.workload, curve.strategy,
          stop_after + 1 < static_cast<std::int64_t>(waves)
              ? fmt::format("stops after wave {} ({} nodes)", stop_after,
                            plan.waves[stop_after].nodes)
              : std::string("runs every wave"),
          predict_from.size() == 1 ? printable(predict_from.front().string())
                                   : fmt::format("{} inputs", predict_from.size()),
          proj->calibration));
    }
    for (auto idx : curve.points)
      if (wave_of[idx] <= stop_after) add(expected, plan.points[idx]);
    gates_run = std::max(
        gates_run, static_cast<std::size_t>(std::min<std::int64_t>(stop_after + 1, waves - 1)));
  }
  s += fmt::format("  expected (each curve's gates run on its projection): {}\n",
                   line(expected, gates_run));
  for (const auto& st : stops) s += fmt::format("    {}\n", st);
  return s;
}

}  // namespace scalebench::plan
