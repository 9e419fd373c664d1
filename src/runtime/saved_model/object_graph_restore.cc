#include "runtime/saved_model/object_graph_restore.h"

#include <set>
#include <unordered_map>

#include "runtime/format/tensor_bundle.h"
#include "runtime/graph.h"
#include "tf/trackable_object_graph.pb.h"

namespace tern {
namespace {

constexpr char kObjectGraphKey[] = "_CHECKPOINTABLE_OBJECT_GRAPH";
constexpr char kVariableValue[] = "VARIABLE_VALUE";

bool IsFunctionCall(const std::string& op) {
  return op == "StatefulPartitionedCall" || op == "PartitionedCall";
}

std::string AttrString(const tensorflow::NodeDef& node, const std::string& name) {
  auto it = node.attr().find(name);
  return it == node.attr().end() ? "" : it->second.s();
}

}  // namespace

std::vector<BoundVariable> BoundVariablesOf(const tensorflow::MetaGraphDef& meta_graph) {
  std::vector<BoundVariable> out;
  const auto& functions = meta_graph.object_graph_def().concrete_functions();
  if (functions.empty()) return out;
  const auto& graph = meta_graph.graph_def();
  std::unordered_map<std::string, const tensorflow::NodeDef*> nodes;
  for (const auto& node : graph.node()) nodes[node.name()] = &node;
  std::set<std::string> seen;
  for (const auto& call : graph.node()) {
    if (!IsFunctionCall(call.op())) continue;
    auto f = call.attr().find("f");
    if (f == call.attr().end()) continue;
    auto function = functions.find(f->second.func().name());
    if (function == functions.end()) continue;
    std::vector<std::string> data_inputs;
    for (const auto& input : call.input()) {
      if (!input.empty() && input[0] != '^') data_inputs.push_back(input);
    }
    const auto& bound = function->second.bound_inputs();
    if (bound.size() > static_cast<int>(data_inputs.size())) continue;  // not this call's shape
    const size_t first_captured = data_inputs.size() - bound.size();
    for (int i = 0; i < bound.size(); ++i) {
      std::string node_name;
      int output = 0;
      ParseTensorName(data_inputs[first_captured + i], &node_name, &output);
      auto it = nodes.find(node_name);
      if (it == nodes.end() || it->second->op() != "VarHandleOp") continue;
      if (!seen.insert(node_name).second) continue;
      const auto& handle = *it->second;
      out.push_back({node_name,
                     VariableResourceKey(AttrString(handle, "container"),
                                         AttrString(handle, "shared_name"), node_name),
                     bound[i]});
    }
  }
  return out;
}

StatusOr<int> RestoreBoundVariables(const std::vector<BoundVariable>& variables,
                                    const tensorflow::MetaGraphDef& meta_graph,
                                    const std::string& prefix, SessionResources& resources) {
  std::vector<std::pair<const BoundVariable*, std::shared_ptr<Variable>>> missing;
  for (const auto& v : variables) {
    auto variable = resources.GetOrCreateVariable(v.resource_key);
    if (!variable->initialized()) missing.emplace_back(&v, std::move(variable));
  }
  if (missing.empty()) return 0;
  TERN_ASSIGN_OR_RETURN(auto bundle, TensorBundleReader::Open(prefix));
  if (!bundle->Entry(kObjectGraphKey).ok()) return 0;  // a TF1 checkpoint: nothing to go by
  TERN_ASSIGN_OR_RETURN(Tensor serialized, bundle->Read(kObjectGraphKey));
  tensorflow::TrackableObjectGraph checkpoint_graph;
  if (serialized.dtype() != tensorflow::DT_STRING || serialized.num_elements() != 1 ||
      !checkpoint_graph.ParseFromString(serialized.flat<std::string>()[0])) {
    return DataLoss("checkpoint '" + prefix + "': entry " + kObjectGraphKey +
                    " is not a serialized TrackableObjectGraph");
  }
  const auto& saved_objects = meta_graph.object_graph_def().nodes();
  int restored = 0;
  for (const auto& [bound, variable] : missing) {
    if (bound->object_id < 0 || bound->object_id >= checkpoint_graph.nodes_size()) continue;
    std::string key;
    for (const auto& attribute : checkpoint_graph.nodes(bound->object_id).attributes()) {
      if (attribute.name() == kVariableValue) key = attribute.checkpoint_key();
    }
    if (key.empty()) continue;
    TERN_ASSIGN_OR_RETURN(Tensor value, bundle->Read(key));
    if (bound->object_id < saved_objects.size()) {
      const auto& object = saved_objects.Get(bound->object_id);
      if (object.has_variable() && object.variable().dtype() != value.dtype()) {
        return InvalidArgument("checkpoint '" + prefix + "': '" + key + "' holds " +
                               DataTypeName(value.dtype()) + " but variable '" + bound->node_name +
                               "' is " + DataTypeName(object.variable().dtype()));
      }
    }
    variable->Assign(std::move(value));
    ++restored;
  }
  return restored;
}

}  // namespace tern
