#include "runtime/optimize/fuse_mat_mul.h"

#include <string>
#include <vector>

#include "runtime/optimize/graph_rewrite.h"

namespace tern {
namespace {

bool BoolAttr(const tensorflow::NodeDef& def, const char* name) {
  auto it = def.attr().find(name);
  return it != def.attr().end() && it->second.b();
}

// The _FusedMatMul activation name for `def`, or "" when it is not one to fuse.
std::string ActivationName(const tensorflow::NodeDef& def) {
  const std::string& op = def.op();
  if (op == "Relu" || op == "Relu6" || op == "Elu" || op == "LeakyRelu" || op == "Sigmoid") {
    return op;
  }
  // The erfc form (libm's erfc per element) has no _FusedMatMul name.
  if (op == "_FusedGelu" && !BoolAttr(def, "erfc")) {
    return BoolAttr(def, "approximate") ? "GeluApproximate" : "GeluExact";
  }
  return "";
}

class DenseFinder {
 public:
  DenseFinder(const std::vector<GraphNode>& nodes, const Uses& uses,
              const std::vector<bool>& claimed)
      : view_(nodes, uses, claimed), nodes_(nodes), uses_(uses), claimed_(claimed) {}

  // The _FusedMatMul replacing the MatMul `matmul` and what follows it, if it is one to fuse.
  std::optional<Rewrite> RewriteAt(int matmul) const {
    if (view_.Is(matmul, "Einsum", 2) >= 0) return MarkedEinsum(matmul);
    if (view_.Is(matmul, "MatMul", 2) < 0) return std::nullopt;
    const GraphNode& mm = nodes_[matmul];
    if (BoolAttr(*mm.def, "transpose_a") || !IsWeight(mm.inputs[1])) return std::nullopt;
    Rewrite rewrite;
    rewrite.replaced = {matmul};
    rewrite.inputs = mm.inputs;
    std::vector<std::string> fused_ops;
    float leaky_alpha = 0.2f;
    int cur = matmul;
    // tf.tensordot (a Dense layer over a 3-D input) reshapes the product before the bias: the
    // kernel takes the Reshape's shape and reshapes the product itself.
    std::optional<TensorId> reshape_to;
    const int reshape = Next(cur, "Reshape", 2);
    if (reshape >= 0) {
      const int after = Next(reshape, "BiasAdd", 2);
      if (after >= 0 && NhwcOrUnset(*nodes_[after].def)) {
        reshape_to = nodes_[reshape].inputs[1];
        rewrite.replaced.push_back(reshape);
        cur = reshape;
      }
    }
    const int bias_add = Next(cur, "BiasAdd", 2);
    if (bias_add >= 0 && NhwcOrUnset(*nodes_[bias_add].def)) {
      fused_ops.push_back("BiasAdd");
      rewrite.inputs.push_back(nodes_[bias_add].inputs[1]);
      rewrite.replaced.push_back(bias_add);
      cur = bias_add;
    }
    const int activation = SoleConsumer(uses_, cur);
    if (activation >= 0 && !claimed_[activation] && IsFloat(*nodes_[activation].def) &&
        nodes_[activation].inputs.size() == 1 && !ActivationName(*nodes_[activation].def).empty()) {
      const tensorflow::NodeDef& def = *nodes_[activation].def;
      fused_ops.push_back(ActivationName(def));
      auto alpha = def.attr().find("alpha");
      if (def.op() == "LeakyRelu" && alpha != def.attr().end()) leaky_alpha = alpha->second.f();
      rewrite.replaced.push_back(activation);
    }
    const int64_t num_args = static_cast<int64_t>(rewrite.inputs.size()) - 2;
    if (reshape_to) rewrite.inputs.push_back(*reshape_to);
    tensorflow::NodeDef& def = rewrite.def;
    def.set_name(nodes_[rewrite.replaced.back()].def->name());
    def.set_op("_FusedMatMul");
    def.set_device(mm.def->device());
    for (TensorId in : rewrite.inputs) def.add_input(TensorName(nodes_, in));
    auto& attrs = *def.mutable_attr();
    attrs["T"].set_type(tensorflow::DT_FLOAT);
    attrs["transpose_a"].set_b(false);
    attrs["transpose_b"].set_b(BoolAttr(*mm.def, "transpose_b"));
    auto* ops = attrs["fused_ops"].mutable_list();
    for (const std::string& op : fused_ops) ops->add_s(op);
    attrs["num_args"].set_i(num_args);
    if (reshape_to) attrs["tern_reshape"].set_b(true);
    attrs["leakyrelu_alpha"].set_f(leaky_alpha);
    attrs["tern_constant_b"].set_b(true);
    return rewrite;
  }

 private:
  // The Einsum `einsum` as it is with attr tern_constant_b, when its operand b is a weight; with
  // the Add or BiasAdd of a weight that follows it (EinsumDense's bias), attr tern_fused_bias.
  std::optional<Rewrite> MarkedEinsum(int einsum) const {
    const GraphNode& node = nodes_[einsum];
    if (!IsWeight(node.inputs[1])) return std::nullopt;
    Rewrite rewrite;
    rewrite.replaced = {einsum};
    rewrite.inputs = node.inputs;
    rewrite.def = *node.def;
    std::string bias_op;
    const int add = SoleConsumer(uses_, einsum);
    const int bias_add = Next(einsum, "BiasAdd", 2);
    if (bias_add >= 0 && NhwcOrUnset(*nodes_[bias_add].def) &&
        IsWeight(nodes_[bias_add].inputs[1])) {
      bias_op = "BiasAdd";
      rewrite.inputs.push_back(nodes_[bias_add].inputs[1]);
      rewrite.replaced.push_back(bias_add);
    } else if (add >= 0 && (view_.Is(add, "AddV2", 2) >= 0 || view_.Is(add, "Add", 2) >= 0)) {
      // Either operand may be the product (a sum of two floats is the same either way round).
      const std::vector<TensorId>& in = nodes_[add].inputs;
      const int product = in[0].node == einsum && in[0].output == 0 ? 0 : 1;
      const TensorId other = in[1 - product];
      if (in[product].node == einsum && in[product].output == 0 && other.node != einsum &&
          IsWeight(other)) {
        bias_op = "AddV2";
        rewrite.inputs.push_back(other);
        rewrite.replaced.push_back(add);
      }
    }
    rewrite.def.set_name(nodes_[rewrite.replaced.back()].def->name());
    rewrite.def.clear_input();
    for (TensorId in : rewrite.inputs) rewrite.def.add_input(TensorName(nodes_, in));
    (*rewrite.def.mutable_attr())["tern_constant_b"].set_b(true);
    if (!bias_op.empty()) (*rewrite.def.mutable_attr())["tern_fused_bias"].set_s(bias_op);
    return rewrite;
  }

  // A Const, a ReadVariableOp (the plan binds its readers to the variable's tensor), or a TF1
  // variable read through the Identity that dereferences it: the same buffer at every run.
  bool IsWeight(TensorId id) const {
    const tensorflow::NodeDef& def = *nodes_[id.node].def;
    if (def.op() == "Const" || def.op() == "ReadVariableOp") return true;
    if (def.op() != "Identity" || nodes_[id.node].inputs.size() != 1) return false;
    const std::string& source = nodes_[nodes_[id.node].inputs[0].node].def->op();
    return source == "VariableV2" || source == "Variable";
  }

  // The sole reader of `node` when it is a float `op` with `inputs` data inputs reading `node`
  // as its input 0 that no rewrite has claimed; else -1.
  int Next(int node, const char* op, size_t inputs) const {
    const int next = SoleConsumer(uses_, node);
    if (next < 0 || view_.Is(next, op, inputs) < 0) return -1;
    const TensorId first = nodes_[next].inputs[0];
    return first.node == node && first.output == 0 ? next : -1;
  }

  static bool NhwcOrUnset(const tensorflow::NodeDef& def) {
    auto it = def.attr().find("data_format");
    return it == def.attr().end() || it->second.s() == "NHWC";
  }

  PatternView view_;
  const std::vector<GraphNode>& nodes_;
  const Uses& uses_;
  const std::vector<bool>& claimed_;
};

}  // namespace

StatusOr<std::optional<Graph>> FuseMatMuls(const Graph& graph, const PlanSpec& spec) {
  return RewriteMatches<DenseFinder>(graph, spec);
}

}  // namespace tern
