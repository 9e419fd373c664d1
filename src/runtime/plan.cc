#include "runtime/plan.h"

#include <algorithm>
#include <map>
#include <new>
#include <set>
#include <stdexcept>

#include "runtime/flush_denormals.h"
#include "runtime/function_library.h"
#include "runtime/intra_op.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/kernels.h"
#include "runtime/optimize/fold_transposes.h"
#include "runtime/optimize/fuse_batch_norm.h"
#include "runtime/optimize/fuse_convolutions.h"
#include "runtime/optimize/fuse_gelu.h"
#include "runtime/optimize/fuse_layer_norm.h"
#include "runtime/optimize/fuse_masked_softmax.h"
#include "runtime/optimize/fuse_mat_mul.h"
#include "runtime/state/resources.h"

namespace tern {
namespace {

bool IsCallOp(const std::string& op) {
  return op == "StatefulPartitionedCall" || op == "PartitionedCall";
}

// Feeding (node, output) replaces that tensor; the key packs both.
int64_t Key(TensorId id) { return (static_cast<int64_t>(id.node) << 20) | id.output; }

// The dtype a placeholder declares for its feed; DT_INVALID (any dtype) for other nodes.
DataType DeclaredFeedDtype(const tensorflow::NodeDef& def) {
  if (def.op() == "Placeholder" || def.op() == "PlaceholderWithDefault") {
    auto it = def.attr().find("dtype");
    if (it != def.attr().end()) return it->second.type();
  }
  return tensorflow::DT_INVALID;
}

// An op without a kernel: how many planned nodes use it and the first of them.
struct MissingOp {
  std::string op;
  int nodes = 0;
  std::string first_node;
};

Status UnsupportedOpsError(const std::vector<MissingOp>& missing) {
  std::string message = "unsupported ops: ";
  for (size_t i = 0; i < missing.size(); ++i) {
    const MissingOp& m = missing[i];
    message += (i ? ", " : "") + m.op + " (node '" + m.first_node + "'";
    if (m.nodes > 1) message += " and " + std::to_string(m.nodes - 1) + " more";
    message += ")";
  }
  return Unimplemented(message);
}

enum class Visit { kNew, kOnStack, kDone };

// Ops that order, rename or reshape rather than compute: a branch of only these is not worth a
// thread of its own (branch_sections.h).
bool IsBookkeeping(const std::string& op) {
  static const std::set<std::string> kOps = {
      "NoOp",  "Identity", "IdentityN", "StopGradient", "Reshape", "ExpandDims", "Squeeze",
      "Shape", "ShapeN",   "Size",      "Rank",         "Pack",    "Unpack",     "StridedSlice",
  };
  return kOps.count(op) > 0;
}

// The variable a resource handle (or a TF1 reference) points at; null for anything else.
Variable* VariableOf(const Tensor& handle) {
  return dynamic_cast<Variable*>(handle.resource().get());
}

}  // namespace

// Each phase reads what the earlier ones worked out; the first error ends the build.
class Plan::Builder {
 public:
  Builder(const Graph& graph, const PlanSpec& spec, SessionResources* resources,
          FunctionLibrary* functions)
      : graph_(graph),
        spec_(spec),
        resources_(resources),
        functions_(functions),
        plan_(new Plan()) {
    plan_->resources_ = resources;
  }

  StatusOr<std::unique_ptr<Plan>> Build() {
    TERN_RETURN_IF_ERROR(ResolveFeeds());
    TERN_RETURN_IF_ERROR(ResolveFetchesAndTargets());
    TERN_RETURN_IF_ERROR(OrderNodes());
    TERN_RETURN_IF_ERROR(CheckKernelsExist());
    TERN_RETURN_IF_ERROR(AssignSlots());
    TERN_RETURN_IF_ERROR(CreateSteps());
    TERN_RETURN_IF_ERROR(PlaceFetches());
    FindSections();
    ScheduleReleases();
    return std::move(plan_);
  }

 private:
  Status ResolveFeeds() {
    for (size_t i = 0; i < spec_.feeds.size(); ++i) {
      TERN_ASSIGN_OR_RETURN(TensorId id, graph_.ResolveTensor(spec_.feeds[i]));
      fed_[Key(id)] = static_cast<int>(i);
      plan_->feed_slots_.push_back(static_cast<int>(i));
      plan_->feed_names_.push_back(spec_.feeds[i]);
      plan_->feed_dtypes_.push_back(DeclaredFeedDtype(*graph_.node(id.node).def));
    }
    // Their slots follow the feeds'.
    plan_->bound_feeds_.reserve(spec_.bound_feeds.size());
    for (const auto& [name, value] : spec_.bound_feeds) {
      TERN_ASSIGN_OR_RETURN(TensorId id, graph_.ResolveTensor(name));
      const int slot = static_cast<int>(spec_.feeds.size() + plan_->bound_feeds_.size());
      fed_[Key(id)] = slot;
      plan_->bound_feeds_.push_back({slot, value});
    }
    return Status::Ok();
  }

  Status ResolveFetchesAndTargets() {
    for (const auto& name : spec_.fetches) {
      TERN_ASSIGN_OR_RETURN(TensorId id, graph_.ResolveTensor(name));
      fetch_ids_.push_back(id);
    }
    for (const auto& name : spec_.targets) {
      std::string node;
      int output = 0;
      ParseTensorName(name, &node, &output);
      int index = graph_.FindNode(node);
      if (index < 0) return NotFound("no node named '" + node + "' to run");
      target_nodes_.push_back(index);
    }
    return Status::Ok();
  }

  // Post-order DFS from fetches and targets, skipping fed tensors: order_ lists every node to
  // run after everything it depends on.
  Status OrderNodes() {
    std::vector<Visit> state(graph_.nodes().size(), Visit::kNew);
    std::vector<std::pair<int, size_t>> stack;  // node, next dependency to follow
    for (TensorId id : fetch_ids_) {
      if (!fed_.count(Key(id))) TERN_RETURN_IF_ERROR(VisitFrom(id.node, &state, &stack));
    }
    for (int t : target_nodes_) TERN_RETURN_IF_ERROR(VisitFrom(t, &state, &stack));
    return Status::Ok();
  }

  Status VisitFrom(int root, std::vector<Visit>* state,
                   std::vector<std::pair<int, size_t>>* stack) {
    if ((*state)[root] != Visit::kNew) return Status::Ok();
    stack->emplace_back(root, 0);
    (*state)[root] = Visit::kOnStack;
    while (!stack->empty()) {
      auto& [node, next] = stack->back();
      const GraphNode& n = graph_.node(node);
      if (next == n.inputs.size() + n.control_inputs.size()) {
        (*state)[node] = Visit::kDone;
        order_.push_back(node);
        stack->pop_back();
        continue;
      }
      const int child = Dependency(n, next++);
      if (child < 0 || (*state)[child] == Visit::kDone) continue;
      if ((*state)[child] == Visit::kOnStack) {
        const auto& def = *graph_.node(child).def;
        return Unimplemented("the graph has a cycle through node '" + def.name() + "' (op " +
                             def.op() +
                             "); TF1 loops (Enter/Exit/NextIteration) are not supported yet");
      }
      (*state)[child] = Visit::kOnStack;
      stack->emplace_back(child, 0);
    }
    return Status::Ok();
  }

  // The node that dependency k of n (data inputs, then control inputs) comes from; -1 when it
  // is a fed tensor.
  int Dependency(const GraphNode& n, size_t k) const {
    if (k >= n.inputs.size()) return n.control_inputs[k - n.inputs.size()];
    return fed_.count(Key(n.inputs[k])) ? -1 : n.inputs[k].node;
  }

  // Every op must have a kernel; reports all missing ones at once, in first-seen order.
  Status CheckKernelsExist() const {
    std::vector<MissingOp> missing;
    for (int node : order_) {
      const auto& def = *graph_.node(node).def;
      if (def.op() == "_Arg") {
        return InvalidArgument("function argument '" + def.name() + "' is needed but not fed");
      }
      if (FindKernel(def.op()) || IsCallOp(def.op()) || functions_->Find(def.op())) continue;
      auto it = std::find_if(missing.begin(), missing.end(),
                             [&](const MissingOp& m) { return m.op == def.op(); });
      if (it == missing.end()) {
        missing.push_back({def.op(), 1, def.name()});
      } else {
        ++it->nodes;
      }
    }
    if (!missing.empty()) return UnsupportedOpsError(missing);
    return Status::Ok();
  }

  // Slots: feeds first, bound feeds next, then every output of every planned node.
  Status AssignSlots() {
    const size_t num_nodes = graph_.nodes().size();
    first_slot_.assign(num_nodes, -1);
    num_outputs_.assign(num_nodes, 0);
    int next_slot = static_cast<int>(spec_.feeds.size() + spec_.bound_feeds.size());
    for (int node : order_) {
      TERN_ASSIGN_OR_RETURN(auto layout, functions_->OutputLayout(*graph_.node(node).def));
      int count = 0;
      for (const auto& arg : layout) count += arg.second;
      first_slot_[node] = next_slot;
      num_outputs_[node] = count;
      next_slot += count;
    }
    plan_->num_slots_ = next_slot;
    return Status::Ok();
  }

  StatusOr<int> SlotOf(TensorId id, const std::string& consumer) const {
    auto f = fed_.find(Key(id));
    if (f != fed_.end()) return f->second;
    if (id.output >= num_outputs_[id.node]) {
      return InvalidArgument("node '" + consumer + "' reads output " + std::to_string(id.output) +
                             " of node '" + graph_.node(id.node).def->name() + "', which has " +
                             std::to_string(num_outputs_[id.node]) + " outputs");
    }
    return first_slot_[id.node] + id.output;
  }

  Status CreateSteps() {
    last_reader_.assign(plan_->num_slots_, -1);
    constant_.assign(plan_->num_slots_, nullptr);
    for (const BoundFeed& bound : plan_->bound_feeds_) constant_[bound.slot] = &bound.value;
    for (int node : order_) {
      std::vector<Input> inputs;
      TERN_ASSIGN_OR_RETURN(Step step, CreateStep(node, &inputs));
      if (const Tensor* value = step.kernel->FixedOutput();
          value != nullptr && inputs.empty() && step.num_outputs == 1) {
        constant_[step.first_output] = value;
        plan_->fixed_values_.push_back({std::move(step.kernel), value, step.first_output});
        continue;
      }
      const int index = static_cast<int>(plan_->steps_.size());
      for (const Input& in : inputs) last_reader_[in.slot] = index;
      step_nodes_.push_back(node);
      if (step.reads_variable) ++plan_->num_variable_reads_;
      // Every step's inputs in one array, in step order: a run walks it front to back.
      step.first_input = static_cast<int>(plan_->step_inputs_.size());
      step.num_inputs = static_cast<int>(inputs.size());
      plan_->step_inputs_.insert(plan_->step_inputs_.end(), inputs.begin(), inputs.end());
      plan_->steps_.push_back(std::move(step));
    }
    return Status::Ok();
  }

  StatusOr<Step> CreateStep(int node, std::vector<Input>* inputs) const {
    const GraphNode& n = graph_.node(node);
    const auto& def = *n.def;
    Step step;
    step.name = def.name();
    step.op = def.op();
    step.first_output = first_slot_[node];
    step.num_outputs = num_outputs_[node];
    const KernelRegistration* reg = FindKernel(def.op());
    std::vector<const Tensor*> constants;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      Input in;
      TERN_ASSIGN_OR_RETURN(in.slot, SlotOf(n.inputs[i], def.name()));
      in.deref = ReadsThroughRef(n.inputs[i], reg, static_cast<int>(i));
      inputs->push_back(in);
      constants.push_back(in.deref ? nullptr : constant_[in.slot]);
    }
    TERN_ASSIGN_OR_RETURN(step.kernel, CreateKernel(n, reg, std::move(constants)));
    step.reads_variable = reg != nullptr && def.op() == "ReadVariableOp" && n.inputs.size() == 1;
    if (step.reads_variable && constant_[(*inputs)[0].slot] != nullptr) {
      if (Variable* variable = VariableOf(*constant_[(*inputs)[0].slot])) {
        step.fixed_read = static_cast<int>(plan_->fixed_reads_.size());
        plan_->fixed_reads_.push_back({variable, CounterOf(*variable)});
      }
    }
    return step;
  }

  // Index in writes_counters_ of the variable's counter, added on first sight.
  int CounterOf(const Variable& variable) const {
    auto& counters = plan_->writes_counters_;
    auto it = std::find(counters.begin(), counters.end(), &variable.writes());
    if (it != counters.end()) return static_cast<int>(it - counters.begin());
    counters.push_back(&variable.writes());
    return static_cast<int>(counters.size()) - 1;
  }

  // A registered kernel, else a call of the function the node names (a call op's attr 'f', or
  // the op itself).
  StatusOr<std::unique_ptr<OpKernel>> CreateKernel(const GraphNode& n,
                                                   const KernelRegistration* reg,
                                                   std::vector<const Tensor*> constants) const {
    const auto& def = *n.def;
    KernelConstruction construction(def, static_cast<int>(n.inputs.size()), resources_, functions_);
    construction.set_constant_inputs(std::move(constants));
    if (reg != nullptr) return reg->create(construction);
    if (IsCallOp(def.op())) {
      auto it = def.attr().find("f");
      if (it == def.attr().end()) return construction.Error("call without attr 'f'");
      return CreateFunctionCallKernel(construction, it->second.func().name());
    }
    return CreateFunctionCallKernel(construction, def.op());
  }

  // Input `index` of a consumer with kernel `reg` reads the variable that a TF1 reference
  // points at, unless the consumer takes the reference itself (or the tensor is fed).
  bool ReadsThroughRef(TensorId input, const KernelRegistration* reg, int index) const {
    const auto& producer = *graph_.node(input.node).def;
    const KernelRegistration* producer_reg = FindKernel(producer.op());
    const bool takes_ref =
        reg != nullptr &&
        std::find(reg->ref_inputs.begin(), reg->ref_inputs.end(), index) != reg->ref_inputs.end();
    return !fed_.count(Key(input)) && producer_reg != nullptr && producer_reg->produces_ref &&
           input.output == 0 && !takes_ref;
  }

  Status PlaceFetches() {
    for (TensorId id : fetch_ids_) {
      int slot;
      auto f = fed_.find(Key(id));
      if (f != fed_.end()) {
        slot = f->second;
      } else {
        TERN_ASSIGN_OR_RETURN(slot, SlotOf(id, "<fetch>"));
      }
      plan_->fetch_slots_.push_back(slot);
      const KernelRegistration* producer = FindKernel(graph_.node(id.node).def->op());
      plan_->fetch_deref_.push_back(f == fed_.end() && producer != nullptr &&
                                    producer->produces_ref && id.output == 0);
      last_reader_[slot] = -1;  // fetched values live to the end
    }
    plan_->fetch_names_ = spec_.fetches;
    return Status::Ok();
  }

  // The runs of steps that split into independent branches (branch_sections.h), by the steps'
  // data and control edges.
  void FindSections() {
    const auto& steps = plan_->steps_;
    const int n = static_cast<int>(steps.size());
    producer_.assign(plan_->num_slots_, -1);
    std::vector<int> step_of_node(graph_.nodes().size(), -1);
    for (int i = 0; i < n; ++i) {
      for (int o = 0; o < steps[i].num_outputs; ++o) producer_[steps[i].first_output + o] = i;
      step_of_node[step_nodes_[i]] = i;
    }
    std::vector<std::vector<int>> dependencies(static_cast<size_t>(n));
    std::vector<bool> computes(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const Step& step = steps[i];
      computes[i] = !step.reads_variable && !IsBookkeeping(step.op);
      for (int k = step.first_input; k < step.first_input + step.num_inputs; ++k) {
        const Input& in = plan_->step_inputs_[k];
        if (producer_[in.slot] >= 0) dependencies[i].push_back(producer_[in.slot]);
      }
      for (int node : graph_.node(step_nodes_[i]).control_inputs) {
        if (step_of_node[node] >= 0) dependencies[i].push_back(step_of_node[node]);
      }
    }
    section_of_step_.assign(static_cast<size_t>(n), -1);
    plan_->section_starting_at_.assign(static_cast<size_t>(n), -1);
    for (BranchSection& branches : FindBranchSections(dependencies, computes, {})) {
      const int index = static_cast<int>(plan_->sections_.size());
      plan_->section_starting_at_[branches.first_step] = index;
      for (int s = branches.first_step; s < branches.end_step; ++s) section_of_step_[s] = index;
      const int batch_slot = BatchProbe(branches);
      plan_->sections_.push_back(
          {std::move(branches), batch_slot, {}, std::make_unique<BranchMode>()});
    }
  }

  // The first tensor the section reads that is set before it and differs between runs (the
  // block's input), whose first dimension is the batch a run's way is chosen by; -1 if none.
  int BatchProbe(const BranchSection& branches) const {
    for (int s = branches.first_step; s < branches.end_step; ++s) {
      const Step& step = plan_->steps_[s];
      for (int k = step.first_input; k < step.first_input + step.num_inputs; ++k) {
        const int slot = plan_->step_inputs_[k].slot;
        if (producer_[slot] < branches.first_step && constant_[slot] == nullptr) return slot;
      }
    }
    return -1;
  }

  // Every step's releases in one array, in step order, as the inputs. A slot set before a
  // section and last read inside it is emptied when the section ends.
  void ScheduleReleases() {
    std::vector<std::vector<int>> releases(plan_->steps_.size());
    for (int slot = 0; slot < plan_->num_slots_; ++slot) {
      const int reader = last_reader_[slot];
      const int section = reader >= 0 ? section_of_step_[reader] : -1;
      if (section >= 0 && producer_[slot] < plan_->sections_[section].branches.first_step) {
        plan_->sections_[section].deferred_releases.push_back(slot);
      } else if (reader >= 0) {
        releases[reader].push_back(slot);
      } else {
        plan_->unreleased_slots_.push_back(slot);
      }
    }
    for (size_t i = 0; i < releases.size(); ++i) {
      Step& step = plan_->steps_[i];
      step.first_release = static_cast<int>(plan_->step_releases_.size());
      step.num_releases = static_cast<int>(releases[i].size());
      plan_->step_releases_.insert(plan_->step_releases_.end(), releases[i].begin(),
                                   releases[i].end());
    }
  }

  const Graph& graph_;
  const PlanSpec& spec_;
  SessionResources* const resources_;
  FunctionLibrary* const functions_;
  std::unique_ptr<Plan> plan_;
  std::map<int64_t, int> fed_;  // tensor key -> feed slot
  std::vector<TensorId> fetch_ids_;
  std::vector<int> target_nodes_;
  std::vector<int> order_;               // nodes to run, dependencies first
  std::vector<int> first_slot_;          // by node
  std::vector<int> num_outputs_;         // by node
  std::vector<int> last_reader_;         // by slot: index of the last step reading it, or -1
  std::vector<int> step_nodes_;          // by step: its node
  std::vector<int> producer_;            // by slot: the step that sets it, or -1
  std::vector<int> section_of_step_;     // by step: the section holding it, or -1
  std::vector<const Tensor*> constant_;  // by slot: its value in every run, or null
};

StatusOr<std::unique_ptr<Plan>> Plan::Build(const Graph& graph, const PlanSpec& spec,
                                            SessionResources* resources,
                                            FunctionLibrary* functions) {
  // Each rewrite reads the graph the one before it wrote (which must outlive it).
  TERN_ASSIGN_OR_RETURN(std::optional<Graph> convolutions, FuseConvolutions(graph, spec));
  const Graph& g0 = convolutions ? *convolutions : graph;
  TERN_ASSIGN_OR_RETURN(std::optional<Graph> batch_norms, FuseBatchNormRelus(g0, spec));
  const Graph& g1 = batch_norms ? *batch_norms : g0;
  TERN_ASSIGN_OR_RETURN(std::optional<Graph> layer_norms, FuseLayerNorms(g1, spec));
  const Graph& g2 = layer_norms ? *layer_norms : g1;
  TERN_ASSIGN_OR_RETURN(std::optional<Graph> gelus, FuseGelus(g2, spec));
  const Graph& g3 = gelus ? *gelus : g2;
  TERN_ASSIGN_OR_RETURN(std::optional<Graph> softmaxes, FuseMaskedSoftmaxes(g3, spec));
  const Graph& g4 = softmaxes ? *softmaxes : g3;
  TERN_ASSIGN_OR_RETURN(std::optional<Graph> folded, FoldTransposesIntoBatchMatMuls(g4, spec));
  const Graph& g5 = folded ? *folded : g4;
  TERN_ASSIGN_OR_RETURN(std::optional<Graph> dense, FuseMatMuls(g5, spec));
  return Builder(dense ? *dense : g5, spec, resources, functions).Build();
}

namespace {

// A kernel's own allocations (vectors, strings) can still fail; that ends this run, not the
// process.
template <typename Step>
Status ComputeStep(const Step& step, KernelContext& ctx) {
  try {
    return step.kernel->Compute(ctx);
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("node '" + step.name + "' (op " + step.op + "): out of memory");
  } catch (const std::length_error& error) {
    return ResourceExhausted("node '" + step.name + "' (op " + step.op +
                             "): allocation too large (" + error.what() + ")");
  }
}

// A run's slots (and where each one's value is), taken from the calling thread's spares and
// given back with every tensor empty: making and destroying the vectors of empty tensors per run
// (DenseNet121's two function bodies: 609 and 1,832 slots) took 2-3% of the run at batch 1
// (DenseNet121, EfficientNetB0, MobileNetV2). A function call's run on the same thread takes
// another spare. A thread keeps a few, each of at most 4,096 slots (512 KiB).
class RunSlots {
 public:
  explicit RunSlots(int count) : count_(count) {
    std::vector<Spare>& spares = Spares();
    if (!spares.empty()) {
      spare_ = std::move(spares.back());
      spares.pop_back();
    }
    if (spare_.tensors.size() < static_cast<size_t>(count)) {
      spare_.tensors.resize(static_cast<size_t>(count));
      spare_.values.resize(static_cast<size_t>(count));
    }
    for (int i = 0; i < count; ++i) spare_.values[i] = &spare_.tensors[i];
  }
  // Empties the slots a finished run left set (`set`), or after an error every slot, and keeps
  // the vectors for the thread's next run.
  ~RunSlots() {
    if (set_ != nullptr) {
      for (int slot : *set_) spare_.tensors[slot] = Tensor();
    } else {
      for (int i = 0; i < count_; ++i) spare_.tensors[i] = Tensor();
    }
    std::vector<Spare>& spares = Spares();
    if (spares.size() < kMaxSpares && spare_.tensors.size() <= kMaxSpareSlots) {
      spares.push_back(std::move(spare_));
    }
  }
  RunSlots(const RunSlots&) = delete;
  RunSlots& operator=(const RunSlots&) = delete;

  Tensor* tensors() { return spare_.tensors.data(); }
  const Tensor** values() { return spare_.values.data(); }
  // The run finished: only `set` (which outlives this) may hold tensors.
  void Finished(const std::vector<int>* set) { set_ = set; }

 private:
  struct Spare {
    std::vector<Tensor> tensors;
    std::vector<const Tensor*> values;
  };
  static constexpr size_t kMaxSpares = 4;
  static constexpr size_t kMaxSpareSlots = 4096;
  static std::vector<Spare>& Spares() {
    thread_local std::vector<Spare> spares;
    return spares;
  }

  const int count_;
  Spare spare_;
  const std::vector<int>* set_ = nullptr;
};

}  // namespace

StatusOr<std::vector<Tensor>> Plan::Run(const std::vector<Tensor>& feeds,
                                        const RunOptions& options) const {
  std::shared_ptr<RunMemory> memory = options.memory;
  if (memory == nullptr && RunMemoryScope::Current() == nullptr) {
    memory = RunMemory::Create(TensorMemory::RunLimitBytes());
  }
  RunMemoryScope scope(std::move(memory));
  const IntraOpThreads::RunScope holds_a_core;
  const FlushDenormals as_tensorflow_computes;
  RunSlots run_slots(num_slots_);
  Tensor* const slots = run_slots.tensors();
  TERN_RETURN_IF_ERROR(BindFeeds(feeds, slots));
  // Where each slot's value is: in `slots`, or for a variable read the variable's own tensor,
  // which `held` keeps for the run (an assign meanwhile publishes a new one and leaves it be).
  const Tensor** const values = run_slots.values();
  for (const FixedValue& fixed : fixed_values_) values[fixed.slot] = fixed.value;
  for (const BoundFeed& bound : bound_feeds_) values[bound.slot] = &bound.value;
  // Held for the run, as `held` holds the others.
  const std::shared_ptr<const ReadValues> read_values =
      fixed_reads_.empty() ? nullptr : CurrentReadValues();
  std::vector<std::shared_ptr<const Tensor>> held;
  held.reserve(static_cast<size_t>(num_variable_reads_));
  std::mutex held_mu;
  const RunState run{
      .slots = slots,
      .values = values,
      .read_values = read_values.get(),
      .held = &held,
      .held_mu = &held_mu,
      .options = &options,
      .has_deadline = options.deadline != std::chrono::steady_clock::time_point::max(),
  };
  std::vector<const Tensor*> inputs;
  for (size_t i = 0; i < steps_.size();) {
    const int section = section_starting_at_[i];
    if (section >= 0) {
      TERN_RETURN_IF_ERROR(RunSection(sections_[section], run, &inputs));
      i = static_cast<size_t>(sections_[section].branches.end_step);
    } else {
      TERN_RETURN_IF_ERROR(RunStep(steps_[i], run, &inputs));
      ++i;
    }
  }
  StatusOr<std::vector<Tensor>> fetched = CollectFetches(values);
  if (fetched.ok()) run_slots.Finished(&unreleased_slots_);
  return fetched;
}

Status Plan::RunStep(const Step& step, const RunState& run,
                     std::vector<const Tensor*>* inputs) const {
  if (run.has_deadline && std::chrono::steady_clock::now() > run.options->deadline) {
    return DeadlineExceeded("deadline passed before node '" + step.name + "' ran");
  }
  inputs->clear();
  for (int i = step.first_input; i < step.first_input + step.num_inputs; ++i) {
    const Input& in = step_inputs_[i];
    const Tensor& value = *run.values[in.slot];
    if (in.deref) {
      Variable* variable = VariableOf(value);
      if (variable == nullptr) return Internal("node '" + step.name + "' expected a variable ref");
      std::shared_ptr<const Tensor> read = variable->Snapshot();
      if (read == nullptr) return variable->Read().status();
      inputs->push_back(read.get());
      run.Hold(std::move(read));
    } else {
      if (!value.initialized()) {
        return Internal("node '" + step.name + "' (op " + step.op +
                        ") reads a tensor that was never produced");
      }
      inputs->push_back(&value);
    }
  }
  // A variable read binds its readers to the variable's tensor; anything unusual (not a
  // variable, not yet assigned) runs the kernel, which says what is wrong.
  std::shared_ptr<const Tensor> read;
  const Tensor* fixed_read = nullptr;
  if (step.fixed_read >= 0 && run.read_values != nullptr) {
    // Unless a write (this run's own, or another's) has come since the values were taken.
    const FixedRead& f = fixed_reads_[step.fixed_read];
    if (writes_counters_[f.counter]->load(std::memory_order_acquire) ==
        run.read_values->writes[f.counter]) {
      fixed_read = run.read_values->values[step.fixed_read].get();
    }
  }
  if (step.reads_variable && fixed_read == nullptr) {
    if (Variable* variable = VariableOf(*(*inputs)[0])) read = variable->Snapshot();
  }
  const auto start = run.options->op_timings == nullptr ? std::chrono::steady_clock::time_point()
                                                        : std::chrono::steady_clock::now();
  Status status;
  if (fixed_read != nullptr) {
    run.values[step.first_output] = fixed_read;
  } else if (read != nullptr) {
    run.values[step.first_output] = read.get();
    run.Hold(std::move(read));
  } else {
    KernelContext ctx(step.name, step.op, inputs->data(), static_cast<int>(inputs->size()),
                      run.slots + step.first_output, step.num_outputs, *run.options, resources_);
    status = ComputeStep(step, ctx);
  }
  if (run.options->op_timings != nullptr) {
    OpTimings::Entry& entry =
        run.options->op_timings->by_op[run.options->op_timings->key == OpTimings::Key::kNode
                                           ? step.op + " " + step.name
                                           : step.op];
    entry.seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++entry.calls;
  }
  TERN_RETURN_IF_ERROR(status);
  for (int r = step.first_release; r < step.first_release + step.num_releases; ++r) {
    const int slot = step_releases_[r];
    run.slots[slot] = Tensor();
    run.values[slot] = &run.slots[slot];
  }
  return Status::Ok();
}

std::shared_ptr<const Plan::ReadValues> Plan::CurrentReadValues() const {
  {
    std::lock_guard<std::mutex> lock(read_values_mu_);
    if (read_values_ != nullptr && WritesSince(*read_values_) == 0) return read_values_;
  }
  // The counts first: a write that lands while the values are taken leaves them stale, not wrong.
  auto fresh = std::make_shared<ReadValues>();
  fresh->writes.reserve(writes_counters_.size());
  for (const auto* counter : writes_counters_) {
    fresh->writes.push_back(counter->load(std::memory_order_acquire));
  }
  fresh->values.reserve(fixed_reads_.size());
  for (const FixedRead& f : fixed_reads_) {
    std::shared_ptr<const Tensor> value = f.variable->Snapshot();
    if (value == nullptr) return nullptr;
    fresh->values.push_back(std::move(value));
  }
  std::lock_guard<std::mutex> lock(read_values_mu_);
  read_values_ = fresh;
  return fresh;
}

int Plan::WritesSince(const ReadValues& read_values) const {
  int counters_moved = 0;
  for (size_t i = 0; i < writes_counters_.size(); ++i) {
    if (writes_counters_[i]->load(std::memory_order_acquire) != read_values.writes[i]) {
      ++counters_moved;
    }
  }
  return counters_moved;
}

Status Plan::BindFeeds(const std::vector<Tensor>& feeds, Tensor* slots) const {
  if (feeds.size() != feed_slots_.size()) {
    return InvalidArgument("plan expects " + std::to_string(feed_slots_.size()) + " feeds, got " +
                           std::to_string(feeds.size()));
  }
  for (size_t i = 0; i < feeds.size(); ++i) {
    if (feed_dtypes_[i] != tensorflow::DT_INVALID && feeds[i].dtype() != feed_dtypes_[i]) {
      return InvalidArgument("tensor '" + feed_names_[i] + "' expects dtype " +
                             DataTypeName(feed_dtypes_[i]) + " but got " +
                             DataTypeName(feeds[i].dtype()));
    }
    slots[feed_slots_[i]] = feeds[i];
  }
  return Status::Ok();
}

StatusOr<std::vector<Tensor>> Plan::CollectFetches(const Tensor* const* values) const {
  std::vector<Tensor> out;
  out.reserve(fetch_slots_.size());
  for (size_t i = 0; i < fetch_slots_.size(); ++i) {
    const Tensor& value = *values[fetch_slots_[i]];
    if (!value.initialized()) {
      return Internal("fetched tensor '" + fetch_names_[i] + "' was not produced");
    }
    if (fetch_deref_[i]) {
      Variable* variable = VariableOf(value);
      if (variable == nullptr) {
        return Internal("fetched tensor '" + fetch_names_[i] + "' is not a variable reference");
      }
      TERN_ASSIGN_OR_RETURN(Tensor read, variable->Read());
      out.push_back(std::move(read));
      continue;
    }
    out.push_back(value);
  }
  return out;
}

std::vector<std::string> Plan::StepOps() const {
  std::vector<std::string> ops;
  for (const Step& s : steps_) ops.push_back(s.op);
  return ops;
}

}  // namespace tern
