// The projection model of `scalebench predict` (docs/predict.md): all-reduce costs in the shape of
// NCCL's tuning model, the DDP bucket schedule with overlap and interference, and the straggler
// term. Pure arithmetic on numbers the caller measured or took from a cluster profile; the
// adaptive sweep's chooser calls it too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scalebench::reports::predict {

enum class Algorithm { ring, tree, hier };
std::string_view to_string(Algorithm a);
std::optional<Algorithm> parse_algorithm(std::string_view name);

// What the all-reduce runs on. Bandwidths in GB/s (10^9 bytes per second), one direction.
struct Network {
  std::int64_t gpus_per_node = 1;
  double intra_gbps = 0;            // per GPU inside a node (unused with one GPU per node)
  double intra_latency_us = 3.4;    // per ring step inside a node
  double node_gbps = 0;             // per node, all of its NICs together, after their efficiency
  double inter_latency_us = 14;     // per step between nodes
  double base_latency_us = 8.4;     // per collective
  std::int64_t nodes_per_leaf = 0;  // 0: one switch level (no taper)
  double taper = 1;                 // bandwidth factor between leaves (1: non-blocking)
  std::vector<Algorithm> algorithms = {Algorithm::ring};  // what "auto" may choose from
};

// Milliseconds of one all-reduce of `bytes` over `nodes` x gpus_per_node ranks by `a`:
// ring  one node: L0 + 2(g-1) l_intra + 2(g-1)/g S/B_intra;
//       nodes:    L0 + 2(N-1) l_inter + 2(N-1)/N S/min(B_node, B_intra) (every step at the
//                 inter-node latency: the slowest link paces each step, a pessimistic choice);
// tree  one node: as ring; nodes: L0 + 2(g-1) l_intra + 2 log2(k) l_inter + S/B_node at k = 2,
//       2 S/B_node beyond (double binary tree between nodes, chains inside);
// hier  L0 + 2(g-1) l_intra + 2(g-1)/g S/B_intra + 2(k-1) l_inter + 2(k-1)/k S/B_node
//       (reduce-scatter in the node, all-reduce between nodes, all-gather in the node).
// B_node is multiplied by the taper once the nodes exceed one leaf. One rank: 0.
double allreduce_ms(const Network& net, double bytes, std::int64_t nodes, Algorithm a);

struct AlgorithmChoice {
  Algorithm algorithm = Algorithm::ring;
  double ms = 0;
};
// The fastest of net.algorithms (`forced` when given).
AlgorithmChoice best_allreduce(const Network& net, double bytes, std::int64_t nodes,
                               std::optional<Algorithm> forced);

// One gradient unit: its bytes and when backward has produced it, as a fraction of backward.
struct Bucket {
  double bytes = 0;
  double ready_fraction = 1;
};

struct StepInputs {
  double forward_ms = 0;
  double backward_ms = 0;
  double optimizer_ms = 0;
  std::vector<Bucket> buckets;  // in launch order
  bool overlap = true;  // all-reduces start as buckets become ready (ddp), else after backward
  double kappa = 0;     // backward slows by kappa x the time collectives run beside it
  double sigma = 0;     // idiosyncratic spread of one rank's step, a fraction of its compute
};

struct StepPrediction {
  double step_ms = 0;
  double backward_ms = 0;       // backward after interference
  double interference_ms = 0;   // backward_ms minus backward without collectives beside it
  double exposed_ms = 0;        // communication after backward ended
  double communication_ms = 0;  // every unit's all-reduce, one after another
  double straggler_ms = 0;      // J(N): the expected slowest of N ranks over a typical one
  Algorithm algorithm = Algorithm::ring;  // of the largest unit
};

// The expected maximum of n standard normal draws, Blom's approximation Phi^-1((n - 0.375) /
// (n + 0.25)); 0 for n = 1.
double expected_max_normal(std::int64_t n);
// Phi^-1(p) for p in (0, 1).
double inverse_normal_cdf(double p);

// One step at `nodes` x gpus_per_node ranks: unit i is ready at t_F + f_i t_B' and launched in
// order on one stream (s_i = max(ready_i, e_{i-1}), e_i = s_i + T(b_i)); t_B' = t_B + kappa x the
// collectives' time inside backward, solved by fixed-point iteration; exposed = max(0, e_m -
// (t_F + t_B')); step = max(t_F + t_B', e_m) + t_O + sigma x (t_F + t_B + t_O) x
// expected_max_normal(N).
StepPrediction predict_step(const StepInputs& in, const Network& net, std::int64_t nodes,
                            std::optional<Algorithm> forced = std::nullopt);

// Least squares through (x_i, t_i) for t = a + x / B with a >= 0, B > 0: the fitted bandwidth
// (units of x per unit of t) and intercept (through the origin when the free fit's is negative);
// nullopt when the points do not determine a positive slope. With one size (or times the sizes
// do not order), a = min(`fallback_intercept`, half the mean time) and B from the totals.
struct LineFit {
  double bandwidth = 0;
  double intercept = 0;
  double residual = 0;  // root mean square of t - fit
};
std::optional<LineFit> fit_bandwidth(const std::vector<double>& x, const std::vector<double>& t,
                                     double fallback_intercept);

}  // namespace scalebench::reports::predict
