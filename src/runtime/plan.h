// Plan: the pruned, topologically ordered, kernel-resolved form of a graph for one set of
// feeds, fetches and targets. Built once at load time (every unsupported op and bad attr is
// reported then); run many times concurrently. Immutable after Build but for a cache of the
// values of the variables it reads through fixed handles and the way each branch section runs
// (measured on its first runs: branch_mode.h); Run is thread-safe, and a run with an idle core
// may compute a section's branches on two threads (branch_sections.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "runtime/branch_mode.h"
#include "runtime/branch_sections.h"
#include "runtime/graph.h"
#include "runtime/kernel.h"
#include "runtime/tensor.h"

namespace tern {

class FunctionLibrary;
class SessionResources;
class Variable;

struct PlanSpec {
  std::vector<std::string> feeds;    // tensor names, e.g. "x:0"
  std::vector<std::string> fetches;  // tensor names
  std::vector<std::string> targets;  // node names run for their effects
  // Tensors with this value in every run, given at build and not to Run (a function's captured
  // variable handles, bound by its caller: FunctionLibrary::Instantiate).
  std::vector<std::pair<std::string, Tensor>> bound_feeds;
};

class Plan {
 public:
  // `graph` is only read during Build. `resources` and `functions` must outlive the plan.
  static StatusOr<std::unique_ptr<Plan>> Build(const Graph& graph, const PlanSpec& spec,
                                               SessionResources* resources,
                                               FunctionLibrary* functions);

  // feeds are in PlanSpec::feeds order; the result is in PlanSpec::fetches order.
  StatusOr<std::vector<Tensor>> Run(const std::vector<Tensor>& feeds,
                                    const RunOptions& options) const;

  size_t num_steps() const { return steps_.size(); }
  // Ops of the steps, in execution order (for inspection and tests). Nodes bound at build time
  // (FixedValue: Const, VarHandleOp) run no step and are not listed.
  std::vector<std::string> StepOps() const;

 private:
  struct Input {
    int slot = -1;
    bool deref = false;  // read the variable a TF1 reference points at
  };
  struct Step {
    std::unique_ptr<OpKernel> kernel;
    std::string name;
    std::string op;
    // Its inputs: step_inputs_[first_input, first_input + num_inputs).
    int first_input = 0;
    int num_inputs = 0;
    int first_output = 0;
    int num_outputs = 0;
    // The slots whose last reader it is: step_releases_[first_release, ... + num_releases).
    int first_release = 0;
    int num_releases = 0;
    // A ReadVariableOp: Run binds its readers to the variable's current tensor itself (held for
    // the run) instead of running the kernel, which would copy it into the slot.
    bool reads_variable = false;
    // Its handle is fixed at build: index in fixed_reads_, whose values Run takes from the cache.
    int fixed_read = -1;
  };
  struct BoundFeed {
    int slot = -1;
    Tensor value;
  };
  // A variable read through a handle fixed at build, and which of writes_counters_ counts its
  // writes.
  struct FixedRead {
    Variable* variable = nullptr;  // kept alive by the handle, which the plan holds
    int counter = 0;
  };
  // The values of fixed_reads_ as of the counts `writes` (by writes_counters_).
  struct ReadValues {
    std::vector<uint64_t> writes;
    std::vector<std::shared_ptr<const Tensor>> values;
  };
  // A node whose kernel has a FixedOutput: its slot points at that tensor for every run.
  struct FixedValue {
    std::unique_ptr<OpKernel> kernel;  // owns *value
    const Tensor* value = nullptr;
    int slot = -1;
  };
  // A run of steps whose branches a run may hand to two threads (branch_sections.h).
  struct Section {
    BranchSection branches;
    int batch_slot = -1;  // its input whose first dimension is the batch, or -1
    // Slots set before the section and last read inside it: emptied when it ends, since its
    // branches may read them in any order.
    std::vector<int> deferred_releases;
    std::unique_ptr<BranchMode> mode;  // in order or side by side, measured per batch size
  };
  // What the steps of one run share.
  struct RunState {
    Tensor* slots = nullptr;
    const Tensor** values = nullptr;
    const ReadValues* read_values = nullptr;
    // Variables' tensors the run read; branches side by side may add at once.
    std::vector<std::shared_ptr<const Tensor>>* held = nullptr;
    std::mutex* held_mu = nullptr;
    const RunOptions* options = nullptr;
    bool has_deadline = false;
    void Hold(std::shared_ptr<const Tensor> value) const {
      std::lock_guard<std::mutex> lock(*held_mu);
      held->push_back(std::move(value));
    }
  };
  class Builder;  // plan.cc: fills a Plan phase by phase

  // One step: its inputs bound (into `inputs`, scratch), its kernel run, its releases done.
  Status RunStep(const Step& step, const RunState& run, std::vector<const Tensor*>* inputs) const;
  // A section's steps, in order or its branches side by side.
  Status RunSection(const Section& section, const RunState& run,
                    std::vector<const Tensor*>* inputs) const;
  Status RunBranches(const Section& section, const RunState& run, int threads) const;

  // Run's first and last phases: the feeds put in `slots` (num_slots_ empty tensors); the
  // fetched values.
  Status BindFeeds(const std::vector<Tensor>& feeds, Tensor* slots) const;
  StatusOr<std::vector<Tensor>> CollectFetches(const Tensor* const* values) const;
  // fixed_reads_' values, current as of now; null if a variable is unassigned (its read step then
  // runs the kernel, which says which).
  std::shared_ptr<const ReadValues> CurrentReadValues() const;
  // How many of writes_counters_ have moved since `read_values` were taken (0: all current).
  int WritesSince(const ReadValues& read_values) const;

  std::vector<Step> steps_;
  // The steps' inputs and releases, each step's a run of these: contiguous, so the per-step
  // bookkeeping of a run reads memory in order instead of a vector of its own per step.
  std::vector<Input> step_inputs_;
  std::vector<int> step_releases_;
  // The slots no step releases (fetched, or read by no step): what a finished run leaves set.
  std::vector<int> unreleased_slots_;
  std::vector<FixedValue> fixed_values_;
  std::vector<Section> sections_;
  std::vector<int> section_starting_at_;  // by step: the section that begins there, or -1
  int num_slots_ = 0;
  int num_variable_reads_ = 0;  // steps with reads_variable
  std::vector<BoundFeed> bound_feeds_;
  std::vector<FixedRead> fixed_reads_;
  std::vector<const std::atomic<uint64_t>*> writes_counters_;  // Variable::writes()
  // Read through a fixed handle, a variable's value comes from this shared array, not from a
  // mutex and a reference count on cache lines far away (606 reads per DenseNet121 run).
  mutable std::mutex read_values_mu_;
  mutable std::shared_ptr<const ReadValues> read_values_;
  std::vector<int> feed_slots_;
  std::vector<DataType> feed_dtypes_;  // DT_INVALID: any dtype
  std::vector<std::string> feed_names_;
  std::vector<int> fetch_slots_;
  std::vector<bool> fetch_deref_;  // a TF1 reference is fetched as the variable's value
  std::vector<std::string> fetch_names_;
  SessionResources* resources_ = nullptr;
};

}  // namespace tern
