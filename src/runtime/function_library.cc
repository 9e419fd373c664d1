#include "runtime/function_library.h"

#include <algorithm>
#include <cstdint>

#include "runtime/graph.h"
#include "runtime/kernel_registry.h"
#include "runtime/plan.h"

namespace tern {

FunctionLibrary::FunctionLibrary(const tensorflow::FunctionDefLibrary& library,
                                 SessionResources* resources)
    : resources_(resources) {
  for (const auto& f : library.function()) functions_[f.signature().name()] = &f;
}

FunctionLibrary::~FunctionLibrary() = default;

const tensorflow::FunctionDef* FunctionLibrary::Find(const std::string& name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second;
}

StatusOr<std::vector<std::pair<std::string, int>>> FunctionLibrary::OutputLayout(
    const tensorflow::NodeDef& node) const {
  if (const KernelRegistration* reg = FindKernel(node.op())) return ExpandOutputArgs(*reg, node);
  if (node.op() == "StatefulPartitionedCall" || node.op() == "PartitionedCall") {
    auto it = node.attr().find("Tout");
    int count = it == node.attr().end() ? 0 : it->second.list().type_size();
    return std::vector<std::pair<std::string, int>>{{"output", count}};
  }
  if (node.op() == "_Arg") return std::vector<std::pair<std::string, int>>{{"output", 1}};
  if (const tensorflow::FunctionDef* f = Find(node.op())) {
    std::vector<std::pair<std::string, int>> layout;
    for (const auto& arg : f->signature().output_arg()) layout.emplace_back(arg.name(), 1);
    return layout;
  }
  return Unimplemented("unsupported op " + node.op() + " (node '" + node.name() + "')");
}

StatusOr<std::shared_ptr<const Plan>> FunctionLibrary::Instantiate(const std::string& name) {
  return Instantiate(name, {});
}

StatusOr<std::shared_ptr<const Plan>> FunctionLibrary::Instantiate(
    const std::string& name, const std::vector<BoundArgument>& bound) {
  // The handles' resources are the identity of a bound plan: the same variables, the same plan.
  std::string key = name;
  for (const BoundArgument& arg : bound) {
    key += "|" + std::to_string(arg.index) + "=" +
           std::to_string(reinterpret_cast<uintptr_t>(arg.handle->resource().get()));
  }
  std::lock_guard<std::recursive_mutex> lock(mu_);
  auto cached = plans_.find(key);
  if (cached != plans_.end()) return cached->second;
  const tensorflow::FunctionDef* function = Find(name);
  if (function == nullptr) return NotFound("function '" + name + "' is not in the graph's library");
  if (std::find(in_progress_.begin(), in_progress_.end(), name) != in_progress_.end()) {
    return Unimplemented("function '" + name + "' calls itself recursively");
  }
  in_progress_.push_back(name);
  auto build = [&]() -> StatusOr<std::shared_ptr<const Plan>> {
    TERN_ASSIGN_OR_RETURN(Graph graph, Graph::FromFunction(*function, *this));
    PlanSpec spec;
    const std::vector<std::string>& args = graph.arg_names();
    std::vector<const Tensor*> bound_value(args.size(), nullptr);
    for (const BoundArgument& arg : bound) {
      if (arg.index >= 0 && arg.index < static_cast<int>(args.size())) {
        bound_value[arg.index] = arg.handle;
      }
    }
    for (size_t i = 0; i < args.size(); ++i) {
      if (bound_value[i] == nullptr) {
        spec.feeds.push_back(args[i] + ":0");
      } else {
        spec.bound_feeds.emplace_back(args[i] + ":0", *bound_value[i]);
      }
    }
    spec.fetches = graph.ret_tensors();
    spec.targets = graph.control_rets();
    TERN_ASSIGN_OR_RETURN(auto plan, Plan::Build(graph, spec, resources_, this));
    return std::shared_ptr<const Plan>(std::move(plan));
  };
  auto result = build();
  in_progress_.pop_back();
  if (!result.ok()) return result.status().WithContext("in function '" + name + "'");
  plans_[key] = *result;
  return result;
}

}  // namespace tern
