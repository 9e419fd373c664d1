#include "runtime/optimize/fuse_convolutions.h"

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

namespace tern {
namespace {

bool IsBatchNorm(const std::string& op) {
  return op == "FusedBatchNorm" || op == "FusedBatchNormV2" || op == "FusedBatchNormV3";
}

bool IsActivation(const std::string& op) {
  return op == "Relu" || op == "Relu6" || op == "Elu" || op == "LeakyRelu";
}

bool HasType(const tensorflow::NodeDef& def, const char* attr, tensorflow::DataType type) {
  auto it = def.attr().find(attr);
  return it != def.attr().end() && it->second.type() == type;
}

bool IsFloat(const tensorflow::NodeDef& def) { return HasType(def, "T", tensorflow::DT_FLOAT); }

bool IsNhwc(const tensorflow::NodeDef& def) {
  auto it = def.attr().find("data_format");
  return it == def.attr().end() || it->second.s() == "NHWC";
}

bool BoolAttr(const tensorflow::NodeDef& def, const char* name, bool fallback) {
  auto it = def.attr().find(name);
  return it == def.attr().end() ? fallback : it->second.b();
}

float FloatAttr(const tensorflow::NodeDef& def, const char* name, float fallback) {
  auto it = def.attr().find(name);
  return it == def.attr().end() ? fallback : it->second.f();
}

// How each node's outputs are used, and which nodes a rewrite must keep.
struct Uses {
  std::vector<std::vector<TensorId>> data;  // by producer: (consumer, output read)
  std::vector<int> control;                 // by node: how many control uses
  std::vector<bool> pinned;                 // fed, fetched or a target
};

Uses FindUses(const Graph& graph, const PlanSpec& spec) {
  const size_t n = graph.nodes().size();
  Uses uses{std::vector<std::vector<TensorId>>(n), std::vector<int>(n, 0),
            std::vector<bool>(n, false)};
  for (size_t i = 0; i < n; ++i) {
    const GraphNode& node = graph.node(static_cast<int>(i));
    for (TensorId in : node.inputs) uses.data[in.node].push_back({static_cast<int>(i), in.output});
    for (int c : node.control_inputs) ++uses.control[c];
  }
  for (const auto* names : {&spec.feeds, &spec.fetches, &spec.targets}) {
    for (const std::string& name : *names) {
      std::string node_name;
      int output = 0;
      if (!ParseTensorName(name, &node_name, &output)) continue;
      const int node = graph.FindNode(node_name);
      if (node >= 0) uses.pinned[node] = true;
    }
  }
  return uses;
}

// One chain: the convolution, then the nodes folded into it, with the fused node's extra
// inputs and attrs.
struct Chain {
  std::vector<int> nodes;
  std::vector<std::string> fused_ops;
  std::vector<TensorId> args;
  float epsilon = 0.0001f;
  float leaky_alpha = 0.2f;
};

class ChainFinder {
 public:
  ChainFinder(const Graph& graph, const Uses& uses, std::vector<bool>* claimed)
      : graph_(graph), uses_(uses), claimed_(*claimed) {}

  // The chain starting at convolution `conv`; fused_ops is empty when nothing follows it.
  Chain From(int conv) {
    Chain chain;
    chain.nodes.push_back(conv);
    int stage = 0;  // 1 BiasAdd, 2 batch norm, 3 Add, 4 activation
    int cur = conv;
    while (stage < 4) {
      const int next = SoleConsumer(cur);
      if (next < 0 || claimed_[next]) break;
      const GraphNode& node = graph_.node(next);
      const tensorflow::NodeDef& def = *node.def;
      const bool reads_cur_first = !node.inputs.empty() && node.inputs[0].node == cur;
      if (def.op() == "BiasAdd" && stage < 1 && reads_cur_first && node.inputs.size() == 2 &&
          IsFloat(def) && IsNhwc(def)) {
        chain.fused_ops.push_back("BiasAdd");
        chain.args.push_back(node.inputs[1]);
        stage = 1;
      } else if (IsBatchNorm(def.op()) && stage < 2 && reads_cur_first &&
                 node.inputs.size() == 5 && IsFloat(def) && IsNhwc(def) &&
                 !BoolAttr(def, "is_training", true) && OnlyOutputZeroUsed(next) &&
                 (!def.attr().count("U") || HasType(def, "U", tensorflow::DT_FLOAT))) {
        chain.fused_ops.push_back("FusedBatchNorm");
        for (int i = 1; i < 5; ++i) chain.args.push_back(node.inputs[i]);
        chain.epsilon = FloatAttr(def, "epsilon", 0.0001f);
        stage = 2;
      } else if ((def.op() == "Add" || def.op() == "AddV2") && stage < 3 &&
                 node.inputs.size() == 2 && IsFloat(def) &&
                 (node.inputs[0].node == cur) != (node.inputs[1].node == cur)) {
        chain.fused_ops.push_back("Add");
        chain.args.push_back(node.inputs[node.inputs[0].node == cur ? 1 : 0]);
        stage = 3;
      } else if (IsActivation(def.op()) && reads_cur_first && node.inputs.size() == 1 &&
                 IsFloat(def)) {
        chain.fused_ops.push_back(def.op());
        chain.leaky_alpha = FloatAttr(def, "alpha", 0.2f);
        stage = 4;
      } else {
        break;
      }
      chain.nodes.push_back(next);
      cur = next;
    }
    if (!chain.fused_ops.empty()) {
      for (int node : chain.nodes) claimed_[node] = true;
    }
    return chain;
  }

 private:
  // The one node that reads `node`, when that is all that uses it (its output 0, once, no
  // control uses) and `node` is not fed, fetched or a target; else -1.
  int SoleConsumer(int node) const {
    if (uses_.pinned[node] || uses_.control[node] > 0) return -1;
    const std::vector<TensorId>& data = uses_.data[node];
    if (data.size() != 1 || data[0].output != 0) return -1;
    return data[0].node;
  }

  bool OnlyOutputZeroUsed(int node) const {
    return std::all_of(uses_.data[node].begin(), uses_.data[node].end(),
                       [](TensorId use) { return use.output == 0; });
  }

  const Graph& graph_;
  const Uses& uses_;
  std::vector<bool>& claimed_;
};

std::string TensorName(const Graph& graph, TensorId id) {
  const std::string& name = graph.node(id.node).def->name();
  return id.output == 0 ? name : name + ":" + std::to_string(id.output);
}

// The fused node: the convolution's attrs, the last node's name, the chain's extra inputs.
tensorflow::NodeDef FusedDef(const Graph& graph, const Chain& chain) {
  const tensorflow::NodeDef& conv = *graph.node(chain.nodes.front()).def;
  tensorflow::NodeDef def = conv;
  def.set_name(graph.node(chain.nodes.back()).def->name());
  def.set_op(conv.op() == "Conv2D" ? "_FusedConv2D" : "_FusedDepthwiseConv2dNative");
  def.clear_input();
  for (TensorId in : graph.node(chain.nodes.front()).inputs) {
    def.add_input(TensorName(graph, in));
  }
  for (TensorId arg : chain.args) def.add_input(TensorName(graph, arg));
  auto& attrs = *def.mutable_attr();
  auto* ops = attrs["fused_ops"].mutable_list();
  for (const std::string& op : chain.fused_ops) ops->add_s(op);
  attrs["num_args"].set_i(static_cast<int64_t>(chain.args.size()));
  attrs["epsilon"].set_f(chain.epsilon);
  attrs["leakyrelu_alpha"].set_f(chain.leaky_alpha);
  return def;
}

}  // namespace

StatusOr<std::optional<Graph>> FuseConvolutions(const Graph& graph, const PlanSpec& spec) {
  const Uses uses = FindUses(graph, spec);
  const int n = static_cast<int>(graph.nodes().size());
  std::vector<bool> claimed(n, false);
  ChainFinder finder(graph, uses, &claimed);
  std::vector<Chain> chains;
  for (int i = 0; i < n; ++i) {
    const tensorflow::NodeDef& def = *graph.node(i).def;
    if ((def.op() != "Conv2D" && def.op() != "DepthwiseConv2dNative") || !IsFloat(def) ||
        !IsNhwc(def) || graph.node(i).inputs.size() != 2) {
      continue;
    }
    Chain chain = finder.From(i);
    if (!chain.fused_ops.empty()) chains.push_back(std::move(chain));
  }
  if (chains.empty()) return std::optional<Graph>();

  // The last node of each chain becomes the fused node, in place; the others go.
  std::vector<GraphNode> nodes(graph.nodes().begin(), graph.nodes().end());
  std::vector<bool> removed(n, false);
  std::deque<tensorflow::NodeDef> added;
  for (const Chain& chain : chains) {
    added.push_back(FusedDef(graph, chain));
    GraphNode fused;
    fused.def = &added.back();
    fused.inputs = graph.node(chain.nodes.front()).inputs;
    fused.inputs.insert(fused.inputs.end(), chain.args.begin(), chain.args.end());
    for (int node : chain.nodes) {
      for (int c : graph.node(node).control_inputs) {
        if (std::find(fused.control_inputs.begin(), fused.control_inputs.end(), c) ==
            fused.control_inputs.end()) {
          fused.control_inputs.push_back(c);
        }
      }
    }
    for (size_t k = 0; k + 1 < chain.nodes.size(); ++k) removed[chain.nodes[k]] = true;
    nodes[chain.nodes.back()] = std::move(fused);
  }
  std::vector<int> new_index(n, -1);
  std::vector<GraphNode> kept;
  for (int i = 0; i < n; ++i) {
    if (removed[i]) continue;
    new_index[i] = static_cast<int>(kept.size());
    kept.push_back(std::move(nodes[i]));
  }
  for (GraphNode& node : kept) {
    for (TensorId& in : node.inputs) in.node = new_index[in.node];
    for (int& c : node.control_inputs) c = new_index[c];
  }
  TERN_ASSIGN_OR_RETURN(Graph fused, graph.WithNodes(std::move(kept), std::move(added)));
  return std::optional<Graph>(std::move(fused));
}

}  // namespace tern
