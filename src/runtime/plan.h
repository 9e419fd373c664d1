// Plan: the pruned, topologically ordered, kernel-resolved form of a graph for one set of
// feeds, fetches and targets. Built once at load time (every unsupported op and bad attr is
// reported then); run many times concurrently. Immutable after Build; Run is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/graph.h"
#include "runtime/kernel.h"
#include "runtime/tensor.h"

namespace tern {

class FunctionLibrary;
class SessionResources;

struct PlanSpec {
  std::vector<std::string> feeds;    // tensor names, e.g. "x:0"
  std::vector<std::string> fetches;  // tensor names
  std::vector<std::string> targets;  // node names run for their effects
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
    std::vector<Input> inputs;
    int first_output = 0;
    int num_outputs = 0;
    std::vector<int> release_after;  // slots whose last reader is this step
    // A ReadVariableOp: Run binds its readers to the variable's current tensor itself (held for
    // the run) instead of running the kernel, which would copy it into the slot.
    bool reads_variable = false;
  };
  // A node whose kernel has a FixedOutput: its slot points at that tensor for every run.
  struct FixedValue {
    std::unique_ptr<OpKernel> kernel;  // owns *value
    const Tensor* value = nullptr;
    int slot = -1;
  };
  class Builder;  // plan.cc: fills a Plan phase by phase

  // Run's first and last phases: the slots with the feeds in place; the fetched values.
  StatusOr<std::vector<Tensor>> BindFeeds(const std::vector<Tensor>& feeds) const;
  StatusOr<std::vector<Tensor>> CollectFetches(const std::vector<const Tensor*>& values) const;

  std::vector<Step> steps_;
  std::vector<FixedValue> fixed_values_;
  int num_slots_ = 0;
  int num_variable_reads_ = 0;  // steps with reads_variable
  std::vector<int> feed_slots_;
  std::vector<DataType> feed_dtypes_;  // DT_INVALID: any dtype
  std::vector<std::string> feed_names_;
  std::vector<int> fetch_slots_;
  std::vector<bool> fetch_deref_;  // a TF1 reference is fetched as the variable's value
  std::vector<std::string> fetch_names_;
  SessionResources* resources_ = nullptr;
};

}  // namespace tern
