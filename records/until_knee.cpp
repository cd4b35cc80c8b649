// until_knee.json: writing and strict reading of the adaptive sweep's decisions.
#include "records/until_knee.hpp"

#include <array>

#include <fmt/format.h>

#include "records/errors.hpp"
#include "records/json_fields.hpp"
#include "records/json_text.hpp"
#include "records/script_safety.hpp"
#include "records/vocabulary.hpp"

namespace scalebench {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 3> kStates{"running", "stopped", "complete"};

json projected_json(const std::optional<ProjectedEfficiency>& p) {
  if (!p) return nullptr;
  return {{"central", p->central}, {"low", p->low}, {"high", p->high}};
}

double fraction(JsonFields& f, const std::string& key) {
  double v = f.number(key);
  if (!(v >= 0 && v <= 10))
    throw UsageError(
        fmt::format("{}: \"{}\" {} is not an efficiency (0 to 10)", f.where(), key, v));
  return v;
}

std::int64_t count(JsonFields& f, const std::string& key, std::int64_t min) {
  std::int64_t v = f.integer(key);
  if (v < min)
    throw UsageError(fmt::format("{}: \"{}\" must be at least {}, got {}", f.where(), key, min, v));
  return v;
}

}  // namespace

json to_json(const UntilKneeState& s) {
  json waves = json::array();
  for (const WaveRecord& w : s.waves)
    waves.push_back({{"wave", w.wave},
                     {"nodes", w.nodes},
                     {"decided_at", w.decided_at},
                     {"points", w.points},
                     {"ok", w.ok},
                     {"failed", w.failed}});
  json curves = json::array();
  for (const CurveDecision& c : s.curves) {
    json skipped = json::array();
    for (const SkippedPoint& p : c.skipped)
      skipped.push_back({{"point", p.point},
                         {"gpus", p.gpus},
                         {"nodes", p.nodes},
                         {"wave", p.wave},
                         {"result", p.result},
                         {"projected", projected_json(p.projected)}});
    curves.push_back(
        {{"workload", c.workload},
         {"strategy", c.strategy},
         {"state", c.state},
         {"stopped_after_wave", c.stopped_after_wave ? json(*c.stopped_after_wave) : json(nullptr)},
         {"reason", c.reason},
         {"skipped", skipped}});
  }
  return {{"schema", s.schema}, {"threshold", s.threshold}, {"confirm", s.confirm},
          {"unit", s.unit},     {"waves", waves},           {"curves", curves}};
}

UntilKneeState until_knee_from_json(const json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("schema") || j.at("schema") != kUntilKneeSchema)
    throw UsageError(fmt::format("{}: not an until-knee record (\"schema\" must be \"{}\")", where,
                                 kUntilKneeSchema));
  JsonFields f(j, where);
  UntilKneeState s;
  s.schema = f.str("schema");
  s.threshold = f.number("threshold");
  if (!(s.threshold > 0 && s.threshold <= 1))
    throw UsageError(
        fmt::format("{}: \"threshold\" {} is not a fraction in (0, 1]", where, s.threshold));
  s.confirm = count(f, "confirm", 0);
  s.unit = f.str("unit");
  if (s.unit != "GPUs" && s.unit != "devices")
    throw UsageError(
        fmt::format("{}: \"unit\" '{}' is not GPUs or devices", where, printable(s.unit)));
  for (JsonFields& wf : f.objects("waves")) {
    WaveRecord w;
    w.wave = count(wf, "wave", 0);
    w.nodes = count(wf, "nodes", 1);
    w.decided_at = wf.str("decided_at");
    w.points = count(wf, "points", 0);
    w.ok = count(wf, "ok", 0);
    w.failed = wf.strings("failed");
    wf.finish();
    s.waves.push_back(std::move(w));
  }
  for (JsonFields& cf : f.objects("curves")) {
    CurveDecision c;
    c.workload = cf.str("workload");
    require_name(c.workload, cf.where() + ": workload");
    c.strategy = cf.str("strategy");
    vocabulary::require_one_of(c.strategy, cf.where() + ": strategy", vocabulary::kStrategies);
    c.state = cf.str("state");
    vocabulary::require_one_of(c.state, cf.where() + ": state", kStates);
    c.stopped_after_wave = cf.opt_integer("stopped_after_wave");
    c.reason = cf.str("reason");
    for (JsonFields& pf : cf.objects("skipped")) {
      SkippedPoint p;
      p.point = count(pf, "point", 0);
      p.gpus = count(pf, "gpus", 1);
      p.nodes = count(pf, "nodes", 1);
      p.wave = count(pf, "wave", 0);
      p.result = pf.str("result");
      if (auto e = pf.opt_object("projected")) {
        p.projected =
            ProjectedEfficiency{fraction(*e, "central"), fraction(*e, "low"), fraction(*e, "high")};
        e->finish();
      }
      pf.finish();
      c.skipped.push_back(std::move(p));
    }
    cf.finish();
    s.curves.push_back(std::move(c));
  }
  f.finish();
  return s;
}

UntilKneeState read_until_knee_file(const std::filesystem::path& path) {
  const json j = read_json_file(
      path, "until-knee record",
      fmt::format("{} is a folder; give the {} in it", path.string(), kUntilKneeFile));
  return until_knee_from_json(j, path.string());
}

}  // namespace scalebench
