#include "runtime/optimize/graph_rewrite.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "runtime/format/tensor_proto.h"
#include "runtime/kernel_registry.h"

namespace tern {
namespace {

int64_t Key(TensorId id) { return (static_cast<int64_t>(id.node) << 20) | id.output; }

// The nodes the plan will run: everything the fetches and targets depend on, not looking past
// fed tensors (the plan builder's pruning).
std::vector<bool> Needed(const Graph& graph, const std::vector<GraphNode>& nodes,
                         const PlanSpec& spec, const std::set<int64_t>& fed) {
  std::vector<bool> needed(nodes.size(), false);
  std::vector<int> stack;
  auto visit = [&](int node) {
    if (!needed[node]) {
      needed[node] = true;
      stack.push_back(node);
    }
  };
  for (const std::string& name : spec.fetches) {
    auto id = graph.ResolveTensor(name);
    if (id.ok() && !fed.count(Key(*id))) visit(id->node);
  }
  for (const std::string& name : spec.targets) {
    std::string node_name;
    int output = 0;
    if (!ParseTensorName(name, &node_name, &output)) continue;
    const int node = graph.FindNode(node_name);
    if (node >= 0) visit(node);
  }
  while (!stack.empty()) {
    const GraphNode& node = nodes[stack.back()];
    stack.pop_back();
    for (TensorId in : node.inputs) {
      if (!fed.count(Key(in))) visit(in.node);
    }
    for (int c : node.control_inputs) visit(c);
  }
  return needed;
}

}  // namespace

Uses FindUses(const Graph& graph, const std::vector<GraphNode>& nodes, const PlanSpec& spec) {
  const size_t n = nodes.size();
  Uses uses{{},
            std::vector<std::vector<TensorId>>(n),
            std::vector<int>(n, 0),
            std::vector<bool>(n, false)};
  std::set<int64_t> fed;
  for (const auto* names : {&spec.feeds, &spec.fetches, &spec.targets}) {
    for (const std::string& name : *names) {
      std::string node_name;
      int output = 0;
      if (!ParseTensorName(name, &node_name, &output)) continue;
      const int node = graph.FindNode(node_name);
      if (node < 0) continue;
      uses.pinned[node] = true;
      if (names == &spec.feeds) fed.insert(Key({node, output}));
    }
  }
  uses.needed = Needed(graph, nodes, spec, fed);
  for (size_t i = 0; i < n; ++i) {
    if (!uses.needed[i]) continue;
    const GraphNode& node = nodes[i];
    for (TensorId in : node.inputs) uses.data[in.node].push_back({static_cast<int>(i), in.output});
    for (int c : node.control_inputs) ++uses.control[c];
  }
  return uses;
}

std::vector<GraphNode> BypassIdentities(const Graph& graph, const PlanSpec& spec) {
  std::vector<GraphNode> nodes(graph.nodes().begin(), graph.nodes().end());
  std::vector<bool> fed(nodes.size(), false);
  for (const std::string& name : spec.feeds) {
    std::string node_name;
    int output = 0;
    if (!ParseTensorName(name, &node_name, &output)) continue;
    const int node = graph.FindNode(node_name);
    if (node >= 0) fed[node] = true;
  }
  auto forwards = [&](TensorId id) {
    const GraphNode& n = graph.node(id.node);
    const std::string& op = n.def->op();
    if ((op != "Identity" && op != "IdentityN") || fed[id.node] || !n.control_inputs.empty() ||
        id.output >= static_cast<int>(n.inputs.size())) {
      return false;
    }
    const KernelRegistration* producer = FindKernel(graph.node(n.inputs[id.output].node).def->op());
    return producer == nullptr || !producer->produces_ref;
  };
  for (GraphNode& node : nodes) {
    for (TensorId& in : node.inputs) {
      for (int hops = 0; hops < 64 && forwards(in); ++hops)
        in = graph.node(in.node).inputs[in.output];
    }
  }
  return nodes;
}

bool HasTypeAttr(const tensorflow::NodeDef& def, const char* attr, tensorflow::DataType type) {
  auto it = def.attr().find(attr);
  return it != def.attr().end() && it->second.type() == type;
}

bool IsFloat(const tensorflow::NodeDef& def) { return HasTypeAttr(def, "T", tensorflow::DT_FLOAT); }

std::optional<float> ScalarConst(const std::vector<GraphNode>& nodes, TensorId id,
                                 bool scalar_only) {
  const tensorflow::NodeDef& def = *nodes[id.node].def;
  auto it = def.attr().find("value");
  if (def.op() != "Const" || id.output != 0 || it == def.attr().end()) return std::nullopt;
  const tensorflow::TensorProto& t = it->second.tensor();
  if (t.dtype() != tensorflow::DT_FLOAT) return std::nullopt;
  if (scalar_only && (t.tensor_shape().dim_size() != 0 || t.tensor_shape().unknown_rank())) {
    return std::nullopt;
  }
  for (const auto& dim : t.tensor_shape().dim()) {
    if (dim.size() != 1) return std::nullopt;
  }
  if (t.float_val_size() == 1) return t.float_val(0);
  if (t.tensor_content().size() == sizeof(float)) {
    float v;
    std::memcpy(&v, t.tensor_content().data(), sizeof(float));
    return v;
  }
  return std::nullopt;
}

std::optional<std::vector<int64_t>> IntConst(const std::vector<GraphNode>& nodes, TensorId id) {
  const tensorflow::NodeDef& def = *nodes[id.node].def;
  auto it = def.attr().find("value");
  if (def.op() != "Const" || id.output != 0 || it == def.attr().end()) return std::nullopt;
  auto tensor = TensorFromProto(it->second.tensor());
  if (!tensor.ok()) return std::nullopt;
  std::vector<int64_t> values(tensor->num_elements());
  for (size_t i = 0; i < values.size(); ++i) {
    if (tensor->dtype() == tensorflow::DT_INT32) {
      values[i] = tensor->flat<int32_t>()[i];
    } else if (tensor->dtype() == tensorflow::DT_INT64) {
      values[i] = tensor->flat<int64_t>()[i];
    } else {
      return std::nullopt;
    }
  }
  return values;
}

int PatternView::Is(int node, std::string_view op, size_t inputs) const {
  if (node < 0 || claimed_[node] || !uses_.needed[node]) return -1;
  const GraphNode& n = nodes_[node];
  return n.def->op() == op && IsFloat(*n.def) && n.inputs.size() == inputs ? node : -1;
}

int PatternView::Producer(TensorId id, std::string_view op, size_t inputs) const {
  return id.output == 0 ? Is(id.node, op, inputs) : -1;
}

std::optional<TensorId> PatternView::OperandBeside(int node, float value) const {
  const GraphNode& n = nodes_[node];
  if (n.inputs.size() != 2) return std::nullopt;
  for (int k = 0; k < 2; ++k) {
    const std::optional<float> v = ScalarConst(nodes_, n.inputs[k], /*scalar_only=*/true);
    if (v && *v == value) return n.inputs[1 - k];
  }
  return std::nullopt;
}

int SoleConsumer(const Uses& uses, int node) {
  if (uses.pinned[node] || uses.control[node] > 0) return -1;
  const std::vector<TensorId>& data = uses.data[node];
  if (data.size() != 1 || data[0].output != 0) return -1;
  return data[0].node;
}

bool SameTensor(TensorId a, TensorId b) { return a.node == b.node && a.output == b.output; }

bool ReadOnlyWithin(const Uses& uses, const std::vector<int>& matched) {
  std::vector<int> sorted = matched;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return false;
  for (size_t k = 0; k + 1 < matched.size(); ++k) {
    const int node = matched[k];
    if (uses.pinned[node] || uses.control[node] > 0) return false;
    for (TensorId use : uses.data[node]) {
      if (use.output != 0 || std::find(matched.begin(), matched.end(), use.node) == matched.end()) {
        return false;
      }
    }
  }
  return true;
}

std::string TensorName(const std::vector<GraphNode>& nodes, TensorId id) {
  const std::string& name = nodes[id.node].def->name();
  return id.output == 0 ? name : name + ":" + std::to_string(id.output);
}

StatusOr<Graph> ApplyRewrites(const Graph& graph, std::vector<GraphNode> nodes, const Uses& uses,
                              std::vector<Rewrite> rewrites) {
  const int n = static_cast<int>(nodes.size());
  std::vector<bool> removed(n, false);
  std::deque<tensorflow::NodeDef> added;
  std::vector<GraphNode> new_nodes;
  for (Rewrite& rewrite : rewrites) {
    added.push_back(std::move(rewrite.def));
    GraphNode node;
    node.def = &added.back();
    node.inputs = std::move(rewrite.inputs);
    for (int replaced : rewrite.replaced) {
      for (int c : nodes[replaced].control_inputs) {
        if (std::find(node.control_inputs.begin(), node.control_inputs.end(), c) ==
            node.control_inputs.end()) {
          node.control_inputs.push_back(c);
        }
      }
    }
    for (size_t k = 0; k + 1 < rewrite.replaced.size(); ++k) removed[rewrite.replaced[k]] = true;
    new_nodes.push_back(std::move(node));
  }
  for (size_t r = 0; r < rewrites.size(); ++r) {
    nodes[rewrites[r].replaced.back()] = std::move(new_nodes[r]);
  }
  // Nodes the plan does not run go too (their inputs may be nodes removed here), except fed
  // ones, which the plan looks up by name: they stay without inputs, which a fed node never
  // reads.
  std::vector<int> new_index(n, -1);
  std::vector<GraphNode> kept;
  for (int i = 0; i < n; ++i) {
    if (removed[i] || !(uses.needed[i] || uses.pinned[i])) continue;
    if (!uses.needed[i]) {
      nodes[i].inputs.clear();
      nodes[i].control_inputs.clear();
    }
    new_index[i] = static_cast<int>(kept.size());
    kept.push_back(std::move(nodes[i]));
  }
  for (GraphNode& node : kept) {
    for (TensorId& in : node.inputs) in.node = new_index[in.node];
    for (int& c : node.control_inputs) c = new_index[c];
  }
  return graph.WithNodes(std::move(kept), std::move(added));
}

StatusOr<std::optional<Graph>> RewriteMatches(const Graph& graph, const PlanSpec& spec,
                                              const MakeFinder& make_finder) {
  std::vector<GraphNode> nodes = BypassIdentities(graph, spec);
  const Uses uses = FindUses(graph, nodes, spec);
  std::vector<bool> claimed(nodes.size(), false);
  const RewriteFinder find = make_finder(nodes, uses, claimed);
  std::vector<Rewrite> rewrites;
  for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
    std::optional<Rewrite> rewrite = find(i);
    if (!rewrite) continue;
    for (int node : rewrite->replaced) claimed[node] = true;
    rewrites.push_back(std::move(*rewrite));
  }
  if (rewrites.empty()) return std::optional<Graph>();
  TERN_ASSIGN_OR_RETURN(Graph fused,
                        ApplyRewrites(graph, std::move(nodes), uses, std::move(rewrites)));
  return std::optional<Graph>(std::move(fused));
}

}  // namespace tern
