// The measured fields of a result record, from a run's raw phase timings: step statistics,
// throughput, exposed communication, overlap and all-reduce bandwidths. Pure arithmetic.
#pragma once

#include <cstdint>
#include <vector>

#include "records/result.hpp"

namespace scalebench {

// Median, 5th and 95th percentiles (linear interpolation between order statistics), mean,
// sample standard deviation, min, max and count. Throws std::invalid_argument when empty.
StepStats compute_stats(std::vector<double> step_ms);

// Percentile q in [0, 1] of sorted values, linear interpolation (numpy's default).
double percentile_sorted(const std::vector<double>& sorted, double q);

// busbw / algbw of an all-reduce among `participants`: 2(n-1)/n (nccl-tests
// doc/PERFORMANCE.md); 0 for one participant, whose all-reduce moves nothing.
double bus_factor(std::int64_t participants);

// One gradient unit (a ddp bucket or a mirrored pack) and its all-reduce time in each step of
// the communication-only phase.
struct BucketTiming {
  std::int64_t index = 0;
  std::int64_t bytes = 0;
  std::int64_t tensors = 0;
  std::vector<double> step_ms;
  // Per step of the compute-only phase: ms from backward's start until the unit's last gradient
  // existed (the slowest rank's); empty when not measured.
  std::vector<double> ready_ms;
};

// The communication-only phase's step times from its buckets': step s took the sum of every
// bucket's time in step s (each bucket runs alone, after an untimed barrier, and its time is the
// slowest rank's). Throws std::invalid_argument when the buckets have different step counts.
std::vector<double> phase_from_buckets(const std::vector<BucketTiming>& buckets);

// What the run loop timed: one entry per measured step in each phase (the slowest rank's time).
struct RunMeasurements {
  std::vector<double> compute_ms;        // forward and backward, no all-reduce
  std::vector<double> communication_ms;  // every unit's all-reduce, one after another
                                         // (phase_from_buckets of `buckets`)
  std::vector<double> full_ms;           // the training step
  // The compute-only phase by part, per step (the slowest rank's); empty when not measured.
  std::vector<double> forward_ms, backward_ms, optimizer_ms;
  // full_by_rank[rank][step]: every rank's own full-step times; empty when not gathered.
  std::vector<std::vector<double>> full_by_rank;
  bool keep_samples = false;  // record full_by_rank itself (run --samples)
  std::vector<BucketTiming> buckets;     // may be empty
  std::int64_t participants = 1;         // the ranks exchanging data in each all-reduce: the n
                                         // of busbw (Communicator::wire_participants)
  double gradient_bytes = 0;             // the whole gradient (a double: algbw = bytes / time)
  std::int64_t global_batch = 0;         // samples per step, all devices together
  std::int64_t devices = 1;
};

// The record fields the timings give. communication.check stays "skipped": the correctness
// check is not a measurement.
struct MeasuredFields {
  StepStats compute;
  StepStats communication_phase;
  StepStats full;
  Throughput throughput;
  CommunicationRecord communication;
  std::optional<ComputeParts> compute_parts;
  std::optional<RankSteps> rank_steps;
};

// Per-rank statistics of full_by_rank and the idiosyncratic spread: the sample standard deviation
// over all ranks and steps of a rank's time minus that step's median over the ranks. Throws
// std::invalid_argument when the ranks have different step counts or none.
RankSteps rank_step_stats(const std::vector<std::vector<double>>& full_by_rank, bool keep_samples);

// Throws std::invalid_argument when a phase (or a bucket) has no steps, or when participants or
// devices is below 1. From the medians: exposed = max(0, full - compute); overlap = 1 - exposed
// / all-reduce clamped to [0, 1], 1 when the all-reduce took no time; share = exposed / full (0
// when full is 0); algbw = bytes / all-reduce time (0 when it took no time); busbw = algbw *
// bus_factor; samples/s = global batch / full step. Compute parts, bucket ready times and rank
// statistics are filled when their timings are given.
MeasuredFields measure_run(const RunMeasurements& in);

// Puts them into `record`: phases, step (= the full phase), throughput, communication and the
// per-rank statistics.
void put_measurements(const MeasuredFields& fields, ResultRecord& record);

}  // namespace scalebench
