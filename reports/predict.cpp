// `scalebench predict`: curves in, projections out (docs/predict.md).
#include "reports/predict.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "records/cluster_profile.hpp"
#include "records/errors.hpp"
#include "records/json_fields.hpp"
#include "records/json_text.hpp"
#include "records/measurements.hpp"
#include "records/numbers.hpp"
#include "records/script_safety.hpp"
#include "records/result.hpp"
#include "records/vocabulary.hpp"
#include "reports/figures.hpp"
#include "reports/staging.hpp"
#include "reports/text.hpp"

namespace scalebench::reports {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using predict::Algorithm;
using predict::Network;
using predict::StepInputs;

// Parameters of scalebench's own workloads (DESIGN.md; tests/reports/predict_test.cpp checks them
// against the layer tables), for a measured table that names one of them.
struct KnownModel {
  const char* name;
  std::int64_t parameters;
};
constexpr KnownModel kKnownModels[] = {
    {"mnist_cnn", 1199882}, {"resnet50", 25557032}, {"vit_b16", 86567656}};

// A decimal number, all of `text` (no sign games: from_chars takes no leading '+' or spaces).
std::optional<double> parse_decimal(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

constexpr std::size_t kMaxTableRows = 100000;
constexpr double kDefaultBucketBytes = 25.0 * 1024 * 1024;
constexpr double kKappaMax = 0.3;
constexpr double kKappaPrior = 0.1;
constexpr double kSigmaPrior = 0.01;

// The node of the profile a curve is projected on, and how far its partitions reach.
struct ProfileNode {
  std::int64_t gpus = 1;
  std::optional<std::int64_t> max_gpus;  // the most any partition allows; nullopt: no limit given
};

ProfileNode profile_node(const ClusterProfile& c) {
  ProfileNode node;
  bool found = false;
  std::int64_t most = 0;
  bool unbounded = false;
  for (const Partition& p : c.partitions) {
    const NodeType& t = c.node_type(p.node_type);
    if (t.gpus <= 0) continue;
    if (!found || (p.auto_select && t.gpus > node.gpus)) node.gpus = t.gpus;
    found = true;
    if (p.max_gpus) {
      most = std::max(most, *p.max_gpus);
    } else if (p.max_nodes) {
      most = std::max(most, *p.max_nodes * t.gpus);
    } else {
      unbounded = true;
    }
  }
  if (!found) {
    throw UsageError(
        fmt::format("cluster profile '{}' has no partition with GPUs (node_types[].gpus)", c.name));
  }
  if (!unbounded) node.max_gpus = most;
  return node;
}

std::string basis_text(Basis b) { return std::string(to_string(b)); }

// Everything known about one curve before projecting it.
struct CurveInputs {
  json keys;
  std::string title;
  std::int64_t g = 1;  // GPUs per node
  std::int64_t batch_per_device = 0;
  std::vector<PredictedPoint> measured;
  std::int64_t baseline_gpus = 1;
  double baseline_per_gpu = 0;  // samples/s per GPU at the baseline
  StepInputs step;
  Network net;
  std::optional<Algorithm> forced;
  bool kappa_fitted = false;
  bool sigma_measured = false;
  bool node_fitted = false;  // node bandwidth from a two-node point
  bool intra_fitted = false;
  Calibration calibration = Calibration::node;
  std::int64_t calibration_nodes = 1;
  double calibration_step_ms = 0;     // measured, at calibration_nodes x g
  double calibration_efficiency = 1;  // measured, there (against the baseline)
  json fitted = json::object();
  std::vector<UsedValue> values;
  std::vector<std::string> assumptions;
};

// One draw of the uncertain inputs (1 = nominal) and where between the optimistic and the
// pessimistic calibration it falls (0 optimistic, 1 pessimistic).
struct Draw {
  double node_bw = 1, latency = 1, intra_bw = 1, sigma = 1;
  double kappa = -1;  // < 0: the curve's own
  double weight = 0.5;
};

struct Projection {
  double step_ms = 0;  // what the measured baseline's step becomes at this count
  double efficiency = 0;
  predict::StepPrediction parts;  // the model's own step at this count
  double residual = 1;            // the efficiency factor the calibration applied (1: none)
};

// The model's step at the baseline count (normally one GPU: the compute alone), with the same
// compute parts as every other count, so that the model's efficiency isolates communication,
// interference and stragglers.
double model_at_baseline(const CurveInputs& in, const StepInputs& s, const Network& net) {
  Network nb = net;
  std::int64_t nodes = 1;
  if (in.baseline_gpus <= in.g) {
    nb.gpus_per_node = in.baseline_gpus;
  } else {
    nodes = in.baseline_gpus / in.g;
  }
  return predict::predict_step(s, nb, nodes, in.forced).step_ms;
}

// Efficiency at `nodes`: the model's (baseline step over this step) times the calibration: q, the
// measured over the modelled efficiency at the calibration point, carried forward. Optimistic: q
// stays as it is; pessimistic: it keeps shrinking at its rate per doubling (node: per doubling
// inside the node; two-node: per node doubling past two).
Projection project_step(const CurveInputs& in, std::int64_t nodes, const Draw& d) {
  Network net = in.net;
  net.node_gbps *= d.node_bw;
  net.inter_latency_us *= d.latency;
  net.intra_latency_us *= d.latency;
  net.base_latency_us *= d.latency;
  net.intra_gbps *= d.intra_bw;
  StepInputs s = in.step;
  s.sigma *= d.sigma;
  if (d.kappa >= 0) s.kappa = d.kappa;
  Projection p;
  p.parts = predict::predict_step(s, net, nodes, in.forced);
  // The calibration point and the baseline are on the profile's node, also when this count is
  // a part of one.
  Network node_net = net;
  node_net.gpus_per_node = in.g;
  const double base = model_at_baseline(in, s, node_net);
  const double model_eff = p.parts.step_ms > 0 ? base / p.parts.step_ms : 0.0;
  double q = 1;
  if (in.calibration != Calibration::physics) {
    const double model_cal =
        predict::predict_step(s, node_net, in.calibration_nodes, in.forced).step_ms;
    const double model_cal_eff = model_cal > 0 ? base / model_cal : 1.0;
    q = model_cal_eff > 0 ? in.calibration_efficiency / model_cal_eff : 1.0;
  }
  const double k = double(nodes);
  double growth = 0;
  if (in.calibration == Calibration::two_node) {
    growth = std::max(0.0, std::log2(k) - 1);
  } else if (in.calibration == Calibration::node) {
    growth = std::log2(std::max(1.0, k)) / std::max(1.0, std::log2(double(in.g)));
  }
  // q < 1 (a loss the model does not explain) may keep growing; q > 1 (better than the model)
  // is not extrapolated: its pessimistic edge is the model itself.
  const double pessimistic = q < 1 ? std::pow(q, 1 + growth) : 1.0;
  p.residual = std::pow(q, 1 - d.weight) * std::pow(pessimistic, d.weight);
  p.efficiency = model_eff * p.residual;
  p.step_ms = p.efficiency > 0
                  ? double(in.batch_per_device) / (p.efficiency * in.baseline_per_gpu) * 1e3
                  : 0.0;
  return p;
}

// The measured efficiency at `gpus` (a measured point of the curve).
double measured_efficiency(const CurveInputs& in, std::int64_t gpus) {
  for (const PredictedPoint& p : in.measured)
    if (p.gpus == gpus) return p.efficiency;
  return 1.0;
}

// κ: the backward slow-down that makes the model meet the measured efficiency at the calibration
// point (bounded to 0-0.3).
void fit_kappa(CurveInputs& in) {
  if (!in.step.overlap || in.g * in.calibration_nodes <= 1) return;
  const auto efficiency_at = [&](double kappa) {
    StepInputs s = in.step;
    s.kappa = kappa;
    const double model = predict::predict_step(s, in.net, in.calibration_nodes, in.forced).step_ms;
    return model > 0 ? model_at_baseline(in, s, in.net) / model : 0.0;
  };
  double lo = 0, hi = kKappaMax;
  if (std::fabs(efficiency_at(lo) - efficiency_at(hi)) < 1e-9) return;  // κ changes nothing there
  if (efficiency_at(lo) <= in.calibration_efficiency) {
    in.step.kappa = 0;
  } else if (efficiency_at(hi) >= in.calibration_efficiency) {
    in.step.kappa = kKappaMax;
  } else {
    for (int i = 0; i < 60; ++i) {
      const double mid = 0.5 * (lo + hi);
      (efficiency_at(mid) > in.calibration_efficiency ? lo : hi) = mid;
    }
    in.step.kappa = 0.5 * (lo + hi);
  }
  in.kappa_fitted = true;
}

// The inter-node facts of the profile, or exit 2 naming the fields.
void network_from_profile(const ClusterProfile& c, const std::string& backend,
                          const std::optional<std::string>& recorded_algorithm, CurveInputs& in) {
  const Link& link = c.inter_node;
  double line_gbps = 0;
  std::string how;
  if (link.nics_per_node && link.nic_gbit_per_s) {
    line_gbps = double(*link.nics_per_node) * *link.nic_gbit_per_s / 8.0;
    how = fmt::format("{} NIC(s) x {} Gbit/s", *link.nics_per_node, *link.nic_gbit_per_s);
  } else if (link.bandwidth_gb_per_s && *link.bandwidth_gb_per_s > 0) {
    line_gbps = *link.bandwidth_gb_per_s;
    how = "bandwidth_gb_per_s";
  } else {
    throw UsageError(fmt::format(
        "cluster profile '{}' gives no inter-node bandwidth: predict needs "
        "interconnect.inter_node.nics_per_node and nic_gbit_per_s, or bandwidth_gb_per_s",
        c.name));
  }
  double eff = 0;
  std::string eff_basis = "assumed";
  std::string eff_source;
  if (link.efficiency) {
    eff = *link.efficiency;
    eff_basis = basis_text(link.basis);
    eff_source = link.source;
  } else if (backend == "cpu") {
    eff = 0.8;
    eff_source = "MPI over TCP (docs/predict.md)";
  } else if (link.gpudirect_rdma.value_or(false)) {
    eff = 0.9;
    eff_source = "GPUDirect RDMA (docs/predict.md)";
  } else {
    eff = link.gpudirect_rdma ? 0.65 : 0.9;
    eff_source = link.gpudirect_rdma
                     ? "no GPUDirect RDMA (docs/predict.md)"
                     : "GPUDirect RDMA not stated; assumed present (docs/predict.md)";
  }
  in.net.node_gbps = line_gbps * eff;
  in.values.push_back({"inter_node.line_rate", line_gbps, "GB/s per node", basis_text(link.basis),
                       link.source + " (" + how + ")"});
  in.values.push_back({"inter_node.efficiency", eff, "of the line rate", eff_basis, eff_source});
  if (link.latency_us) {
    in.net.inter_latency_us = *link.latency_us;
    in.values.push_back({"inter_node.latency", *link.latency_us, "us per step",
                         basis_text(link.basis), link.source});
  } else {
    in.values.push_back({"inter_node.latency", in.net.inter_latency_us, "us per step", "assumed",
                         "NCCL's tuning model (src/graph/tuning.cc)"});
  }
  if (link.taper) {
    // "A:B" oversubscription: the bandwidth between leaves is B/A of the node's.
    const std::string& t = *link.taper;
    const auto colon = t.find(':');
    if (colon != std::string::npos) {
      const auto a = parse_decimal(t.substr(0, colon)), b = parse_decimal(t.substr(colon + 1));
      if (a && b && *a > 0 && *b > 0 && *b <= *a) {
        in.net.taper = *b / *a;
      } else {
        throw UsageError(
            fmt::format("cluster profile '{}': interconnect.inter_node.taper '{}': give A:B with B "
                        "<= A, e.g. 2:1",
                        c.name, printable(t)));
      }
    } else {
      throw UsageError(
          fmt::format("cluster profile '{}': interconnect.inter_node.taper '{}': give A:B with B "
                      "<= A, e.g. 2:1",
                      c.name, printable(t)));
    }
    if (link.nodes_per_leaf) in.net.nodes_per_leaf = *link.nodes_per_leaf;
  }
  // Which algorithms may be chosen: the MPI communicator runs one ring; NCCL and RCCL choose
  // among what the profile lists (ring and tree when it lists none).
  in.net.algorithms.clear();
  const std::string algo = recorded_algorithm.value_or("");
  if (algo == "ring") {
    in.net.algorithms = {Algorithm::ring};
  } else if (algo.rfind("nccl:", 0) == 0) {
    std::string name = algo.substr(5);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    if (auto a = predict::parse_algorithm(name)) in.net.algorithms = {*a};
  }
  if (in.net.algorithms.empty()) {
    for (const std::string& name : link.collectives)
      if (auto a = predict::parse_algorithm(name)) in.net.algorithms.push_back(*a);
  }
  if (in.net.algorithms.empty()) in.net.algorithms = {Algorithm::ring, Algorithm::tree};
}

void intra_from_profile(const ClusterProfile& c, CurveInputs& in) {
  if (in.g <= 1 || in.intra_fitted) return;
  const Link& link = c.intra_node;
  if (!link.bandwidth_gb_per_s || *link.bandwidth_gb_per_s <= 0) {
    throw UsageError(
        fmt::format("cluster profile '{}' gives no in-node bandwidth and no measured {}-GPU point "
                    "could fit it: "
                    "predict needs interconnect.intra_node.bandwidth_gb_per_s",
                    c.name, in.g));
  }
  in.net.intra_gbps = *link.bandwidth_gb_per_s;
  in.values.push_back({"intra_node.bandwidth", in.net.intra_gbps, "GB/s per GPU",
                       basis_text(link.basis), link.source});
  if (link.latency_us) in.net.intra_latency_us = *link.latency_us;
}

// Per-bucket all-reduce times of a measured point, fitted as t = a + x / B with x the bytes each
// rank sends in the ring's bandwidth term.
std::optional<predict::LineFit> fit_buckets(const ResultRecord& r, double factor,
                                            double known_s_per_byte = 0) {
  if (!r.communication) return std::nullopt;
  std::vector<double> x, t;
  for (const BucketRecord& b : r.communication->buckets) {
    if (b.bytes <= 0 || b.time_ms <= 0) continue;
    const double rest = b.time_ms * 1e-3 - known_s_per_byte * double(b.bytes);
    if (rest <= 0) continue;
    x.push_back(factor * double(b.bytes));
    t.push_back(rest);
  }
  return predict::fit_bandwidth(x, t, 10e-6);
}

// The step's parts, buckets and noise from the records of one curve.
void step_from_records(const ResultRecord& node, const ResultRecord* single, CurveInputs& in) {
  const std::string where = "full-node result";
  const ResultRecord& parts_from =
      node.phases.compute_parts ? node : (single && single->phases.compute_parts ? *single : node);
  if (parts_from.phases.compute_parts) {
    const ComputeParts& c = *parts_from.phases.compute_parts;
    in.step.forward_ms = c.forward_ms;
    in.step.backward_ms = c.backward_ms;
    in.step.optimizer_ms = c.optimizer_ms;
    in.values.push_back({"compute.forward", c.forward_ms, "ms", "measured",
                         &parts_from == &node ? where : "1-GPU result"});
    in.values.push_back({"compute.backward", c.backward_ms, "ms", "measured",
                         &parts_from == &node ? where : "1-GPU result"});
    in.values.push_back({"compute.optimizer", c.optimizer_ms, "ms", "measured",
                         &parts_from == &node ? where : "1-GPU result"});
  } else {
    const double compute =
        node.phases.compute ? node.phases.compute->median_ms : node.step->median_ms;
    in.step.forward_ms = compute / 3;
    in.step.backward_ms = 2 * compute / 3;
    in.step.optimizer_ms = 0;
    in.assumptions.push_back(
        "the compute phase is split 1:2 into forward and backward (the results, schema "
        "scalebench.result/1, do not record the parts)");
  }
  // Buckets in launch order, each ready when backward produced its last gradient.
  const CommunicationRecord* comm = node.communication ? &*node.communication : nullptr;
  bool ready_measured = comm && !comm->buckets.empty();
  if (comm) {
    for (const BucketRecord& b : comm->buckets)
      ready_measured = ready_measured && b.ready_ms.has_value();
  }
  if (comm && !comm->buckets.empty()) {
    const std::size_t m = comm->buckets.size();
    for (std::size_t i = 0; i < m; ++i) {
      const BucketRecord& b = comm->buckets[i];
      const double fraction = ready_measured && in.step.backward_ms > 0
                                  ? std::clamp(*b.ready_ms / in.step.backward_ms, 0.0, 1.0)
                                  : double(i + 1) / double(m);
      in.step.buckets.push_back({double(b.bytes), fraction});
    }
  } else {
    in.step.buckets.push_back({double(node.model.gradient_bytes), 1.0});
  }
  if (!ready_measured) {
    in.assumptions.push_back("bucket ready times are spread evenly over backward (not recorded)");
  }
  // The idiosyncratic spread: measured across the node's ranks, else the 1-GPU run's step spread
  // (an upper bound: noise common to all ranks counts too).
  // σ is a fraction of the compute (J(N) multiplies it by t_F + t_B + t_O).
  const double full = in.step.forward_ms + in.step.backward_ms + in.step.optimizer_ms;
  if (node.rank_steps && node.rank_steps->ranks.size() > 1 && full > 0) {
    in.step.sigma = node.rank_steps->idiosyncratic_stdev_ms / full;
    in.sigma_measured = true;
    in.values.push_back(
        {"sigma", in.step.sigma, "of a step", "measured", "full-node result: rank_steps"});
  } else if (const ResultRecord* r = single ? single : &node;
             r->step && r->step->median_ms > 0 && full > 0) {
    in.step.sigma = r->step->stdev_ms / full;
    in.values.push_back({"sigma", in.step.sigma, "of a step", "measured",
                         "step spread of one rank (an upper bound: common noise counts too)"});
  } else {
    in.step.sigma = kSigmaPrior;
    in.values.push_back({"sigma", in.step.sigma, "of a step", "assumed", "no spread recorded"});
  }
  // Overlap as the run had it: ddp overlaps unless --no-overlap; mirrored never.
  in.step.overlap =
      node.point.strategy == vocabulary::kDdp &&
      !(node.point.options.is_object() && node.point.options.value("overlap", true) == false);
}

std::string unit_word(const std::string& backend, std::int64_t n) {
  if (backend == "cpu") return n == 1 ? "device" : "devices";
  return n == 1 ? "GPU" : "GPUs";
}

// The counts to project: the given ones, or node doublings up to the profile's reach.
std::vector<std::int64_t> target_counts(const PredictOptions& o, const ProfileNode& node,
                                        const std::string& cluster) {
  std::vector<std::int64_t> counts = o.gpus;
  const std::int64_t reach = node.max_gpus.value_or(1024);
  if (counts.empty()) {
    const std::int64_t top = o.max_gpus.value_or(std::min<std::int64_t>(reach, 1024));
    for (std::int64_t n = node.gpus * 2; n <= top; n *= 2) counts.push_back(n);
    if (counts.empty() || counts.back() != top) {
      if (top > node.gpus && top % node.gpus == 0) counts.push_back(top);
    }
  }
  for (std::int64_t n : counts) {
    if (n < 1) throw UsageError(fmt::format("--gpus: {} is not a positive GPU count", n));
    if (n > node.gpus && n % node.gpus != 0) {
      throw UsageError(
          fmt::format("--gpus: {} is not a whole number of {}-GPU nodes (allowed: up to {}, or a "
                      "multiple of {})",
                      n, node.gpus, node.gpus, node.gpus));
    }
    if (node.max_gpus && n > *node.max_gpus && !o.beyond_profile) {
      throw UsageError(fmt::format(
          "--gpus: {} is beyond the {} GPUs the partitions of '{}' allow; add --beyond-profile to "
          "project it anyway",
          n, *node.max_gpus, cluster));
    }
  }
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  return counts;
}

const char* kLossNames[] = {"exposed communication", "stragglers (the slowest of N ranks)",
                            "interference (backward slowed by collectives)",
                            "the calibration residual (loss no model term explains)"};

// The largest loss term, each as a share of the model's step (the residual: what the calibration
// takes away beyond the model).
std::string dominant_term(const Projection& p) {
  const double step = std::max(1e-12, p.parts.step_ms);
  const double terms[] = {p.parts.exposed_ms / step, p.parts.straggler_ms / step,
                          p.parts.interference_ms / step, p.residual > 0 ? 1 / p.residual - 1 : 0};
  std::size_t best = 0;
  for (std::size_t i = 1; i < 4; ++i)
    if (terms[i] > terms[best]) best = i;
  return terms[best] > 0 ? kLossNames[best] : "none (at the node's efficiency)";
}

// Projects one curve at `counts` and writes its text.
PredictedCurve project_curve(CurveInputs in, const std::vector<std::int64_t>& counts,
                             const PredictOptions& o, const std::string& backend) {
  PredictedCurve curve;
  curve.keys = in.keys;
  curve.title = in.title;
  curve.slug = slug("prediction-" + in.title);
  curve.devices_word = unit_word(backend, 2);
  curve.calibration = in.calibration;
  curve.baseline_gpus = in.baseline_gpus;
  std::int64_t last = 0;
  for (const PredictedPoint& p : in.measured) last = std::max(last, p.gpus);
  curve.last_measured_gpus = last;

  if (in.calibration != Calibration::physics) {
    fit_kappa(in);
  }
  if (!in.kappa_fitted) {
    in.step.kappa = in.step.overlap ? kKappaPrior : 0.0;
  }
  in.values.push_back({"kappa", in.step.kappa, "backward slow-down per ms of overlapped collective",
                       in.kappa_fitted ? "fitted" : "assumed",
                       in.kappa_fitted
                           ? fmt::format("{}-node calibration point", in.calibration_nodes)
                           : "no measured point with overlapped communication"});
  const Draw nominal;
  in.fitted["kappa"] = in.step.kappa;
  in.fitted["calibration_nodes"] = in.calibration_nodes;
  in.fitted["calibration_step_ms"] = in.calibration_step_ms;
  in.fitted["calibration_efficiency"] = in.calibration_efficiency;
  {
    const double model =
        predict::predict_step(in.step, in.net, in.calibration_nodes, in.forced).step_ms;
    const double model_eff = model > 0 ? model_at_baseline(in, in.step, in.net) / model : 1.0;
    // The node fit residual: measured over modelled efficiency at the calibration point.
    const double q = model_eff > 0 ? in.calibration_efficiency / model_eff : 1.0;
    in.fitted["residual"] = in.calibration == Calibration::physics ? 1.0 : q;
    if (in.calibration == Calibration::physics)
      in.fitted["physics_efficiency_error"] = model_eff - in.calibration_efficiency;
  }

  // The band: a Monte Carlo over what is uncertain, with a fixed seed (the same inputs give the
  // same file).
  std::mt19937_64 rng(20261203);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  const auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * u01(rng); };
  std::vector<Draw> draws;
  for (int i = 0; i < o.draws; ++i) {
    Draw d;
    d.node_bw = in.node_fitted ? uniform(0.95, 1.05) : uniform(0.8, 1.1);
    d.latency = uniform(0.5, 2.0);
    d.intra_bw = in.intra_fitted ? uniform(0.95, 1.05) : uniform(0.85, 1.1);
    d.sigma = in.sigma_measured ? uniform(0.7, 1.5) : uniform(0.5, 2.0);
    d.kappa = in.kappa_fitted ? std::clamp(in.step.kappa + uniform(-0.05, 0.05), 0.0, kKappaMax)
                              : (in.step.overlap ? uniform(0.0, kKappaMax) : 0.0);
    d.weight = uniform(0.0, 1.0);
    draws.push_back(d);
  }

  std::set<std::int64_t> measured_counts;
  for (const PredictedPoint& p : in.measured) {
    measured_counts.insert(p.gpus);
    curve.points.push_back(p);
  }
  for (std::int64_t n : counts) {
    if (measured_counts.count(n)) continue;
    const std::int64_t nodes = n > in.g ? n / in.g : 1;
    CurveInputs local = in;
    if (n < in.g) local.net.gpus_per_node = n;  // inside one node, fewer GPUs than it holds
    const Projection central = project_step(local, nodes, nominal);
    std::vector<double> effs;
    for (const Draw& d : draws) effs.push_back(project_step(local, nodes, d).efficiency);
    std::sort(effs.begin(), effs.end());
    PredictedPoint p;
    p.gpus = n;
    p.nodes = nodes;
    p.measured = false;
    p.step_ms = central.step_ms;
    p.efficiency = central.efficiency;
    p.low = std::min(p.efficiency, percentile_sorted(effs, 0.05));
    p.high = std::max(p.efficiency, percentile_sorted(effs, 0.95));
    if (!(central.step_ms > 0) || !(p.efficiency > 0)) {
      throw UsageError(fmt::format(
          "{}: the model gives no throughput at {} GPUs (check the profile's network figures)",
          in.title, n));
    }
    p.samples_per_s = double(n * in.batch_per_device) / (central.step_ms / 1e3);
    p.dominant = dominant_term(central);
    curve.points.push_back(p);
  }
  std::sort(curve.points.begin(), curve.points.end(),
            [](const PredictedPoint& a, const PredictedPoint& b) { return a.gpus < b.gpus; });

  // Which assumptions move the answer most: each input at its band's edges, at the largest count.
  const PredictedPoint* far = nullptr;
  for (const PredictedPoint& p : curve.points)
    if (!p.measured) far = &p;
  std::vector<std::pair<double, std::string>> moves;
  if (far) {
    const auto eff_with = [&](Draw d) {
      CurveInputs local = in;
      if (far->gpus < in.g) local.net.gpus_per_node = far->gpus;
      return project_step(local, far->nodes, d).efficiency;
    };
    const auto spread = [&](auto set_lo, auto set_hi, const std::string& what) {
      Draw lo, hi;
      set_lo(lo);
      set_hi(hi);
      const double a = eff_with(lo), b = eff_with(hi);
      moves.push_back({std::fabs(a - b), fmt::format("{} ({:.0f} to {:.0f}%)", what,
                                                     100 * std::min(a, b), 100 * std::max(a, b))});
    };
    spread([&](Draw& d) { d.node_bw = in.node_fitted ? 0.95 : 0.8; },
           [&](Draw& d) { d.node_bw = in.node_fitted ? 1.05 : 1.1; },
           in.node_fitted ? "the fitted inter-node bandwidth, +-5%"
                          : "the network efficiency, 0.8-1.1 x the assumed");
    spread([](Draw& d) { d.latency = 0.5; }, [](Draw& d) { d.latency = 2.0; },
           "the per-step latency, 0.5-2 x");
    if (in.step.overlap)
      spread([](Draw& d) { d.kappa = 0.0; }, [](Draw& d) { d.kappa = kKappaMax; },
             "interference kappa, 0-0.3");
    spread([](Draw& d) { d.sigma = 0.5; }, [](Draw& d) { d.sigma = 2.0; },
           "the per-rank noise, 0.5-2 x");
    if (in.calibration != Calibration::physics)
      spread([](Draw& d) { d.weight = 0.0; }, [](Draw& d) { d.weight = 1.0; },
             "the residual staying or growing per node doubling");
    std::sort(moves.begin(), moves.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
  }
  std::vector<std::string> ranked;
  for (std::size_t i = 0; i < moves.size() && i < 3; ++i) ranked.push_back(moves[i].second);
  for (const std::string& a : in.assumptions) ranked.push_back(a);
  curve.assumptions = ranked;
  curve.fitted = in.fitted;
  curve.values = in.values;

  // The text: always "projected, not measured", the calibration, the band, the assumptions.
  std::string knee;
  for (const PredictedPoint& p : curve.points) {
    if (p.efficiency < o.threshold) {
      knee = fmt::format(
          "falls below {:.0f}% at {} {} ({}{})", 100 * o.threshold, p.gpus,
          unit_word(backend, p.gpus), p.measured ? "measured" : "projected",
          p.measured ? "" : fmt::format(", band {:.0f}-{:.0f}%", 100 * p.low, 100 * p.high));
      break;
    }
  }
  if (knee.empty())
    knee = fmt::format("stays at or above {:.0f}% up to the largest count", 100 * o.threshold);
  std::string text = fmt::format(
      "{}: projected, not measured, past {} {} (the last measured scale), with the {} "
      "calibration on the measured {}-node point (measured over modelled efficiency there: "
      "{:.3f}).",
      curve.title, last, unit_word(backend, last), to_string(in.calibration), in.calibration_nodes,
      in.fitted["residual"].get<double>());
  if (far) {
    text += fmt::format(
        " At {} {} ({} nodes) the efficiency is projected at {:.0f}% (band {:.0f}-{:.0f}%), "
        "{:.0f} samples/s; the largest loss there is {}.",
        far->gpus, unit_word(backend, far->gpus), far->nodes, 100 * far->efficiency, 100 * far->low,
        100 * far->high, far->samples_per_s, far->dominant);
  }
  text += fmt::format(" Efficiency {}.", knee);
  if (!ranked.empty())
    text += fmt::format(" What moves the answer most: {}.", fmt::join(ranked, "; "));
  curve.text = text;
  return curve;
}

// ---- inputs: result files --------------------------------------------------------------------

const PointSample* first_ok(const std::vector<const PointSample*>& points, std::int64_t gpus,
                            std::int64_t nodes) {
  for (const PointSample* p : points)
    if (p->status == "ok" && p->devices == gpus && p->nodes == nodes && p->step_ms) return p;
  return nullptr;
}

std::vector<CurveInputs> curves_from_results(const PredictOptions& o, const ClusterProfile& c,
                                             const ProfileNode& node, PredictSummary& summary) {
  const ResultSet results = load_results(o.inputs);
  summary.schemas = results.schemas;
  const PointGroups groups = group_points(results);
  std::vector<CurveInputs> curves;
  for (const auto& [key, points] : groups) {
    const std::string title = group_title(key);
    if (key.scaling != vocabulary::kWeak) {
      summary.warnings.push_back(fmt::format(
          "{}: not projected: predict projects weak scaling (a fixed per-device batch)", title));
      continue;
    }
    const std::int64_t g = node.gpus;
    const PointSample* full = first_ok(points, g, 1);
    if (!full) {
      throw UsageError(fmt::format(
          "{}: no successful full-node point ({} {} on 1 node) to calibrate on; add that run "
          "(e.g. scalebench run --workload {} --strategy {} --precision {} --batch {} on one whole "
          "node of '{}')",
          title, g, points.front()->backend == "cpu" ? "devices" : "GPUs", key.workload,
          key.strategy, key.precision, key.batch, c.name));
    }
    CurveInputs in;
    in.g = g;
    in.net.gpus_per_node = g;
    in.batch_per_device = key.batch;
    in.title = title;
    in.keys = {{"workload", key.workload},
               {"strategy", key.strategy},
               {"precision", key.precision},
               {"batch_per_device", key.batch},
               {"system", key.system}};
    // Measured points and the baseline (the smallest ok count, as report's default).
    std::map<std::int64_t, std::vector<const PointSample*>> by_count;
    for (const PointSample* p : points)
      if (p->status == "ok" && p->samples_per_s && p->step_ms) by_count[p->devices].push_back(p);
    for (const auto& [gpus, reps] : by_count) {
      const CountMetrics m = combine_repeats(reps);
      PredictedPoint p;
      p.gpus = gpus;
      p.nodes = m.nodes;
      p.measured = true;
      p.step_ms = *m.step_ms;
      p.samples_per_s = *m.samples_per_s;
      in.measured.push_back(p);
    }
    in.baseline_gpus = in.measured.front().gpus;
    in.baseline_per_gpu = in.measured.front().samples_per_s / double(in.baseline_gpus);
    for (PredictedPoint& p : in.measured) {
      p.efficiency = p.samples_per_s / double(p.gpus) / in.baseline_per_gpu;
      p.low = p.high = p.efficiency;
    }

    // One curve, one step: runs with other strategy options (bucket size, overlap, graphs) or
    // another image size are not repeats of each other (report groups them today; predict
    // refuses to mix them, since its model follows the options).
    std::optional<std::pair<nlohmann::json, fs::path>> first;
    std::map<fs::path, ResultRecord> records;  // every ok point's record, read once
    for (const PointSample* p : points) {
      if (p->status != "ok") continue;
      const ResultRecord& r = records.emplace(p->path, read_result_file(p->path)).first->second;
      nlohmann::json setting = r.point.options;
      setting.erase("devices_per_process");  // mirrored: the node's devices, which the count sets
      setting["image_size"] = r.point.image_size;
      if (!first) {
        first = {setting, p->path};
      } else if (setting != first->first) {
        throw UsageError(fmt::format(
            "{}: '{}' ran with {} and '{}' with {}; predict one setting at a time (put them in "
            "separate folders)",
            title, first->second.string(), first->first.dump(), p->path.string(), setting.dump()));
      }
    }
    const ResultRecord& node_record = records.at(full->path);
    const PointSample* one = g > 1 ? first_ok(points, 1, 1) : nullptr;
    step_from_records(node_record, one ? &records.at(one->path) : nullptr, in);
    if (key.strategy == vocabulary::kMirrored) {
      // One hierarchical all-reduce of the packed gradient after backward (TensorFlow's
      // MultiWorkerMirrored): the packs are one collective's worth of bytes.
      double bytes = 0;
      for (const predict::Bucket& b : in.step.buckets) bytes += b.bytes;
      in.step.buckets = {{bytes, 1.0}};
      in.forced = Algorithm::hier;
      in.step.overlap = false;
    } else if (o.algorithm) {
      in.forced = o.algorithm;
    }
    network_from_profile(
        c, full->backend,
        node_record.communication ? node_record.communication->algorithm : std::nullopt, in);
    // In-node bandwidth from the node's own buckets.
    if (g > 1) {
      if (auto fit = fit_buckets(node_record, 2.0 * double(g - 1) / double(g));
          fit && o.calibrate != Calibration::physics) {
        in.net.intra_gbps = fit->bandwidth / 1e9;
        in.net.intra_latency_us =
            std::max(0.0, (fit->intercept * 1e6 - in.net.base_latency_us) / (2.0 * double(g - 1)));
        in.intra_fitted = true;
        in.values.push_back({"intra_node.bandwidth", in.net.intra_gbps, "GB/s per GPU", "fitted",
                             full->path.string()});
        in.fitted["intra_gbps"] = in.net.intra_gbps;
        in.fitted["intra_fit_rms_ms"] = fit->residual * 1e3;
      }
    }
    intra_from_profile(c, in);
    in.calibration = Calibration::node;
    in.calibration_nodes = 1;
    in.calibration_step_ms = *full->step_ms;
    in.calibration_efficiency = measured_efficiency(in, g);
    const PointSample* two = first_ok(points, 2 * g, 2);
    const bool want_two =
        o.calibrate == Calibration::two_node || (o.calibrate == Calibration::automatic && two);
    if (o.calibrate == Calibration::two_node && !two) {
      throw UsageError(
          fmt::format("{}: --calibrate two-node needs a successful point on 2 nodes ({} {}); "
                      "add that run or use --calibrate node",
                      title, 2 * g, unit_word(full->backend, 2 * g)));
    }
    if (want_two) {
      const ResultRecord& two_record = records.at(two->path);
      // The bandwidth term at 2 nodes of the algorithm the model would choose for the largest
      // bucket: ring 2(N-1)/N S, tree S, hier 2(k-1)/k S = S (after its in-node part).
      const double n = double(2 * g);
      double largest = 0;
      for (const predict::Bucket& b : in.step.buckets) largest = std::max(largest, b.bytes);
      const Algorithm chosen = predict::best_allreduce(in.net, largest, 2, in.forced).algorithm;
      const double factor = chosen == Algorithm::ring ? 2.0 * (n - 1) / n : 1.0;
      double in_node_s_per_byte = 0;
      if (chosen == Algorithm::hier && g > 1 && in.net.intra_gbps > 0)
        in_node_s_per_byte = 2.0 * double(g - 1) / double(g) / (in.net.intra_gbps * 1e9);
      in.fitted["node_fit_algorithm"] = std::string(predict::to_string(chosen));
      if (auto fit = fit_buckets(two_record, factor, in_node_s_per_byte)) {
        in.net.node_gbps = fit->bandwidth / 1e9;
        in.node_fitted = true;
        in.values.push_back({"inter_node.bandwidth", in.net.node_gbps, "GB/s per node", "fitted",
                             two->path.string()});
        in.fitted["node_gbps"] = in.net.node_gbps;
        in.fitted["node_fit_rms_ms"] = fit->residual * 1e3;
      }
      in.calibration = Calibration::two_node;
      in.calibration_nodes = 2;
      in.calibration_step_ms = *two->step_ms;
      in.calibration_efficiency = measured_efficiency(in, 2 * g);
    }
    if (o.calibrate == Calibration::physics) {
      in.calibration = Calibration::physics;
    }
    curves.push_back(std::move(in));
  }
  return curves;
}

// ---- inputs: a measured table ----------------------------------------------------------------

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      out.push_back(cell);
      cell.clear();
    } else if (ch != '\r') {
      cell += ch;
    }
  }
  if (quoted) throw UsageError("a quoted cell is not closed");
  out.push_back(cell);
  for (std::string& c : out) {
    while (!c.empty() && c.front() == ' ') c.erase(c.begin());
    while (!c.empty() && c.back() == ' ') c.pop_back();
  }
  return out;
}

}  // namespace

std::vector<MeasuredRow> parse_measured_table(std::string_view text, const std::string& where) {
  std::istringstream in{std::string(text)};
  std::string line;
  if (!std::getline(in, line)) {
    throw UsageError(fmt::format("{}: empty file; the first line names the columns", where));
  }
  const auto split = [&](int number) {
    try {
      return split_csv_line(line);
    } catch (const UsageError& e) {
      throw UsageError(fmt::format("{} line {}: {}", where, number, e.what()));
    }
  };
  const std::vector<std::string> header = split(1);
  const std::vector<std::string> required = {
      "gpus", "nodes", "samples_per_s", "batch_per_device", "model", "precision"};
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (!col.emplace(header[i], i).second) {
      throw UsageError(fmt::format("{}: column '{}' is named twice", where, printable(header[i])));
    }
  }
  for (const std::string& r : required) {
    if (!col.count(r)) {
      throw UsageError(fmt::format(
          "{}: no column '{}' (the columns are {}, and 'parameters' when the model is not one of "
          "mnist_cnn, resnet50, vit_b16)",
          where, r, fmt::join(required, ",")));
    }
  }
  for (const std::string& h : header) {
    if (std::find(required.begin(), required.end(), h) == required.end() && h != "parameters") {
      throw UsageError(fmt::format("{}: unknown column '{}' (allowed: {},parameters)", where,
                                   printable(h), fmt::join(required, ",")));
    }
  }
  std::vector<MeasuredRow> rows;
  std::set<std::tuple<std::string, std::string, std::int64_t>> seen;
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line == "\r") continue;
    if (rows.size() >= kMaxTableRows) {
      throw UsageError(fmt::format("{}: more than {} rows", where, kMaxTableRows));
    }
    const std::vector<std::string> cells = split(number);
    if (cells.size() != header.size()) {
      throw UsageError(fmt::format("{} line {}: {} cells where the header has {}", where, number,
                                   cells.size(), header.size()));
    }
    const auto cell = [&](const char* name) -> const std::string& { return cells[col.at(name)]; };
    const auto whole = [&](const char* name, std::int64_t most) {
      const auto v = parse_whole_number(cell(name));
      if (!v || *v < 1 || *v > most) {
        throw UsageError(fmt::format("{} line {}: {} '{}' is not a whole number from 1 to {}",
                                     where, number, name, printable(cell(name)), most));
      }
      return *v;
    };
    MeasuredRow r;
    r.line = number;
    r.gpus = whole("gpus", 1000000);
    r.nodes = whole("nodes", 1000000);
    r.batch_per_device = whole("batch_per_device", 1000000000);
    if (r.nodes > r.gpus) {
      throw UsageError(fmt::format("{} line {}: {} nodes for {} GPUs (at least one GPU a node)",
                                   where, number, r.nodes, r.gpus));
    }
    const auto sps = parse_decimal(cell("samples_per_s"));
    if (!sps || !(*sps > 0) || *sps > 1e15) {
      throw UsageError(fmt::format("{} line {}: samples_per_s '{}' is not a positive number", where,
                                   number, printable(cell("samples_per_s"))));
    }
    r.samples_per_s = *sps;
    if (col.count("parameters") && !cell("parameters").empty())
      r.parameters = whole("parameters", 10000000000000);
    r.model = cell("model");
    r.precision = cell("precision");
    if (r.model.empty() || r.precision.empty()) {
      throw UsageError(
          fmt::format("{} line {}: model and precision must not be empty", where, number));
    }
    try {
      (void)nlohmann::json(r.model + r.precision).dump();  // the outputs are JSON: UTF-8 only
    } catch (const nlohmann::json::exception&) {
      throw UsageError(
          fmt::format("{} line {}: model and precision must be UTF-8 text", where, number));
    }
    if (!seen.emplace(r.model, r.precision, r.gpus).second) {
      throw UsageError(fmt::format("{} line {}: a second row for {} {} at {} GPUs", where, number,
                                   printable(r.model), printable(r.precision), r.gpus));
    }
    rows.push_back(std::move(r));
  }
  if (rows.empty()) throw UsageError(fmt::format("{}: no rows below the header", where));
  return rows;
}

namespace {

std::vector<CurveInputs> curves_from_table(const PredictOptions& o, const ClusterProfile& c,
                                           const ProfileNode& node) {
  const fs::path& path = *o.measured_table;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {  // a FIFO or a device would block or never end
    throw UsageError(fmt::format("--measured-table: cannot read '{}': give a regular file (CSV)",
                                 path.string()));
  }
  std::string text;
  try {
    text = read_text(path);
  } catch (const std::exception& e) {
    throw UsageError(
        fmt::format("--measured-table: cannot read '{}': {}", path.string(), e.what()));
  }
  struct Row {
    std::int64_t gpus, nodes, batch;
    double samples_per_s;
    std::optional<std::int64_t> parameters;
  };
  std::map<std::pair<std::string, std::string>, std::vector<Row>> groups;  // (model, precision)
  for (const MeasuredRow& r : parse_measured_table(text, path.string())) {
    groups[{r.model, r.precision}].push_back(
        {r.gpus, r.nodes, r.batch_per_device, r.samples_per_s, r.parameters});
  }
  std::vector<CurveInputs> curves;
  for (auto& [id, rows] : groups) {
    const auto& [model, precision] = id;
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.gpus < b.gpus; });
    const std::int64_t batch = rows.front().batch;
    for (const Row& r : rows) {
      if (r.batch != batch)
        throw UsageError(fmt::format(
            "{}: model {} {} mixes per-device batches {} and {}; give one curve a batch",
            path.string(), printable(model), printable(precision), batch, r.batch));
    }
    std::optional<std::int64_t> parameters = known_model_parameters(model);
    std::optional<std::int64_t> given;
    for (const Row& r : rows) {
      if (r.parameters && given && *r.parameters != *given) {
        throw UsageError(fmt::format("{}: model {} gives two parameter counts, {} and {}",
                                     path.string(), printable(model), *given, *r.parameters));
      }
      if (r.parameters) given = r.parameters;
      const bool fits = r.nodes == 1 ? r.gpus <= node.gpus : r.gpus == r.nodes * node.gpus;
      if (!fits) {
        throw UsageError(
            fmt::format("{}: a row of {} with {} GPUs on {} nodes does not fit '{}' ({} GPUs a "
                        "node: up to {} on "
                        "one node, else nodes x {})",
                        path.string(), printable(model), r.gpus, r.nodes, c.name, node.gpus,
                        node.gpus, node.gpus));
      }
    }
    if (given) parameters = given;
    if (!parameters)
      throw UsageError(fmt::format(
          "{}: model '{}' is not one of mnist_cnn, resnet50, vit_b16: give its 'parameters'",
          path.string(), printable(model)));
    const std::int64_t g = node.gpus;
    const Row* full = nullptr;
    for (const Row& r : rows)
      if (r.nodes == 1 && r.gpus == g) full = &r;
    const std::string title =
        fmt::format("{} {}, batch {}/GPU (measured table) on {}", model, precision, batch, c.name);
    if (!full) {
      throw UsageError(
          fmt::format("{}: {} {} has no full-node row (gpus {}, nodes 1) to calibrate on; add it",
                      path.string(), printable(model), printable(precision), g));
    }
    CurveInputs ci;
    ci.g = g;
    ci.net.gpus_per_node = g;
    ci.batch_per_device = batch;
    ci.title = title;
    ci.keys = {{"model", model},
               {"strategy", "ddp"},
               {"precision", precision},
               {"batch_per_device", batch},
               {"system", c.name}};
    for (const Row& r : rows) {
      PredictedPoint p;
      p.gpus = r.gpus;
      p.nodes = r.nodes;
      p.measured = true;
      p.samples_per_s = r.samples_per_s;
      p.step_ms = double(r.gpus * batch) / r.samples_per_s * 1e3;
      ci.measured.push_back(p);
    }
    ci.baseline_gpus = rows.front().gpus;
    ci.baseline_per_gpu = rows.front().samples_per_s / double(ci.baseline_gpus);
    for (PredictedPoint& p : ci.measured)
      p.efficiency = p.low = p.high = p.samples_per_s / double(p.gpus) / ci.baseline_per_gpu;
    // The compute: the smallest measured count's step (1 GPU: no communication in it).
    const double compute =
        double(batch) / (rows.front().samples_per_s / double(rows.front().gpus)) * 1e3;
    ci.step.forward_ms = compute / 3;
    ci.step.backward_ms = 2 * compute / 3;
    ci.step.optimizer_ms = 0;
    ci.step.overlap = true;
    ci.step.sigma = kSigmaPrior;
    const double bytes = 4.0 * double(*parameters);
    const int m = std::max(1, int(std::ceil(bytes / kDefaultBucketBytes)));
    for (int i = 0; i < m; ++i) {
      const double b = i + 1 < m ? kDefaultBucketBytes : bytes - kDefaultBucketBytes * (m - 1);
      ci.step.buckets.push_back({b, double(i + 1) / m});
    }
    ci.values.push_back(
        {"gradient_bytes", bytes, "bytes", "assumed", "4 x parameters (fp32 gradients)"});
    ci.values.push_back(
        {"compute", compute, "ms", "measured",
         fmt::format("the {}-GPU row's step, all of it compute", ci.baseline_gpus)});
    ci.values.push_back(
        {"sigma", ci.step.sigma, "of a step", "assumed", "a measured table records no spread"});
    ci.assumptions.push_back(fmt::format(
        "from a measured table: gradients of 4 x {} parameters in {} buckets of 25 MiB, ready "
        "evenly "
        "over backward; the {}-GPU step is all compute, split 1:2 into forward and backward",
        *parameters, m, ci.baseline_gpus));
    if (o.algorithm) ci.forced = o.algorithm;
    network_from_profile(c, c.backend, std::nullopt, ci);
    intra_from_profile(c, ci);
    ci.calibration = o.calibrate == Calibration::physics ? Calibration::physics : Calibration::node;
    ci.calibration_nodes = 1;
    ci.calibration_step_ms = full->batch * 1e3 / (full->samples_per_s / double(full->gpus));
    ci.calibration_efficiency = measured_efficiency(ci, g);
    const Row* two = nullptr;
    for (const Row& r : rows)
      if (r.nodes == 2 && r.gpus == 2 * g) two = &r;
    if (o.calibrate == Calibration::two_node && !two)
      throw UsageError(fmt::format("{}: --calibrate two-node needs a row with gpus {} and nodes 2",
                                   path.string(), 2 * g));
    if (two && (o.calibrate == Calibration::two_node || o.calibrate == Calibration::automatic)) {
      ci.calibration = Calibration::two_node;
      ci.calibration_nodes = 2;
      ci.calibration_step_ms = two->batch * 1e3 / (two->samples_per_s / double(two->gpus));
      ci.calibration_efficiency = measured_efficiency(ci, 2 * g);
    }
    curves.push_back(std::move(ci));
  }
  return curves;
}

// ---- outputs ---------------------------------------------------------------------------------

std::string figure_data(const PredictedCurve& c) {
  std::string out =
      fmt::format("# {}\n# columns: gpus efficiency low high (measured, then projected)\n",
                  gnuplot_comment(c.title));
  const auto line = [](const PredictedPoint& p) {
    return fmt::format("{} {} {} {}\n", p.gpus, data_number(100 * p.efficiency),
                       data_number(100 * p.low), data_number(100 * p.high));
  };
  out += "# measured\n";
  const PredictedPoint* last = nullptr;
  for (const PredictedPoint& p : c.points) {
    if (!p.measured) continue;
    out += line(p);
    if (p.gpus == c.last_measured_gpus) last = &p;
  }
  // The projected line and band start at the last measured point, so that the lines meet.
  out += "\n\n# projected (from the last measured point)\n";
  if (last) out += line(*last);
  for (const PredictedPoint& p : c.points)
    if (!p.measured && p.gpus > c.last_measured_gpus) out += line(p);
  return out;
}

Figure prediction_figure(const PredictedCurve& c, const PredictOptions& o, bool csc) {
  Figure f;
  f.name = c.slug;
  f.kind = "prediction";
  f.caption = fmt::format(
      "{}: measured (filled, solid) and projected (open, dashed, band shaded) efficiency. "
      "Projected, not measured.",
      c.title);
  f.data = figure_data(c);
  double top = 110, bottom = 0;
  std::int64_t max_gpus = 1;
  for (const PredictedPoint& p : c.points) {
    top = std::max(top, 100 * p.high + 10);
    max_gpus = std::max(max_gpus, p.gpus);
  }
  std::string plot = fmt::format(
      "set xrange [0.8:{}]\nset yrange [{}:{}]\nset logscale x 2\n"
      "set arrow 1 from {},graph 0 to {},graph 1 nohead dt 3 lc rgb \"#555555\"\n"
      "set label 1 \"last measured\" at {},graph 0.04 left offset 0.5,0 tc rgb \"#555555\"\n"
      "set arrow 2 from graph 0,first {} to graph 1,first {} nohead dt 2 lc rgb \"#b22222\"\n"
      "set label 2 {} at graph 0.02,first {} offset 0,0.7 tc rgb \"#b22222\"\n",
      data_number(max_gpus * 1.25), bottom, data_number(top), c.last_measured_gpus,
      c.last_measured_gpus, c.last_measured_gpus, data_number(100 * o.threshold),
      data_number(100 * o.threshold),
      gnuplot_string(fmt::format("threshold {:.0f}%", 100 * o.threshold)),
      data_number(100 * o.threshold));
  if (csc && std::fabs(o.threshold - 0.75) > 1e-9) {
    plot +=
        "set arrow 3 from graph 0,first 75 to graph 1,first 75 nohead dt 4 lc rgb \"#1f5fa8\"\n"
        "set label 3 \"CSC 75%\" at graph 0.98,first 75 right offset 0,-0.9 tc rgb \"#1f5fa8\"\n";
  }
  plot +=
      "plot 'DATA' index 1 using 1:3:4 with filledcurves fc rgb \"#c6dbef\" fs solid 0.6 title "
      "\"projected band (p5-p95)\", \\\n"
      "     '' index 1 using 1:2 with linespoints dt 2 pt 6 ps 1.3 lc rgb \"#1f5fa8\" title "
      "\"projected, not measured\", \\\n"
      "     '' index 0 using 1:2 with linespoints dt 1 pt 7 ps 1.3 lc rgb \"#08306b\" title "
      "\"measured\"";
  const std::string data_ref = "'" + c.slug + ".dat'";
  const auto at = plot.find("'DATA'");
  plot.replace(at, 6, data_ref);
  const std::string title = fmt::format("{}\nprojected past {} {}, not measured", c.title,
                                        c.last_measured_gpus, c.devices_word);
  f.script = script_header(f, title, rendered_formats(o.formats)) +
             common_settings(title, c.devices_word + " (log scale)", "scaling efficiency (%)") +
             plot + "\n";
  f.script += output_loop(c.slug, "replot");
  return f;
}

std::string csv_text(const PredictSummary& s) {
  std::string out =
      "system,workload,strategy,precision,batch_per_device,gpus,nodes,kind,efficiency,efficiency_"
      "low,efficiency_high,step_ms,samples_per_s,dominant\n";
  for (const PredictedCurve& c : s.curves) {
    const std::string workload = c.keys.contains("workload") ? c.keys["workload"].get<std::string>()
                                                             : c.keys["model"].get<std::string>();
    for (const PredictedPoint& p : c.points) {
      out += fmt::format("{},{},{},{},{},{},{},{},{:.4f},{:.4f},{:.4f},{:.4f},{:.2f},{}\n",
                         csv_field(c.keys["system"].get<std::string>()), csv_field(workload),
                         csv_field(c.keys["strategy"].get<std::string>()),
                         csv_field(c.keys["precision"].get<std::string>()),
                         c.keys["batch_per_device"].get<std::int64_t>(), p.gpus, p.nodes,
                         p.measured ? "measured" : "projected", p.efficiency, p.low, p.high,
                         p.step_ms, p.samples_per_s, csv_field(p.dominant));
    }
  }
  return out;
}

}  // namespace

std::optional<std::int64_t> known_model_parameters(std::string_view model) {
  for (const KnownModel& k : kKnownModels)
    if (model == k.name) return k.parameters;
  return std::nullopt;
}

std::string_view to_string(Calibration c) {
  switch (c) {
    case Calibration::automatic:
      return "auto";
    case Calibration::node:
      return "node";
    case Calibration::two_node:
      return "two-node";
    case Calibration::physics:
      return "physics";
  }
  return "auto";
}

std::optional<Calibration> parse_calibration(std::string_view text) {
  for (Calibration c :
       {Calibration::automatic, Calibration::node, Calibration::two_node, Calibration::physics})
    if (to_string(c) == text) return c;
  return std::nullopt;
}

PredictSummary project(const PredictOptions& o) {
  if (o.inputs.empty() == !o.measured_table) {
    throw UsageError("give result files or folders, or --measured-table FILE.csv (one of the two)");
  }
  if (!(o.threshold > 0 && o.threshold <= 1)) {
    throw UsageError(
        fmt::format("--threshold {}: give a fraction in (0, 1], e.g. 0.8", o.threshold));
  }
  const ClusterProfile c = o.profile ? *o.profile : find_cluster_profile(o.cluster);
  const ProfileNode node = profile_node(c);
  PredictSummary summary;
  summary.cluster = c.name;
  std::vector<CurveInputs> curves =
      o.measured_table ? curves_from_table(o, c, node) : curves_from_results(o, c, node, summary);
  if (curves.empty()) {
    throw UsageError(fmt::format("nothing to project: {}", summary.warnings.empty()
                                                               ? "no curves"
                                                               : summary.warnings.front()));
  }
  const std::vector<std::int64_t> counts = target_counts(o, node, c.name);
  if (counts.empty()) {
    throw UsageError(
        fmt::format("nothing to project: '{}' allows no job past one {}-GPU node; give --gpus or "
                    "--max-gpus with "
                    "--beyond-profile",
                    c.name, node.gpus));
  }
  if (c.status.retired) {
    summary.warnings.push_back(fmt::format(
        "'{}' is retired (since {}): the projection describes a machine that no longer runs jobs",
        c.name, c.status.since));
  }
  std::set<std::string> slugs;
  for (CurveInputs& in : curves) {
    std::string backend = c.backend;
    summary.curves.push_back(project_curve(std::move(in), counts, o, backend));
    // Two titles can make one file name (a.b and a_b): the second gets a number.
    std::string& name = summary.curves.back().slug;
    const std::string stem = name;
    for (int i = 2; !slugs.insert(name).second; ++i) name = fmt::format("{}-{}", stem, i);
  }
  return summary;
}

json prediction_json(const PredictSummary& s, const PredictOptions& o) {
  json curves = json::array();
  for (const PredictedCurve& c : s.curves) {
    json values = json::array();
    for (const UsedValue& v : c.values)
      values.push_back({{"name", v.name},
                        {"value", v.value},
                        {"unit", v.unit},
                        {"basis", v.basis},
                        {"source", v.source}});
    json points = json::array();
    for (const PredictedPoint& p : c.points) {
      points.push_back(
          {{"gpus", p.gpus},
           {"nodes", p.nodes},
           {"kind", p.measured ? "measured" : "projected"},
           {"efficiency", {{"central", p.efficiency}, {"low", p.low}, {"high", p.high}}},
           {"step_ms", p.step_ms},
           {"samples_per_s", p.samples_per_s},
           {"dominant", p.measured ? json(nullptr) : json(p.dominant)}});
    }
    curves.push_back({{"keys", c.keys},
                      {"title", c.title},
                      {"devices_word", c.devices_word},
                      {"calibration", to_string(c.calibration)},
                      {"fitted", c.fitted},
                      {"values", values},
                      {"assumptions", c.assumptions},
                      {"baseline_gpus", c.baseline_gpus},
                      {"last_measured_gpus", c.last_measured_gpus},
                      {"points", points},
                      {"text", c.text}});
  }
  return {{"schema", kPredictionSchema},
          {"cluster", o.cluster},
          {"threshold", o.threshold},
          {"algorithm",
           o.algorithm ? std::string(predict::to_string(*o.algorithm)) : std::string("auto")},
          {"note",
           "projected, not measured: every point of kind 'projected' comes from the model of "
           "docs/predict.md"},
          {"curves", curves}};
}

PredictSummary run_predict(const PredictOptions& o) {
  PredictSummary s = project(o);
  const bool csc = s.cluster == "roihu" || s.cluster == "puhti" || s.cluster == "mahti";
  Staging staging(o.out);
  staging.write("prediction.json", prediction_json(s, o).dump(2) + "\n");
  staging.write("prediction.csv", csv_text(s));
  std::string text;
  for (const PredictedCurve& curve : s.curves) text += curve.text + "\n\n";
  staging.write("prediction.txt", text);
  std::vector<Figure> figures;
  for (const PredictedCurve& curve : s.curves) figures.push_back(prediction_figure(curve, o, csc));
  for (const Figure& f : figures) {
    staging.write(fs::path("figures") / (f.name + ".dat"), f.data);
    staging.write(fs::path("figures") / (f.name + ".gp"), f.script);
  }
  staging.write(fs::path("figures") / "render.gp", render_all_script(figures));
  s.render = render_figures(staging.dir() / "figures", figures, o.formats, o.gnuplot);
  s.written = staging.publish();
  return s;
}

std::vector<PredictedCurve> read_prediction_file(const fs::path& path) {
  const json doc = parse_json_text(read_text(path), path.string());
  JsonFields f(doc, path.string());
  const std::string schema = f.str("schema");
  if (schema != kPredictionSchema) {
    throw UsageError(fmt::format("{}: schema '{}' is not {}", path.string(), printable(schema),
                                 kPredictionSchema));
  }
  std::vector<PredictedCurve> curves;
  for (JsonFields& cf : f.objects("curves")) {
    PredictedCurve c;
    if (const json* keys = cf.sub("keys", true)) c.keys = *keys;
    c.title = cf.str("title");
    c.devices_word = cf.opt_str("devices_word").value_or("GPUs");
    const std::string cal = cf.str("calibration");
    const auto parsed = parse_calibration(cal);
    if (!parsed)
      throw UsageError(fmt::format("{}: calibration '{}' is not auto, node, two-node or physics",
                                   path.string(), printable(cal)));
    c.calibration = *parsed;
    c.baseline_gpus = cf.integer("baseline_gpus");
    c.last_measured_gpus = cf.integer("last_measured_gpus");
    c.text = cf.str("text");
    c.assumptions = cf.strings("assumptions");
    for (JsonFields& pf : cf.objects("points")) {
      PredictedPoint p;
      p.gpus = pf.integer("gpus");
      p.nodes = pf.integer("nodes");
      const std::string kind = pf.str("kind");
      if (kind != "measured" && kind != "projected")
        throw UsageError(fmt::format("{}: point kind '{}' is not measured or projected",
                                     path.string(), printable(kind)));
      p.measured = kind == "measured";
      JsonFields e = pf.object("efficiency");
      p.efficiency = e.number("central");
      p.low = e.number("low");
      p.high = e.number("high");
      e.finish();
      p.step_ms = pf.number("step_ms");
      p.samples_per_s = pf.number("samples_per_s");
      p.dominant = pf.opt_str("dominant").value_or("");
      pf.finish();
      c.points.push_back(p);
    }
    (void)cf.sub("fitted", false);
    (void)cf.sub("values", false);
    cf.finish();
    curves.push_back(std::move(c));
  }
  (void)f.opt_str("cluster");
  (void)f.opt_number("threshold");
  (void)f.opt_str("algorithm");
  (void)f.opt_str("note");
  f.finish();
  return curves;
}

}  // namespace scalebench::reports
