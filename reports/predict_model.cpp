// The projection model: all-reduce costs, the bucket schedule, the straggler term, line fits.
#include "reports/predict_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace scalebench::reports::predict {

std::string_view to_string(Algorithm a) {
  switch (a) {
    case Algorithm::ring:
      return "ring";
    case Algorithm::tree:
      return "tree";
    case Algorithm::hier:
      return "hier";
  }
  return "ring";
}

std::optional<Algorithm> parse_algorithm(std::string_view name) {
  for (Algorithm a : {Algorithm::ring, Algorithm::tree, Algorithm::hier})
    if (to_string(a) == name) return a;
  return std::nullopt;
}

namespace {

// Seconds of `bytes` at `gbps` GB/s; no bandwidth moves nothing in finite time.
double seconds(double bytes, double gbps) {
  if (bytes <= 0) return 0.0;
  return gbps > 0 ? bytes / (gbps * 1e9) : std::numeric_limits<double>::infinity();
}

double node_gbps(const Network& net, std::int64_t nodes) {
  const bool crosses_leaves = net.nodes_per_leaf > 0 && nodes > net.nodes_per_leaf;
  return net.node_gbps * (crosses_leaves ? net.taper : 1.0);
}

}  // namespace

double allreduce_ms(const Network& net, double bytes, std::int64_t nodes, Algorithm a) {
  const double g = double(std::max<std::int64_t>(1, net.gpus_per_node));
  const double k = double(std::max<std::int64_t>(1, nodes));
  const double n = g * k;
  if (n <= 1 || bytes <= 0) return 0.0;
  const double l0 = net.base_latency_us * 1e-6;
  const double li = net.intra_latency_us * 1e-6;
  const double le = net.inter_latency_us * 1e-6;
  const double intra_term =
      g > 1 ? 2 * (g - 1) * li + 2 * (g - 1) / g * seconds(bytes, net.intra_gbps) : 0.0;
  double s = 0;
  if (k == 1) {
    s = l0 + intra_term;
  } else {
    const double b_node = node_gbps(net, nodes);
    switch (a) {
      case Algorithm::ring: {
        const double b = g > 1 && net.intra_gbps > 0 ? std::min(b_node, net.intra_gbps) : b_node;
        s = l0 + 2 * (n - 1) * le + 2 * (n - 1) / n * seconds(bytes, b);
        break;
      }
      case Algorithm::tree: {
        const double chains = g > 1 ? 2 * (g - 1) * li : 0.0;
        s = l0 + chains + 2 * std::log2(k) * le + (k == 2 ? 1.0 : 2.0) * seconds(bytes, b_node);
        break;
      }
      case Algorithm::hier:
        s = l0 + intra_term + 2 * (k - 1) * le + 2 * (k - 1) / k * seconds(bytes, b_node);
        break;
    }
  }
  return s * 1e3;
}

AlgorithmChoice best_allreduce(const Network& net, double bytes, std::int64_t nodes,
                               std::optional<Algorithm> forced) {
  if (forced) return {*forced, allreduce_ms(net, bytes, nodes, *forced)};
  AlgorithmChoice best{Algorithm::ring, std::numeric_limits<double>::infinity()};
  const std::vector<Algorithm> choices =
      net.algorithms.empty() ? std::vector<Algorithm>{Algorithm::ring} : net.algorithms;
  for (Algorithm a : choices) {
    const double ms = allreduce_ms(net, bytes, nodes, a);
    if (ms < best.ms) best = {a, ms};
  }
  return best;
}

double inverse_normal_cdf(double p) {
  // Acklam's rational approximation (relative error below 1.2e-9), one Newton step on erfc.
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  p = std::clamp(p, 1e-300, 1 - 1e-16);
  double x;
  if (p < 0.02425) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - 0.02425) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

double expected_max_normal(std::int64_t n) {
  if (n <= 1) return 0.0;
  return inverse_normal_cdf((double(n) - 0.375) / (double(n) + 0.25));
}

StepPrediction predict_step(const StepInputs& in, const Network& net, std::int64_t nodes,
                            std::optional<Algorithm> forced) {
  StepPrediction out;
  const std::int64_t ranks =
      std::max<std::int64_t>(1, net.gpus_per_node) * std::max<std::int64_t>(1, nodes);
  std::vector<double> t(in.buckets.size());
  double largest = -1;
  for (std::size_t i = 0; i < in.buckets.size(); ++i) {
    const AlgorithmChoice c = best_allreduce(net, in.buckets[i].bytes, nodes, forced);
    t[i] = c.ms;
    out.communication_ms += c.ms;
    if (in.buckets[i].bytes > largest) {
      largest = in.buckets[i].bytes;
      out.algorithm = c.algorithm;
    }
  }
  // Fixed point of t_B' = t_B + kappa x (collective time inside backward): the map is monotone
  // and bounded, so a few iterations settle it.
  double backward = in.backward_ms;
  double end = in.forward_ms;
  for (int iteration = 0; iteration < 50; ++iteration) {
    const double backward_end = in.forward_ms + backward;
    end = in.forward_ms;
    double inside = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const double fraction = in.overlap ? std::clamp(in.buckets[i].ready_fraction, 0.0, 1.0) : 1.0;
      const double ready = in.forward_ms + fraction * backward;
      const double start = std::max(ready, end);
      end = start + t[i];
      inside += std::max(0.0, std::min(end, backward_end) - std::min(start, backward_end));
    }
    const double next = in.backward_ms + in.kappa * inside;
    if (std::fabs(next - backward) < 1e-9 * std::max(1.0, backward)) {
      backward = next;
      break;
    }
    backward = next;
  }
  const double backward_end = in.forward_ms + backward;
  out.backward_ms = backward;
  out.interference_ms = backward - in.backward_ms;
  out.exposed_ms = std::max(0.0, end - backward_end);
  const double compute = in.forward_ms + in.backward_ms + in.optimizer_ms;
  out.straggler_ms = in.sigma * compute * expected_max_normal(ranks);
  out.step_ms = std::max(backward_end, end) + in.optimizer_ms + out.straggler_ms;
  return out;
}

std::optional<LineFit> fit_bandwidth(const std::vector<double>& x, const std::vector<double>& t,
                                     double fallback_intercept) {
  if (x.empty() || x.size() != t.size()) return std::nullopt;
  LineFit fit;
  double slope = 0;
  const double n = double(x.size());
  double mx = 0, mt = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mx += x[i] / n;
    mt += t[i] / n;
  }
  double sxx = 0, sxt = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxt += (x[i] - mx) * (t[i] - mt);
  }
  if (x.size() >= 2 && sxx > 0 && sxt > 0) {
    slope = sxt / sxx;
    fit.intercept = mt - slope * mx;
    if (fit.intercept < 0) {  // through the origin instead
      double xt = 0, xx = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        xt += x[i] * t[i];
        xx += x[i] * x[i];
      }
      slope = xt / xx;
      fit.intercept = 0;
    }
  } else {
    // One size (or sizes that do not order the times): the totals, past the fallback intercept.
    double sx = 0, st = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      sx += x[i];
      st += t[i];
    }
    fit.intercept = std::min(fallback_intercept, 0.5 * st / n);
    if (sx <= 0 || st - n * fit.intercept <= 0) return std::nullopt;
    slope = (st - n * fit.intercept) / sx;
  }
  if (!(slope > 0)) return std::nullopt;
  fit.bandwidth = 1.0 / slope;
  double sq = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double r = t[i] - (fit.intercept + slope * x[i]);
    sq += r * r;
  }
  fit.residual = std::sqrt(sq / n);
  return fit;
}

}  // namespace scalebench::reports::predict
