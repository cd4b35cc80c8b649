// The data-parallel step shared by every strategy: replicas compute, gradient units travel
// through the communicator as the strategy says (during backward or after it).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kernels/communicator.hpp"
#include "workloads/gradient_plan.hpp"
#include "workloads/strategies.hpp"
#include "workloads/training_step.hpp"

namespace scalebench {

struct StrategyConfig {
  std::string name;  // a row of strategies()
  std::vector<GradientUnit> units;
  bool overlap = false;  // start each unit's all-reduce as soon as backward has produced it
};

// One file per strategy (ddp.cpp, mirrored.cpp): what is different about it.
StrategyConfig make_ddp(const Model& model, const StrategyOptions& options);
StrategyConfig make_mirrored(const Model& model, const StrategyOptions& options);

// The device side of the strategy table: the builder of `strategy`'s row (kStrategyBuilders in
// data_parallel.cpp names one per row of strategies()). Throws std::logic_error for a row with no
// builder (a strategy added to the table but not here).
StrategyConfig make_strategy(const StrategyInfo& strategy, const Model& model,
                             const StrategyOptions& options);
// Whether `strategy` has a builder (the tests check every row).
bool has_builder(const StrategyInfo& strategy);

// What a measured compute-only step reports as it goes, each call made with every replica's
// device synchronised: the end of each part, and when a gradient unit's last gradient exists.
struct ComputeMarks {
  enum class Part { forward, backward, optimizer };
  std::function<void(Part)> part_done;
  // Only for one replica per process (with several, a unit is ready on each at another time).
  std::function<void(std::size_t unit)> unit_ready;
};

class DataParallel {
 public:
  // `replicas`: the model replicas this process drives (ddp: one; mirrored: one per local
  // device). `first_participant`: global index of replicas[0] among all participants.
  DataParallel(StrategyConfig config, std::vector<TrainingStep*> replicas, Communicator& comm,
               int first_participant);

  // Forward, backward and optimizer on every replica, no communication. With `marks` (and no
  // captured graphs, whose segments cross the parts) the parts are synchronised and reported.
  void compute_step(const ComputeMarks* marks = nullptr);
  // The full step: compute with the gradient all-reduces of the strategy.
  void full_step();
  // All-reduces one gradient unit and waits for it (communication-only phase).
  void allreduce_unit(std::size_t unit);
  // Waits until every replica's device has finished its work.
  void synchronize();

  // Captures the step's compute into device graphs (forward; backward cut at every gradient
  // unit's boundary so that all-reduces still start as soon as their gradients exist; optimizer).
  // Afterwards compute_step and full_step replay the graphs. Throws where graphs are unsupported.
  void capture_graphs();
  bool graphs() const { return !program_.empty(); }

  // Fills each unit with a participant-dependent pattern, all-reduces it and checks the sums on
  // every replica. Returns the first mismatch as "bucket B: element E is X, expected Y".
  // `corrupt_participant` (tests only) perturbs one participant's contribution.
  std::optional<std::string> check(int corrupt_participant = -1);

  const StrategyConfig& config() const { return config_; }
  int participants() const { return comm_.participants(); }

 private:
  RequestId start_unit(std::size_t unit);
  void replay_step(bool communicate);

  // A captured step: graphs to replay per replica, and where each unit's all-reduce starts.
  struct Segment {
    std::vector<int> graph_per_replica;
    int unit_after = -1;  // all-reduce this unit once the segment is issued (-1: none)
  };
  std::vector<Segment> program_;
  std::vector<int> optimizer_graphs_;

  StrategyConfig config_;
  std::vector<TrainingStep*> replicas_;
  std::vector<Device*> devices_;
  Communicator& comm_;
  int first_participant_;
};

}  // namespace scalebench
