// `scalebench predict`: the model's limits (all-reduce costs, the bucket schedule, the straggler
// term, fits) and the command's inputs, outputs and refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "records/errors.hpp"
#include "records/measurements.hpp"
#include "records/until_knee.hpp"
#include "reports/predict.hpp"
#include "reports/report.hpp"
#include "tests/reports/fixtures.hpp"

namespace scalebench::reports {
namespace {

using predict::Algorithm;
using predict::Network;
using predict::StepInputs;
namespace fs = std::filesystem;

Network net4() {
  Network n;
  n.gpus_per_node = 4;
  n.intra_gbps = 100;
  n.node_gbps = 25;
  n.intra_latency_us = 3.4;
  n.inter_latency_us = 14;
  n.base_latency_us = 8.4;
  return n;
}

TEST(PredictModel, RingInsideOneNodeIsTheRingFormula) {
  const Network n = net4();
  const double s = 100e6;
  const double expected = (8.4e-6 + 6 * 3.4e-6 + 1.5 * s / 100e9) * 1e3;
  EXPECT_NEAR(predict::allreduce_ms(n, s, 1, Algorithm::ring), expected, 1e-9);
}

TEST(PredictModel, RingAcrossNodesUsesTheSlowerLinkAndInterNodeSteps) {
  const Network n = net4();
  const double s = 100e6;
  const double expected = (8.4e-6 + 14 * 14e-6 + 2.0 * 7 / 8 * s / 25e9) * 1e3;  // N = 8
  EXPECT_NEAR(predict::allreduce_ms(n, s, 2, Algorithm::ring), expected, 1e-9);
}

TEST(PredictModel, TreeMovesSOverTheNodeAtTwoNodesAndTwiceBeyond) {
  Network n = net4();
  n.base_latency_us = n.intra_latency_us = n.inter_latency_us = 0;
  const double s = 1e9;
  EXPECT_NEAR(predict::allreduce_ms(n, s, 2, Algorithm::tree), s / 25e9 * 1e3, 1e-9);
  EXPECT_NEAR(predict::allreduce_ms(n, s, 4, Algorithm::tree), 2 * s / 25e9 * 1e3, 1e-9);
  EXPECT_NEAR(predict::allreduce_ms(n, s, 1, Algorithm::tree),
              predict::allreduce_ms(n, s, 1, Algorithm::ring), 1e-12);
}

TEST(PredictModel, HierarchicalIsTwoInNodeTermsAndOneBetweenNodes) {
  Network n = net4();
  n.base_latency_us = n.intra_latency_us = n.inter_latency_us = 0;
  const double s = 1e9;
  const double expected = (1.5 * s / 100e9 + 2.0 * 3 / 4 * s / 25e9) * 1e3;  // k = 4
  EXPECT_NEAR(predict::allreduce_ms(n, s, 4, Algorithm::hier), expected, 1e-9);
}

TEST(PredictModel, OneRankMovesNothing) {
  Network n = net4();
  n.gpus_per_node = 1;
  EXPECT_EQ(predict::allreduce_ms(n, 1e9, 1, Algorithm::ring), 0.0);
}

TEST(PredictModel, BusbwOfTheRingIsTheLinkBandwidthAsNcclTestsDefineIt) {
  Network n = net4();
  n.base_latency_us = n.intra_latency_us = n.inter_latency_us = 0;
  const double s = 4e9;
  for (std::int64_t nodes : {1, 2, 8}) {
    const double t = predict::allreduce_ms(n, s, nodes, Algorithm::ring) * 1e-3;
    const double busbw = s / t * bus_factor(4 * nodes) / 1e9;
    EXPECT_NEAR(busbw, nodes == 1 ? 100.0 : 25.0, 1e-9) << nodes << " nodes";
  }
}

TEST(PredictModel, BandwidthBoundTotalsApproachTheBandwidthTerm) {
  const Network n = net4();
  const double s = 1e12;  // latency is negligible
  const double t = predict::allreduce_ms(n, s, 16, Algorithm::ring);
  EXPECT_NEAR(t / (2.0 * 63 / 64 * s / 25e9 * 1e3), 1.0, 1e-4);
}

TEST(PredictModel, TaperSlowsLinksOnlyPastOneLeaf) {
  Network n = net4();
  n.nodes_per_leaf = 4;
  n.taper = 0.5;
  const double s = 1e9;
  Network flat = n;
  flat.taper = 1;
  EXPECT_EQ(predict::allreduce_ms(n, s, 4, Algorithm::ring),
            predict::allreduce_ms(flat, s, 4, Algorithm::ring));
  EXPECT_GT(predict::allreduce_ms(n, s, 8, Algorithm::ring),
            1.9 * predict::allreduce_ms(flat, s, 8, Algorithm::ring) - 0.9 * 1e3 * 30 * 14e-6);
}

TEST(PredictModel, AutoChoosesTheFastestListedAlgorithm) {
  Network n = net4();
  n.algorithms = {Algorithm::ring, Algorithm::tree};
  const double small = 1e3;  // latency-bound: the tree's log steps win at many nodes
  const auto c = predict::best_allreduce(n, small, 64, std::nullopt);
  EXPECT_EQ(c.algorithm, Algorithm::tree);
  EXPECT_EQ(predict::best_allreduce(n, small, 64, Algorithm::ring).algorithm, Algorithm::ring);
}

StepInputs one_bucket(double ready_fraction, bool overlap, double kappa) {
  StepInputs in;
  in.forward_ms = 10;
  in.backward_ms = 20;
  in.optimizer_ms = 2;
  in.buckets = {{1e9, ready_fraction}};
  in.overlap = overlap;
  in.kappa = kappa;
  return in;
}

TEST(PredictModel, ABucketReadyAtTheEndIsFullyExposed) {
  const Network n = net4();
  const StepInputs in = one_bucket(1.0, true, 0.2);
  const auto p = predict::predict_step(in, n, 2);
  const double t = predict::allreduce_ms(n, 1e9, 2, Algorithm::ring);
  EXPECT_NEAR(p.exposed_ms, t, 1e-9);
  EXPECT_NEAR(p.step_ms, 10 + 20 + t + 2, 1e-9);
  EXPECT_NEAR(p.interference_ms, 0, 1e-12);  // nothing ran beside backward
}

TEST(PredictModel, KappaZeroGivesNoSlowdownAndKappaSlowsOverlappedBackward) {
  const Network n = net4();
  const auto free = predict::predict_step(one_bucket(0.0, true, 0.0), n, 2);
  EXPECT_DOUBLE_EQ(free.backward_ms, 20);
  const auto slowed = predict::predict_step(one_bucket(0.0, true, 0.3), n, 2);
  EXPECT_GT(slowed.backward_ms, 20);
  // Collectives beside all of backward: t_B' = t_B + kappa t_B', at most t_B / (1 - kappa).
  EXPECT_LE(slowed.backward_ms, 20 / (1 - 0.3) + 1e-9);
}

TEST(PredictModel, WithoutOverlapTheStepIsComputePlusEveryAllReduce) {
  const Network n = net4();
  StepInputs in = one_bucket(0.0, false, 0.3);
  in.buckets.push_back({5e8, 0.5});
  const auto p = predict::predict_step(in, n, 2);
  const double t = predict::allreduce_ms(n, 1e9, 2, Algorithm::ring) +
                   predict::allreduce_ms(n, 5e8, 2, Algorithm::ring);
  EXPECT_NEAR(p.step_ms, 32 + t, 1e-9);
}

TEST(PredictModel, StragglersGrowWithTheRanksAndNotWithoutNoise) {
  const Network n = net4();
  StepInputs in = one_bucket(0.0, true, 0.0);
  in.sigma = 0.02;
  const double at2 = predict::predict_step(in, n, 2).straggler_ms;
  const double at64 = predict::predict_step(in, n, 64).straggler_ms;
  EXPECT_GT(at64, at2);
  EXPECT_EQ(predict::expected_max_normal(1), 0.0);
  EXPECT_NEAR(predict::inverse_normal_cdf(0.975), 1.959964, 1e-5);
  in.sigma = 0;
  EXPECT_EQ(predict::predict_step(in, n, 64).straggler_ms, 0.0);
}

TEST(PredictModel, BandwidthFitRecoversTheLine) {
  std::vector<double> x = {1e6, 1e7, 1e8}, t;
  for (double v : x) t.push_back(1e-3 + v / 2e9);
  const auto fit = predict::fit_bandwidth(x, t, 1e-5);
  ASSERT_TRUE(fit);
  EXPECT_NEAR(fit->bandwidth, 2e9, 1e3);
  EXPECT_NEAR(fit->intercept, 1e-3, 1e-9);
  EXPECT_FALSE(predict::fit_bandwidth({1e6}, {0.0}, 1e-5));  // no time: no bandwidth
  EXPECT_FALSE(predict::fit_bandwidth({}, {}, 1e-5));
}

// ---- the command -------------------------------------------------------------------------

// A Roihu-like curve measured at 1 and 4 GPUs (one node), optionally 8 (two nodes), with the
// fields of scalebench.result/2.
struct Curve {
  testing::TempDir dir;
  fs::path results() const { return dir / "results"; }
};

ResultRecord roihu_record(std::int64_t gpus, double step_ms, bool v2 = true) {
  testing::FixturePoint p;
  p.cluster = "roihu";
  p.gpu_model = "NVIDIA GH200 120GB";
  p.devices = gpus;
  p.devices_per_node = 4;
  p.compute_ms = 95;
  p.exposed_ms = step_ms - 95;
  p.allreduce_ms = gpus > 1 ? 20 : 0;
  ResultRecord r = testing::make_record(p);
  r.model.gradient_bytes = 102228128;
  r.phases.compute_parts = ComputeParts{30, 60, 5};
  CommunicationRecord& c = *r.communication;
  c.buckets.clear();
  const double sizes[] = {1 << 20, 25 << 20, 25 << 20, 25 << 20,
                          102228128.0 - (1 << 20) - 3.0 * (25 << 20)};
  const double ready[] = {3, 18, 33, 48, 60};
  for (int i = 0; i < 5; ++i) {
    BucketRecord b;
    b.index = i;
    b.bytes = std::int64_t(sizes[i]);
    // In-node ring at 100 GB/s per GPU, plus 20 us.
    b.time_ms = gpus > 1 ? (20e-6 + 2.0 * (gpus - 1) / gpus * sizes[i] / 100e9) * 1e3 : 0;
    b.ready_ms = ready[i];
    c.buckets.push_back(b);
  }
  RankSteps rs;
  for (std::int64_t k = 0; k < gpus; ++k) rs.ranks.push_back({k, step_ms, step_ms * 1.01, 0.4});
  rs.idiosyncratic_stdev_ms = gpus > 1 ? 0.3 : 0;
  r.rank_steps = rs;
  if (!v2) {  // what a 0.2.0 run recorded: no parts, no ready times, no rank statistics
    r.schema = kResultSchemaV1;
    r.phases.compute_parts.reset();
    for (BucketRecord& b : c.buckets) b.ready_ms.reset();
    r.rank_steps.reset();
  }
  return r;
}

void write_record(const fs::path& path, const ResultRecord& r) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << nlohmann::json(r).dump(2);
}

PredictOptions options_for(const Curve& c) {
  PredictOptions o;
  o.inputs = {{c.results(), std::nullopt}};
  o.cluster = std::string(SCALEBENCH_SOURCE_DIR) + "/configs/clusters/roihu.json";
  o.out = c.dir / "pred";
  o.gnuplot = "/nonexistent/gnuplot";
  o.gpus = {8, 16, 32};
  return o;
}

void write_node(const Curve& c, bool v2 = true) {
  write_record(c.results() / "g1.json", roihu_record(1, 95.5, v2));
  write_record(c.results() / "g4.json", roihu_record(4, 97, v2));
}

// The UsageError project() refuses `o` with ("(no error)" when it accepts it).
std::string project_error(const PredictOptions& o) {
  try {
    project(o);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

const PredictedPoint& at(const PredictedCurve& curve, std::int64_t gpus) {
  for (const PredictedPoint& p : curve.points)
    if (p.gpus == gpus) return p;
  throw std::runtime_error("no point at " + std::to_string(gpus));
}

TEST(Predict, ProjectsPastTheNodeWithABandAndSaysSo) {
  Curve c;
  write_node(c);
  const PredictSummary s = project(options_for(c));
  ASSERT_EQ(s.curves.size(), 1u);
  const PredictedCurve& curve = s.curves[0];
  EXPECT_EQ(curve.calibration, Calibration::node);
  EXPECT_TRUE(at(curve, 1).measured);
  EXPECT_TRUE(at(curve, 4).measured);
  double previous = 2;
  for (std::int64_t n : {8, 16, 32}) {
    const PredictedPoint& p = at(curve, n);
    EXPECT_FALSE(p.measured);
    EXPECT_EQ(p.nodes, n / 4);
    EXPECT_LE(p.low, p.efficiency);
    EXPECT_GE(p.high, p.efficiency);
    EXPECT_LE(p.efficiency, previous + 1e-9) << n;
    EXPECT_GT(p.efficiency, 0.3) << n;
    previous = p.efficiency;
    EXPECT_FALSE(p.dominant.empty());
  }
  EXPECT_NE(curve.text.find("projected, not measured"), std::string::npos) << curve.text;
  EXPECT_NE(curve.text.find("node calibration"), std::string::npos) << curve.text;
  EXPECT_EQ(s.schemas.at(kResultSchema), 2u);
  // Deterministic: the same inputs give the same file.
  EXPECT_EQ(prediction_json(s, options_for(c)).dump(),
            prediction_json(project(options_for(c)), options_for(c)).dump());
}

TEST(Predict, ASlowerNetworkProjectsLowerEfficiency) {
  Curve c;
  write_node(c);
  PredictOptions fast = options_for(c);
  const double e_fast = at(project(fast).curves[0], 32).efficiency;
  nlohmann::json profile = nlohmann::json::parse(std::ifstream(fast.cluster));
  profile["interconnect"]["inter_node"]["nic_gbit_per_s"] = 10;
  std::ofstream(c.dir / "slow.json") << profile.dump();
  PredictOptions slow = fast;
  slow.cluster = (c.dir / "slow.json").string();
  EXPECT_LT(at(project(slow).curves[0], 32).efficiency, e_fast - 0.1);
}

TEST(Predict, TwoNodePointAnchorsTheProjection) {
  Curve c;
  write_node(c);
  write_record(c.results() / "g8.json", roihu_record(8, 110));
  const PredictSummary s = project(options_for(c));
  const PredictedCurve& curve = s.curves[0];
  EXPECT_EQ(curve.calibration, Calibration::two_node);
  EXPECT_TRUE(at(curve, 8).measured);
  EXPECT_FALSE(at(curve, 16).measured);
  EXPECT_LT(at(curve, 16).efficiency, at(curve, 8).efficiency);
}

TEST(Predict, WithoutAFullNodePointSaysWhichRunToAdd) {
  Curve c;
  write_record(c.results() / "g1.json", roihu_record(1, 95.5));
  const std::string error = project_error(options_for(c));
  EXPECT_NE(error.find("no successful full-node point (4 GPUs on 1 node)"), std::string::npos) << error;
}

TEST(Predict, AProfileWithoutInterNodeFactsIsRefusedNamingTheFields) {
  Curve c;
  write_node(c);
  PredictOptions o = options_for(c);
  nlohmann::json profile = nlohmann::json::parse(std::ifstream(o.cluster));
  auto& link = profile["interconnect"]["inter_node"];
  link.erase("nics_per_node");
  link.erase("nic_gbit_per_s");
  link["bandwidth_gb_per_s"] = nullptr;
  std::ofstream(c.dir / "bare.json") << profile.dump();
  o.cluster = (c.dir / "bare.json").string();
  const std::string error = project_error(o);
  EXPECT_NE(error.find("nics_per_node and nic_gbit_per_s, or bandwidth_gb_per_s"), std::string::npos) << error;
}

TEST(Predict, RefusesCountsThatAreNotWholeNodesOrBeyondTheProfile) {
  Curve c;
  write_node(c);
  PredictOptions o = options_for(c);
  o.gpus = {6};
  EXPECT_THROW(project(o), UsageError);
  o.gpus = {400000};
  EXPECT_THROW(project(o), UsageError);
  o.beyond_profile = true;
  EXPECT_NO_THROW(project(o));
}

TEST(Predict, OlderResultsWork_TheAssumptionIsNamed) {
  Curve c;
  write_node(c, /*v2=*/false);
  const PredictSummary s = project(options_for(c));
  EXPECT_EQ(s.schemas.at(kResultSchemaV1), 2u);
  std::string all;
  for (const std::string& a : s.curves[0].assumptions) all += a + "\n";
  EXPECT_NE(all.find("split 1:2"), std::string::npos) << all;
  EXPECT_NE(all.find("spread evenly"), std::string::npos) << all;
}

TEST(Predict, AMeasuredTableWorksAndNamesItsAssumptions) {
  Curve c;
  testing::write_text(c.dir / "mine.csv",
                      "gpus,nodes,samples_per_s,batch_per_device,model,precision,parameters\n"
                      "1,1,500,64,mymodel,bf16,120000000\n"
                      "4,1,1900,64,mymodel,bf16,120000000\n");
  PredictOptions o = options_for(c);
  // Roihu publishes no in-node bandwidth, which a table (no bucket times) needs: a copy with one.
  nlohmann::json profile = nlohmann::json::parse(std::ifstream(o.cluster));
  profile["interconnect"]["intra_node"]["bandwidth_gb_per_s"] = 150;
  std::ofstream(c.dir / "nvlink.json") << profile.dump();
  o.cluster = (c.dir / "nvlink.json").string();
  o.inputs.clear();
  o.measured_table = c.dir / "mine.csv";
  const PredictSummary s = project(o);
  ASSERT_EQ(s.curves.size(), 1u);
  EXPECT_EQ(s.curves[0].keys["model"], "mymodel");
  EXPECT_NEAR(at(s.curves[0], 4).efficiency, 0.95, 1e-9);
  bool named = false;
  for (const std::string& a : s.curves[0].assumptions)
    named = named || a.find("4 x 120000000 parameters") != std::string::npos;
  EXPECT_TRUE(named);
  testing::write_text(c.dir / "bad.csv",
                      "gpus,nodes,samples_per_s,batch_per_device,model,precision\n1,1,500,64,"
                      "mymodel,bf16\n4,1,1900,64,mymodel,bf16\n");
  o.measured_table = c.dir / "bad.csv";
  EXPECT_THROW(project(o), UsageError);  // an unknown model needs its parameters
  testing::write_text(c.dir / "cols.csv", "gpus,samples_per_s\n1,2\n");
  o.measured_table = c.dir / "cols.csv";
  EXPECT_THROW(project(o), UsageError);
}

TEST(Predict, WritesItsFilesAndTheReportShowsProjectionsApart) {
  Curve c;
  write_node(c);
  const PredictOptions o = options_for(c);
  const PredictSummary s = run_predict(o);
  for (const char* f : {"prediction.json", "prediction.csv", "prediction.txt"})
    EXPECT_TRUE(fs::exists(o.out / f)) << f;
  const nlohmann::json doc = nlohmann::json::parse(std::ifstream(o.out / "prediction.json"));
  EXPECT_EQ(doc["schema"], kPredictionSchema);
  EXPECT_EQ(doc["curves"][0]["points"].size(), 5u);
  const auto curves = read_prediction_file(o.out / "prediction.json");
  ASSERT_EQ(curves.size(), 1u);
  EXPECT_EQ(curves[0].points.size(), 5u);

  ReportOptions r;
  r.inputs = {c.results()};
  r.out = c.dir / "report";
  r.gnuplot = "/nonexistent/gnuplot";
  r.prediction = o.out / "prediction.json";
  run_report(r);
  const std::string md = testing::read_text(r.out / "report.md");
  const auto apart = md.find("## Projected (not measured)");
  ASSERT_NE(apart, std::string::npos);
  // The measured tables end before the projections; 32 GPUs appears in the projected part only.
  EXPECT_EQ(md.substr(0, apart).find("| 32 |"), std::string::npos);
  EXPECT_NE(md.find("| 32 |", apart), std::string::npos);
  EXPECT_EQ(testing::read_text(r.out / "summary.csv").find(",32,"), std::string::npos);
}

TEST(Predict, TheReportListsThePointsAnUntilKneeSweepSkippedAndWhy) {
  Curve c;
  write_node(c);
  UntilKneeState state;
  state.unit = "GPUs";
  CurveDecision d{"resnet50", "ddp", "stopped", 1, "efficiency 62% at 8 GPUs (2 nodes) is below 80%, confirmed by <b>", {}};
  d.skipped.push_back({7, 16, 4, 2, "results/p0007.json", ProjectedEfficiency{0.5, 0.45, 0.55}});
  d.skipped.push_back({8, 32, 8, 3, "results/p0008.json", std::nullopt});
  state.curves.push_back(d);
  testing::write_text(c.dir / "until_knee.json", to_json(state).dump(2));
  ReportOptions r;
  r.inputs = {c.results()};
  r.out = c.dir / "report";
  r.gnuplot = "/nonexistent/gnuplot";
  r.skipped = c.dir / "until_knee.json";
  run_report(r);
  const std::string md = testing::read_text(r.out / "report.md");
  EXPECT_NE(md.find("## Not measured: the sweep stopped at the knee"), std::string::npos) << md;
  EXPECT_NE(md.find("| resnet50 | ddp | 16 | 4 | 2 | 50% (45%-55%), projected, not measured |"), std::string::npos) << md;
  EXPECT_NE(md.find("| resnet50 | ddp | 32 | 8 | 3 | - |"), std::string::npos) << md;
  const std::string html = testing::read_text(r.out / "report.html");
  EXPECT_EQ(html.find("confirmed by <b>"), std::string::npos);  // escaped, never markup
  EXPECT_NE(html.find("confirmed by &lt;b&gt;"), std::string::npos);
  const std::string txt = testing::read_text(r.out / "summary.txt");
  EXPECT_NE(txt.find("It skipped 2 point(s) of the plan (at 16 32 GPUs)."), std::string::npos) << txt;
  // The skipped points never enter the measured tables or the CSV.
  EXPECT_EQ(testing::read_text(r.out / "summary.csv").find(",16,"), std::string::npos);
  // A "skipped" point whose result is there ran after all (its gate's scancel failed): not listed.
  fs::create_directories(c.dir / "results");
  testing::write_text(c.dir / "results/p0008.json", "{}");
  r.out = c.dir / "report-ran";
  run_report(r);
  const std::string ran = testing::read_text(r.out / "report.md");
  EXPECT_EQ(ran.find("| resnet50 | ddp | 32 |"), std::string::npos) << ran;
  EXPECT_NE(ran.find("1 of the point(s) it skipped ran anyway"), std::string::npos) << ran;
  // A file that is not an until-knee record is refused before anything is written.
  testing::write_text(c.dir / "other.json", "{\"schema\": \"scalebench.until-knee/2\"}");
  r.out = c.dir / "report2";
  r.skipped = c.dir / "other.json";
  EXPECT_THROW(run_report(r), UsageError);
  EXPECT_FALSE(fs::exists(r.out));
}

}  // namespace
}  // namespace scalebench::reports

namespace scalebench::reports {
namespace {

std::string table_error(const std::string& text) {
  try {
    parse_measured_table(text, "t.csv");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(MeasuredTable, ReadsAnyColumnOrderQuotesAndBlankLines) {
  const auto rows = parse_measured_table(
      "precision,model,gpus,nodes,batch_per_device,samples_per_s\n\nbf16,\"my, "
      "model\",4,1,64,\"1900.5\"\r\n",
      "t.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].model, "my, model");
  EXPECT_EQ(rows[0].samples_per_s, 1900.5);
  EXPECT_EQ(rows[0].line, 3);
}

TEST(MeasuredTable, RefusalsNameTheFileTheLineAndWhatIsAllowed) {
  const std::string h = "gpus,nodes,samples_per_s,batch_per_device,model,precision\n";
  EXPECT_EQ(table_error(""), "t.csv: empty file; the first line names the columns");
  EXPECT_EQ(table_error(h), "t.csv: no rows below the header");
  EXPECT_NE(table_error("gpus,nodes\n1,1\n").find("no column 'samples_per_s'"), std::string::npos);
  EXPECT_NE(table_error(h.substr(0, h.size() - 1) + ",colour\n").find("unknown column 'colour'"),
            std::string::npos);
  EXPECT_EQ(table_error(h + "0,1,5,64,m,bf16\n"),
            "t.csv line 2: gpus '0' is not a whole number from 1 to 1000000");
  EXPECT_EQ(table_error(h + "2,4,5,64,m,bf16\n"),
            "t.csv line 2: 4 nodes for 2 GPUs (at least one GPU a node)");
  EXPECT_EQ(table_error(h + "1,1,fast,64,m,bf16\n"),
            "t.csv line 2: samples_per_s 'fast' is not a positive number");
  EXPECT_EQ(table_error(h + "1,1,5,64,m\n"), "t.csv line 2: 5 cells where the header has 6");
  EXPECT_EQ(table_error(h + "1,1,5,64,m,bf16\n1,1,6,64,m,bf16\n"),
            "t.csv line 3: a second row for m bf16 at 1 GPUs");
  EXPECT_EQ(table_error(h + "1,1,5,64,\"m,bf16\n"), "t.csv line 2: a quoted cell is not closed");
  EXPECT_EQ(table_error("gpus,gpus\n"), "t.csv: column 'gpus' is named twice");
}

}  // namespace
}  // namespace scalebench::reports

namespace scalebench::reports {
namespace {

TEST(PredictModel, NoBandwidthIsNotFreeCommunication) {
  Network n = net4();
  n.node_gbps = 0;
  EXPECT_TRUE(std::isinf(predict::allreduce_ms(n, 1e6, 2, Algorithm::ring)));
}

TEST(Predict, MirroredIsOneHierarchicalAllReduceWhateverAlgoSays) {
  Curve c;
  for (const auto& [gpus, step] : {std::pair<std::int64_t, double>{1, 95.5}, {4, 97}}) {
    ResultRecord r = roihu_record(gpus, step);
    r.point.strategy = "mirrored";
    write_record(c.results() / ("m" + std::to_string(gpus) + ".json"), r);
  }
  PredictOptions o = options_for(c);
  o.algorithm = Algorithm::ring;
  const PredictSummary s = project(o);
  ASSERT_EQ(s.curves.size(), 1u);
  EXPECT_LT(at(s.curves[0], 32).efficiency, at(s.curves[0], 8).efficiency);
}

TEST(Predict, AMalformedTaperIsRefusedNamingTheField) {
  Curve c;
  write_node(c);
  PredictOptions o = options_for(c);
  nlohmann::json profile = nlohmann::json::parse(std::ifstream(o.cluster));
  profile["interconnect"]["inter_node"]["taper"] = "fat";
  std::ofstream(c.dir / "taper.json") << profile.dump();
  o.cluster = (c.dir / "taper.json").string();
  const std::string error = project_error(o);
  EXPECT_NE(error.find("interconnect.inter_node.taper 'fat'"), std::string::npos) << error;
  profile["interconnect"]["inter_node"]["taper"] = "2:1";
  profile["interconnect"]["inter_node"]["nodes_per_leaf"] = 2;
  std::ofstream(c.dir / "taper.json") << profile.dump();
  const double tapered = at(project(o).curves[0], 32).efficiency;
  EXPECT_LT(tapered, at(project(options_for(c)).curves[0], 32).efficiency);
}

}  // namespace
}  // namespace scalebench::reports

namespace scalebench::reports {
namespace {

// Runs of another setting are a curve of their own (the report's grouping), so they are never
// calibrated together: that curve needs its own full-node point.
TEST(Predict, RunsOfAnotherSettingAreACurveOfTheirOwn) {
  Curve c;
  write_node(c);
  ResultRecord other = roihu_record(8, 110);
  other.point.options["overlap"] = false;
  write_record(c.results() / "g8.json", other);
  const std::string error = project_error(options_for(c));
  EXPECT_NE(error.find("[overlap=false"), std::string::npos) << error;
  EXPECT_NE(error.find("no successful full-node point"), std::string::npos) << error;
}

}  // namespace
}  // namespace scalebench::reports
