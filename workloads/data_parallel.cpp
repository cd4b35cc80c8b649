// The shared data-parallel loop: when all-reduces start and wait, and the correctness check.
#include "workloads/data_parallel.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "records/errors.hpp"
#include "records/vocabulary.hpp"

namespace scalebench {
namespace {

// How each row of strategies() builds its StrategyConfig, by name.
struct StrategyBuilder {
  std::string_view name;
  StrategyConfig (*make)(const Model& model, const StrategyOptions& options);
};

const StrategyBuilder kStrategyBuilders[] = {
    {vocabulary::kDdp, make_ddp},
    {vocabulary::kMirrored, make_mirrored},
};

const StrategyBuilder* builder_of(const StrategyInfo& strategy) {
  for (const StrategyBuilder& b : kStrategyBuilders)
    if (b.name == strategy.name) return &b;
  return nullptr;
}

}  // namespace

bool has_builder(const StrategyInfo& strategy) { return builder_of(strategy) != nullptr; }

StrategyConfig make_strategy(const StrategyInfo& strategy, const Model& model,
                             const StrategyOptions& options) {
  const StrategyBuilder* b = builder_of(strategy);
  if (!b) {
    throw std::logic_error(fmt::format("strategy '{}' has no builder in data_parallel.cpp",
                                       strategy.name));
  }
  return b->make(model, options);
}

DataParallel::DataParallel(StrategyConfig config, std::vector<TrainingStep*> replicas,
                           Communicator& comm, int first_participant)
    : config_(std::move(config)),
      replicas_(std::move(replicas)),
      comm_(comm),
      first_participant_(first_participant) {
  for (TrainingStep* r : replicas_) devices_.push_back(&r->device());
}

void DataParallel::synchronize() {
  for (Device* d : devices_) d->synchronize();
}

void DataParallel::capture_graphs() {
  for (Device* d : devices_) {
    if (!d->supports_graphs()) throw UsageError("--graph needs a backend with graphs (cuda or hip)");
  }
  program_.clear();
  optimizer_graphs_.clear();
  // Every replica runs the same table, so the cut points are the same on each: capture replica
  // by replica and merge the segment lists.
  std::vector<std::vector<Segment>> per_replica(replicas_.size());
  for (std::size_t j = 0; j < replicas_.size(); ++j) {
    TrainingStep& r = *replicas_[j];
    Device& d = *devices_[j];
    auto& segments = per_replica[j];
    d.begin_capture();
    r.forward();
    std::size_t next = 0;
    r.backward([&](int layer) {
      if (!config_.overlap) return;
      bool cut = false;
      int last_unit = -1;
      while (next < config_.units.size() && config_.units[next].ready_layer >= layer) {
        last_unit = int(next++);
        cut = true;
      }
      if (cut) {
        segments.push_back(Segment{{d.end_capture()}, last_unit});
        d.begin_capture();
      }
    });
    segments.push_back(Segment{{d.end_capture()}, -1});
    d.begin_capture();
    r.optimizer();
    optimizer_graphs_.push_back(d.end_capture());
  }
  for (std::size_t s = 0; s < per_replica[0].size(); ++s) {
    Segment merged{{}, per_replica[0][s].unit_after};
    for (auto& segments : per_replica) merged.graph_per_replica.push_back(segments.at(s).graph_per_replica[0]);
    program_.push_back(merged);
  }
}

void DataParallel::replay_step(bool communicate) {
  std::vector<RequestId> requests;
  int started = -1;
  for (const Segment& seg : program_) {
    for (std::size_t j = 0; j < devices_.size(); ++j) devices_[j]->replay(seg.graph_per_replica[j]);
    if (communicate && seg.unit_after >= 0) {
      while (started < seg.unit_after) requests.push_back(start_unit(std::size_t(++started)));
    }
  }
  if (communicate) {
    while (started + 1 < int(config_.units.size())) requests.push_back(start_unit(std::size_t(++started)));
    for (RequestId id : requests) comm_.wait(id);
  }
  for (std::size_t j = 0; j < devices_.size(); ++j) devices_[j]->replay(optimizer_graphs_[j]);
}

void DataParallel::compute_step(const ComputeMarks* marks) {
  if (graphs()) {
    replay_step(false);
    return;
  }
  if (!marks) {
    for (TrainingStep* r : replicas_) {
      r->forward();
      r->backward();
      r->optimizer();
    }
    return;
  }
  const auto done = [&](ComputeMarks::Part part) {
    synchronize();
    if (marks->part_done) marks->part_done(part);
  };
  for (TrainingStep* r : replicas_) r->forward();
  done(ComputeMarks::Part::forward);
  if (replicas_.size() == 1 && marks->unit_ready) {
    std::size_t next = 0;
    const auto ready_until = [&](std::size_t end) {
      synchronize();
      for (; next < end; ++next) marks->unit_ready(next);
    };
    replicas_.front()->backward([&](int layer) {
      std::size_t end = next;
      while (end < config_.units.size() && config_.units[end].ready_layer >= layer) ++end;
      if (end > next) ready_until(end);
    });
    if (next < config_.units.size()) ready_until(config_.units.size());
  } else {
    for (TrainingStep* r : replicas_) r->backward();
  }
  done(ComputeMarks::Part::backward);
  for (TrainingStep* r : replicas_) r->optimizer();
  done(ComputeMarks::Part::optimizer);
}

RequestId DataParallel::start_unit(std::size_t unit) {
  const GradientUnit& u = config_.units[unit];
  std::vector<float*> buffers;
  for (TrainingStep* r : replicas_) buffers.push_back(r->gradients() + u.offset);
  return comm_.allreduce_async(buffers, std::size_t(u.count), devices_);
}

void DataParallel::full_step() {
  if (graphs()) {
    replay_step(true);
    return;
  }
  std::vector<RequestId> requests;
  requests.reserve(config_.units.size());
  if (config_.overlap && replicas_.size() == 1) {
    TrainingStep& r = *replicas_.front();
    r.forward();
    std::size_t next = 0;
    r.backward([&](int layer) {
      while (next < config_.units.size() && config_.units[next].ready_layer >= layer) {
        requests.push_back(start_unit(next++));
      }
      comm_.progress();
    });
    while (next < config_.units.size()) requests.push_back(start_unit(next++));
  } else {
    for (TrainingStep* r : replicas_) {
      r->forward();
      r->backward();
    }
    for (std::size_t u = 0; u < config_.units.size(); ++u) requests.push_back(start_unit(u));
  }
  for (RequestId id : requests) comm_.wait(id);
  for (TrainingStep* r : replicas_) r->optimizer();
}

void DataParallel::allreduce_unit(std::size_t unit) { comm_.wait(start_unit(unit)); }

std::optional<std::string> DataParallel::check(int corrupt_participant) {
  // Participant p contributes (p + 1) * (1 + e % 7) to element e: small integers, so the fp32
  // sums are exact and the expected value is (1 + e % 7) * n (n + 1) / 2.
  const int n = participants();
  const double triangle = double(n) * double(n + 1) / 2.0;
  for (std::size_t ui = 0; ui < config_.units.size(); ++ui) {
    const GradientUnit& u = config_.units[ui];
    std::vector<float> host(std::size_t(u.count));
    for (std::size_t j = 0; j < replicas_.size(); ++j) {
      const int p = first_participant_ + int(j);
      for (std::int64_t e = 0; e < u.count; ++e) host[e] = float((p + 1) * (1 + e % 7));
      if (p == corrupt_participant) host[std::size_t(u.count / 2)] += 1.0f;
      devices_[j]->from_host(replicas_[j]->gradients() + u.offset, host.data(),
                             host.size() * sizeof(float));
    }
    synchronize();
    allreduce_unit(ui);
    synchronize();
    for (std::size_t j = 0; j < replicas_.size(); ++j) {
      devices_[j]->to_host(host.data(), replicas_[j]->gradients() + u.offset,
                           host.size() * sizeof(float));
      for (std::int64_t e = 0; e < u.count; ++e) {
        const double expected = double(1 + e % 7) * triangle;
        if (std::fabs(double(host[e]) - expected) > 1e-6 * expected) {
          return fmt::format("bucket {}: element {} on device {} is {}, expected {}", ui, e,
                             first_participant_ + int(j), host[e], expected);
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace scalebench
