#include "runtime/plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "runtime/function_library.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/kernels.h"
#include "runtime/state/resources.h"

namespace tern {
namespace {

bool IsCallOp(const std::string& op) {
  return op == "StatefulPartitionedCall" || op == "PartitionedCall";
}

// Feeding (node, output) replaces that tensor; the key packs both.
int64_t Key(TensorId id) { return (static_cast<int64_t>(id.node) << 20) | id.output; }

}  // namespace

StatusOr<std::unique_ptr<Plan>> Plan::Build(const Graph& graph, const PlanSpec& spec,
                                            SessionResources* resources,
                                            FunctionLibrary* functions) {
  auto plan = std::unique_ptr<Plan>(new Plan());
  plan->resources_ = resources;
  const int num_nodes = static_cast<int>(graph.nodes().size());

  std::map<int64_t, int> fed;  // tensor key -> feed slot
  for (size_t i = 0; i < spec.feeds.size(); ++i) {
    TERN_ASSIGN_OR_RETURN(TensorId id, graph.ResolveTensor(spec.feeds[i]));
    fed[Key(id)] = static_cast<int>(i);
    plan->feed_slots_.push_back(static_cast<int>(i));
    plan->feed_names_.push_back(spec.feeds[i]);
    const auto& def = *graph.node(id.node).def;
    DataType expected = tensorflow::DT_INVALID;
    if (def.op() == "Placeholder" || def.op() == "PlaceholderWithDefault") {
      auto it = def.attr().find("dtype");
      if (it != def.attr().end()) expected = it->second.type();
    }
    plan->feed_dtypes_.push_back(expected);
  }
  std::vector<TensorId> fetch_ids;
  for (const auto& name : spec.fetches) {
    TERN_ASSIGN_OR_RETURN(TensorId id, graph.ResolveTensor(name));
    fetch_ids.push_back(id);
  }
  std::vector<int> target_nodes;
  for (const auto& name : spec.targets) {
    std::string node;
    int output = 0;
    ParseTensorName(name, &node, &output);
    int index = graph.FindNode(node);
    if (index < 0) return NotFound("no node named '" + node + "' to run");
    target_nodes.push_back(index);
  }

  // Post-order DFS from fetches and targets, skipping fed tensors; state 1 = on stack.
  std::vector<int> state(num_nodes, 0);
  std::vector<int> order;
  std::vector<std::pair<int, size_t>> stack;
  auto visit = [&](int root) -> Status {
    if (state[root] != 0) return Status::Ok();
    stack.emplace_back(root, 0);
    state[root] = 1;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      const GraphNode& n = graph.node(node);
      const size_t total = n.inputs.size() + n.control_inputs.size();
      if (next < total) {
        size_t k = next++;
        int child;
        if (k < n.inputs.size()) {
          if (fed.count(Key(n.inputs[k]))) continue;
          child = n.inputs[k].node;
        } else {
          child = n.control_inputs[k - n.inputs.size()];
        }
        if (state[child] == 1) {
          return Unimplemented("the graph has a cycle through node '" + graph.node(child).def->name() +
                               "' (op " + graph.node(child).def->op() +
                               "); TF1 loops (Enter/Exit/NextIteration) are not supported yet");
        }
        if (state[child] == 0) {
          state[child] = 1;
          stack.emplace_back(child, 0);
        }
        continue;
      }
      state[node] = 2;
      order.push_back(node);
      stack.pop_back();
    }
    return Status::Ok();
  };
  for (TensorId id : fetch_ids) {
    if (!fed.count(Key(id))) TERN_RETURN_IF_ERROR(visit(id.node));
  }
  for (int t : target_nodes) TERN_RETURN_IF_ERROR(visit(t));

  // Every op must have a kernel; report all missing ones at once.
  // op -> (number of nodes, first node), in first-seen order.
  std::vector<std::pair<std::string, std::pair<int, std::string>>> missing;
  for (int node : order) {
    const auto& def = *graph.node(node).def;
    if (def.op() == "_Arg") {
      return InvalidArgument("function argument '" + def.name() + "' is needed but not fed");
    }
    if (!FindKernel(def.op()) && !IsCallOp(def.op()) && !functions->Find(def.op())) {
      auto it = std::find_if(missing.begin(), missing.end(),
                             [&](const auto& m) { return m.first == def.op(); });
      if (it == missing.end()) {
        missing.push_back({def.op(), {1, def.name()}});
      } else {
        ++it->second.first;
      }
    }
  }
  if (!missing.empty()) {
    std::string message = "unsupported ops: ";
    for (size_t i = 0; i < missing.size(); ++i) {
      const auto& [op, where] = missing[i];
      message += (i ? ", " : "") + op + " (node '" + where.second + "'";
      if (where.first > 1) message += " and " + std::to_string(where.first - 1) + " more";
      message += ")";
    }
    return Unimplemented(message);
  }

  // Slots: feeds first, then every output of every planned node.
  std::vector<int> first_slot(num_nodes, -1), num_outputs(num_nodes, 0);
  int next_slot = static_cast<int>(spec.feeds.size());
  for (int node : order) {
    TERN_ASSIGN_OR_RETURN(auto layout, functions->OutputLayout(*graph.node(node).def));
    int count = 0;
    for (const auto& arg : layout) count += arg.second;
    first_slot[node] = next_slot;
    num_outputs[node] = count;
    next_slot += count;
  }
  plan->num_slots_ = next_slot;

  auto slot_of = [&](TensorId id, const std::string& consumer) -> StatusOr<int> {
    auto f = fed.find(Key(id));
    if (f != fed.end()) return f->second;
    if (id.output >= num_outputs[id.node]) {
      return InvalidArgument("node '" + consumer + "' reads output " + std::to_string(id.output) +
                             " of node '" + graph.node(id.node).def->name() + "', which has " +
                             std::to_string(num_outputs[id.node]) + " outputs");
    }
    return first_slot[id.node] + id.output;
  };

  std::vector<int> last_reader(plan->num_slots_, -1);
  for (int node : order) {
    const GraphNode& n = graph.node(node);
    const auto& def = *n.def;
    Step step;
    step.name = def.name();
    step.op = def.op();
    step.first_output = first_slot[node];
    step.num_outputs = num_outputs[node];
    const KernelRegistration* reg = FindKernel(def.op());
    KernelConstruction construction(def, static_cast<int>(n.inputs.size()), resources, functions);
    if (reg != nullptr) {
      TERN_ASSIGN_OR_RETURN(step.kernel, reg->create(construction));
    } else if (IsCallOp(def.op())) {
      auto it = def.attr().find("f");
      if (it == def.attr().end()) return construction.Error("call without attr 'f'");
      TERN_ASSIGN_OR_RETURN(step.kernel, CreateFunctionCallKernel(construction, it->second.func().name()));
    } else {
      TERN_ASSIGN_OR_RETURN(step.kernel, CreateFunctionCallKernel(construction, def.op()));
    }
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      Input in;
      TERN_ASSIGN_OR_RETURN(in.slot, slot_of(n.inputs[i], def.name()));
      const auto& producer = *graph.node(n.inputs[i].node).def;
      const KernelRegistration* producer_reg = FindKernel(producer.op());
      const bool takes_ref = reg != nullptr && std::find(reg->ref_inputs.begin(), reg->ref_inputs.end(),
                                                         static_cast<int>(i)) != reg->ref_inputs.end();
      in.deref = !fed.count(Key(n.inputs[i])) && producer_reg != nullptr &&
                 producer_reg->produces_ref && n.inputs[i].output == 0 && !takes_ref;
      step.inputs.push_back(in);
      last_reader[in.slot] = static_cast<int>(plan->steps_.size());
    }
    plan->steps_.push_back(std::move(step));
  }

  for (TensorId id : fetch_ids) {
    int slot;
    auto f = fed.find(Key(id));
    if (f != fed.end()) {
      slot = f->second;
    } else {
      TERN_ASSIGN_OR_RETURN(slot, slot_of(id, "<fetch>"));
    }
    plan->fetch_slots_.push_back(slot);
    const KernelRegistration* producer = FindKernel(graph.node(id.node).def->op());
    plan->fetch_deref_.push_back(f == fed.end() && producer != nullptr && producer->produces_ref &&
                                 id.output == 0);
    last_reader[slot] = -1;  // fetched values live to the end
  }
  plan->fetch_names_ = spec.fetches;
  for (int slot = 0; slot < plan->num_slots_; ++slot) {
    if (last_reader[slot] >= 0) plan->steps_[last_reader[slot]].release_after.push_back(slot);
  }
  return plan;
}

StatusOr<std::vector<Tensor>> Plan::Run(const std::vector<Tensor>& feeds,
                                        const RunOptions& options) const {
  if (feeds.size() != feed_slots_.size()) {
    return InvalidArgument("plan expects " + std::to_string(feed_slots_.size()) + " feeds, got " +
                           std::to_string(feeds.size()));
  }
  std::vector<Tensor> slots(num_slots_);
  for (size_t i = 0; i < feeds.size(); ++i) {
    if (feed_dtypes_[i] != tensorflow::DT_INVALID && feeds[i].dtype() != feed_dtypes_[i]) {
      return InvalidArgument("tensor '" + feed_names_[i] + "' expects dtype " +
                             DataTypeName(feed_dtypes_[i]) + " but got " +
                             DataTypeName(feeds[i].dtype()));
    }
    slots[feed_slots_[i]] = feeds[i];
  }
  const bool has_deadline = options.deadline != std::chrono::steady_clock::time_point::max();
  std::vector<const Tensor*> inputs;
  std::vector<Tensor> dereferenced;
  for (const Step& step : steps_) {
    if (has_deadline && std::chrono::steady_clock::now() > options.deadline) {
      return DeadlineExceeded("deadline passed before node '" + step.name + "' ran");
    }
    inputs.clear();
    dereferenced.clear();
    dereferenced.reserve(step.inputs.size());
    for (const Input& in : step.inputs) {
      const Tensor& value = slots[in.slot];
      if (in.deref) {
        auto* variable = dynamic_cast<Variable*>(value.resource().get());
        if (variable == nullptr) return Internal("node '" + step.name + "' expected a variable ref");
        TERN_ASSIGN_OR_RETURN(Tensor read, variable->Read());
        dereferenced.push_back(std::move(read));
        inputs.push_back(&dereferenced.back());
      } else {
        if (!value.initialized()) {
          return Internal("node '" + step.name + "' (op " + step.op +
                          ") reads a tensor that was never produced");
        }
        inputs.push_back(&value);
      }
    }
    KernelContext ctx(step.name, step.op, inputs.data(), static_cast<int>(inputs.size()),
                      slots.data() + step.first_output, step.num_outputs, options, resources_);
    if (options.op_timings == nullptr) {
      TERN_RETURN_IF_ERROR(step.kernel->Compute(ctx));
    } else {
      const auto start = std::chrono::steady_clock::now();
      const Status status = step.kernel->Compute(ctx);
      OpTimings::Entry& entry = options.op_timings->by_op[step.op];
      entry.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      ++entry.calls;
      TERN_RETURN_IF_ERROR(status);
    }
    for (int slot : step.release_after) slots[slot] = Tensor();
  }
  std::vector<Tensor> out;
  out.reserve(fetch_slots_.size());
  for (size_t i = 0; i < fetch_slots_.size(); ++i) {
    if (!slots[fetch_slots_[i]].initialized()) {
      return Internal("fetched tensor '" + fetch_names_[i] + "' was not produced");
    }
    if (fetch_deref_[i]) {
      auto* variable = dynamic_cast<Variable*>(slots[fetch_slots_[i]].resource().get());
      if (variable == nullptr) {
        return Internal("fetched tensor '" + fetch_names_[i] + "' is not a variable reference");
      }
      TERN_ASSIGN_OR_RETURN(Tensor value, variable->Read());
      out.push_back(std::move(value));
      continue;
    }
    out.push_back(slots[fetch_slots_[i]]);
  }
  return out;
}

std::vector<std::string> Plan::StepOps() const {
  std::vector<std::string> ops;
  for (const Step& s : steps_) ops.push_back(s.op);
  return ops;
}

}  // namespace tern
