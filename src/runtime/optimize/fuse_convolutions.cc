#include "runtime/optimize/fuse_convolutions.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "runtime/optimize/graph_rewrite.h"

namespace tern {
namespace {

bool IsBatchNorm(const std::string& op) {
  return op == "FusedBatchNorm" || op == "FusedBatchNormV2" || op == "FusedBatchNormV3";
}

bool IsActivation(const std::string& op) {
  return op == "Relu" || op == "Relu6" || op == "Elu" || op == "LeakyRelu" || op == "Sigmoid";
}

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

// One chain: the convolution, then the nodes folded into it, with the fused node's extra
// inputs and attrs.
struct Chain {
  int pad = -1;  // a Pad folded into the convolution's padding, or -1
  std::vector<int64_t> explicit_paddings;
  std::vector<int> nodes;
  std::vector<std::string> fused_ops;
  std::vector<TensorId> args;
  float epsilon = 0.0001f;
  float leaky_alpha = 0.2f;
  float swish_beta = 1.f;
};

class ChainFinder {
 public:
  ChainFinder(const std::vector<GraphNode>& nodes, const Uses& uses, std::vector<bool>* claimed)
      : nodes_(nodes), uses_(uses), claimed_(*claimed) {}

  // Whether the convolution `conv` (VALID or EXPLICIT padding) reads a zero Pad of H and W that
  // nothing else reads (Keras' ZeroPadding2D before a stride-2 convolution): then the pad joins
  // the convolution's own padding, and the padded copy of the input is never made.
  bool FoldPad(int conv, Chain* chain) {
    const GraphNode& c = nodes_[conv];
    const tensorflow::NodeDef& def = *c.def;
    auto padding = def.attr().find("padding");
    if (padding == def.attr().end()) return false;
    std::vector<int64_t> conv_pads(8, 0);
    if (padding->second.s() == "EXPLICIT") {
      auto it = def.attr().find("explicit_paddings");
      if (it == def.attr().end() || it->second.list().i_size() != 8) return false;
      for (int i = 0; i < 8; ++i) conv_pads[i] = it->second.list().i(i);
    } else if (padding->second.s() != "VALID") {
      return false;
    }
    const int pad = c.inputs[0].node;
    const GraphNode& p = nodes_[pad];
    const std::string& op = p.def->op();
    if (c.inputs[0].output != 0 || claimed_[pad] || SoleConsumer(pad) != conv || !IsFloat(*p.def) ||
        !(op == "Pad" || (op == "PadV2" && p.inputs.size() == 3))) {
      return false;
    }
    if (op == "PadV2") {
      const std::optional<float> value = ScalarConst(nodes_, p.inputs[2]);
      if (!value || *value != 0.f || std::signbit(*value)) return false;
    } else if (p.inputs.size() != 2) {
      return false;
    }
    const std::optional<std::vector<int64_t>> pads = IntConst(nodes_, p.inputs[1]);
    if (!pads || pads->size() != 8 || (*pads)[0] != 0 || (*pads)[1] != 0 || (*pads)[6] != 0 ||
        (*pads)[7] != 0 ||
        std::any_of(pads->begin(), pads->end(), [](int64_t v) { return v < 0; })) {
      return false;
    }
    chain->pad = pad;
    chain->explicit_paddings = conv_pads;
    for (int i = 2; i < 6; ++i) chain->explicit_paddings[i] += (*pads)[i];
    claimed_[pad] = true;
    return true;
  }

  // The chain starting at convolution `conv`; fused_ops is empty when nothing follows it.
  Chain From(int conv) {
    Chain chain;
    chain.nodes.push_back(conv);
    int stage = 0;  // 1 BiasAdd, 2 batch norm, 3 Add, 4 activation
    int cur = conv;
    while (stage < 4) {
      if (Swish(cur, &chain)) break;
      const int next = SoleConsumer(cur);
      if (next < 0 || claimed_[next]) break;
      const GraphNode& node = nodes_[next];
      const tensorflow::NodeDef& def = *node.def;
      const bool reads_cur_first = !node.inputs.empty() && node.inputs[0].node == cur;
      if (def.op() == "BiasAdd" && stage < 1 && reads_cur_first && node.inputs.size() == 2 &&
          IsFloat(def) && IsNhwc(def)) {
        chain.fused_ops.push_back("BiasAdd");
        chain.args.push_back(node.inputs[1]);
        stage = 1;
      } else if (IsBatchNorm(def.op()) && stage < 2 && reads_cur_first && node.inputs.size() == 5 &&
                 IsFloat(def) && IsNhwc(def) && !BoolAttr(def, "is_training", true) &&
                 OnlyOutputZeroUsed(next) &&
                 (!def.attr().count("U") || HasTypeAttr(def, "U", tensorflow::DT_FLOAT))) {
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
  int SoleConsumer(int node) const { return tern::SoleConsumer(uses_, node); }

  // Whether `node` feeds exactly Keras' swish, node * Sigmoid(beta * node) with a constant
  // beta (Mul(beta, node) feeding the Sigmoid; TensorFlow's silu omits it) and nothing else
  // reads its parts. Appends the parts to `chain`, the final Mul last.
  bool Swish(int node, Chain* chain) const {
    if (uses_.pinned[node] || uses_.control[node] > 0) return false;
    const std::vector<TensorId>& data = uses_.data[node];
    if (data.size() != 2 || data[0].output != 0 || data[1].output != 0) return false;
    for (int first = 0; first < 2; ++first) {
      const int head = data[first].node, mul = data[1 - first].node;
      float beta = 1.f;
      int sigmoid = head;
      if (Is(head, "Mul", 2)) {  // beta * node
        const GraphNode& h = nodes_[head];
        const TensorId other = h.inputs[h.inputs[0].node == node ? 1 : 0];
        const std::optional<float> value = ScalarConst(nodes_, other);
        if (!value || other.node == node) continue;
        beta = *value;
        sigmoid = SoleConsumer(head);
        if (sigmoid < 0) continue;
      }
      if (!Is(sigmoid, "Sigmoid", 1) || !Is(mul, "Mul", 2) || SoleConsumer(sigmoid) != mul)
        continue;
      const GraphNode& m = nodes_[mul];
      const bool reads_both = (m.inputs[0].node == node && m.inputs[1].node == sigmoid) ||
                              (m.inputs[0].node == sigmoid && m.inputs[1].node == node);
      if (!reads_both) continue;
      chain->fused_ops.push_back("_MklSwish");
      chain->swish_beta = beta;
      if (head != sigmoid) chain->nodes.push_back(head);
      chain->nodes.push_back(sigmoid);
      chain->nodes.push_back(mul);
      return true;
    }
    return false;
  }

  // `node` is a float `op` with `inputs` data inputs that no chain has taken.
  bool Is(int node, const char* op, size_t inputs) const {
    const GraphNode& n = nodes_[node];
    return n.def->op() == op && IsFloat(*n.def) && n.inputs.size() == inputs && !claimed_[node];
  }

  bool OnlyOutputZeroUsed(int node) const {
    return std::all_of(uses_.data[node].begin(), uses_.data[node].end(),
                       [](TensorId use) { return use.output == 0; });
  }

  const std::vector<GraphNode>& nodes_;
  const Uses& uses_;
  std::vector<bool>& claimed_;
};

// The convolution's data inputs, reading past a folded pad.
std::vector<TensorId> ConvInputs(const std::vector<GraphNode>& nodes, const Chain& chain) {
  std::vector<TensorId> inputs = nodes[chain.nodes.front()].inputs;
  if (chain.pad >= 0) inputs[0] = nodes[chain.pad].inputs[0];
  return inputs;
}

// The fused node: the convolution's attrs, the last node's name, the chain's extra inputs.
tensorflow::NodeDef FusedDef(const std::vector<GraphNode>& nodes, const Chain& chain) {
  const GraphNode& conv = nodes[chain.nodes.front()];
  tensorflow::NodeDef def = *conv.def;
  def.set_name(nodes[chain.nodes.back()].def->name());
  auto& attrs = *def.mutable_attr();
  def.clear_input();
  for (TensorId in : ConvInputs(nodes, chain)) def.add_input(TensorName(nodes, in));
  if (chain.pad >= 0) {
    attrs["padding"].set_s("EXPLICIT");
    auto* pads = attrs["explicit_paddings"].mutable_list();
    pads->clear_i();
    for (int64_t v : chain.explicit_paddings) pads->add_i(v);
  }
  if (chain.fused_ops.empty()) return def;  // only a pad folded: the convolution as it was
  def.set_op(conv.def->op() == "Conv2D" ? "_FusedConv2D" : "_FusedDepthwiseConv2dNative");
  for (TensorId arg : chain.args) def.add_input(TensorName(nodes, arg));
  auto* ops = attrs["fused_ops"].mutable_list();
  for (const std::string& op : chain.fused_ops) ops->add_s(op);
  attrs["num_args"].set_i(static_cast<int64_t>(chain.args.size()));
  attrs["epsilon"].set_f(chain.epsilon);
  attrs["leakyrelu_alpha"].set_f(chain.leaky_alpha);
  attrs["swish_beta"].set_f(chain.swish_beta);  // Tern's: x * sigmoid(beta * x)
  return def;
}

}  // namespace

StatusOr<std::optional<Graph>> FuseConvolutions(const Graph& graph, const PlanSpec& spec) {
  std::vector<GraphNode> nodes = BypassIdentities(graph, spec);
  const Uses uses = FindUses(graph, nodes, spec);
  const int n = static_cast<int>(nodes.size());
  std::vector<bool> claimed(n, false);
  ChainFinder finder(nodes, uses, &claimed);
  std::vector<Chain> chains;
  for (int i = 0; i < n; ++i) {
    const tensorflow::NodeDef& def = *nodes[i].def;
    if ((def.op() != "Conv2D" && def.op() != "DepthwiseConv2dNative") || !IsFloat(def) ||
        !IsNhwc(def) || nodes[i].inputs.size() != 2) {
      continue;
    }
    Chain pad;
    const bool folds_pad = finder.FoldPad(i, &pad);
    Chain chain = finder.From(i);
    chain.pad = pad.pad;
    chain.explicit_paddings = pad.explicit_paddings;
    if (!chain.fused_ops.empty() || folds_pad) chains.push_back(std::move(chain));
  }
  if (chains.empty()) return std::optional<Graph>();

  // The last node of each chain becomes the fused node, in place; the others go.
  std::vector<Rewrite> rewrites;
  for (const Chain& chain : chains) {
    Rewrite rewrite;
    if (chain.pad >= 0) rewrite.replaced.push_back(chain.pad);
    rewrite.replaced.insert(rewrite.replaced.end(), chain.nodes.begin(), chain.nodes.end());
    rewrite.def = FusedDef(nodes, chain);
    rewrite.inputs = ConvInputs(nodes, chain);
    rewrite.inputs.insert(rewrite.inputs.end(), chain.args.begin(), chain.args.end());
    rewrites.push_back(std::move(rewrite));
  }
  TERN_ASSIGN_OR_RETURN(Graph fused,
                        ApplyRewrites(graph, std::move(nodes), uses, std::move(rewrites)));
  return std::optional<Graph>(std::move(fused));
}

}  // namespace tern
