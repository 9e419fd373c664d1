#include "runtime/optimize/fuse_layer_norm.h"

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/optimize/graph_rewrite.h"

namespace tern {
namespace {

struct LayerNorm {
  std::vector<int> nodes;  // every node replaced, the final AddV2 last
  TensorId x;
  std::optional<TensorId> gamma, beta;
  float epsilon = 0;
};

tensorflow::NodeDef FusedDef(const std::vector<GraphNode>& nodes, const LayerNorm& norm) {
  tensorflow::NodeDef def;
  def.set_name(nodes[norm.nodes.back()].def->name());
  def.set_op("_FusedLayerNorm");
  def.set_device(nodes[norm.nodes.back()].def->device());
  def.add_input(TensorName(nodes, norm.x));
  if (norm.gamma) def.add_input(TensorName(nodes, *norm.gamma));
  if (norm.beta) def.add_input(TensorName(nodes, *norm.beta));
  auto& attrs = *def.mutable_attr();
  attrs["T"].set_type(tensorflow::DT_FLOAT);
  attrs["epsilon"].set_f(norm.epsilon);
  attrs["scale"].set_b(norm.gamma.has_value());
  attrs["center"].set_b(norm.beta.has_value());
  return def;
}

class LayerNormFinder {
 public:
  LayerNormFinder(const std::vector<GraphNode>& nodes, const Uses& uses,
                  const std::vector<bool>& claimed)
      : view_(nodes, uses, claimed), nodes_(nodes), uses_(uses) {}

  // The _FusedLayerNorm replacing the layer normalization ending at `out`, if it is one.
  std::optional<Rewrite> RewriteAt(int out) const {
    const std::optional<LayerNorm> norm = At(out);
    if (!norm) return std::nullopt;
    Rewrite rewrite;
    rewrite.replaced = norm->nodes;
    rewrite.def = FusedDef(nodes_, *norm);
    rewrite.inputs = {norm->x};
    if (norm->gamma) rewrite.inputs.push_back(*norm->gamma);
    if (norm->beta) rewrite.inputs.push_back(*norm->beta);
    return rewrite;
  }

 private:
  // The layer normalization ending at `out`, if it is one.
  std::optional<LayerNorm> At(int out) const {
    if (Add(out) < 0) return std::nullopt;
    const GraphNode& o = view_.node(out);
    for (int i = 0; i < 2; ++i) {
      const int mul_x = view_.Producer(o.inputs[i], "Mul", 2);
      if (mul_x < 0) continue;
      for (int j = 0; j < 2; ++j) {
        LayerNorm norm;
        norm.x = view_.node(mul_x).inputs[j];
        const TensorId inv = view_.node(mul_x).inputs[1 - j];
        if (!Inverse(inv, &norm) || !Shift(o.inputs[1 - i], inv, &norm)) continue;
        norm.nodes.push_back(mul_x);
        norm.nodes.push_back(out);
        if (ReadOnlyWithin(uses_, norm.nodes)) return norm;
      }
    }
    return std::nullopt;
  }

  int Add(int node) const { return std::max(view_.Is(node, "AddV2", 2), view_.Is(node, "Add", 2)); }
  int Add(TensorId id) const { return id.output == 0 ? Add(id.node) : -1; }

  // `id` is Mean(x, [-1], keep_dims); returns its node or -1.
  int MeanOfLastAxis(TensorId id, TensorId x) const {
    const int mean = view_.Producer(id, "Mean", 2);
    if (mean < 0 || !SameTensor(view_.node(mean).inputs[0], x)) return -1;
    const tensorflow::NodeDef& def = *view_.node(mean).def;
    auto keep = def.attr().find("keep_dims");
    if (keep == def.attr().end() || !keep->second.b()) return -1;
    const std::optional<std::vector<int64_t>> axes = IntConst(nodes_, view_.node(mean).inputs[1]);
    return axes && *axes == std::vector<int64_t>{-1} ? mean : -1;
  }

  // inv = Rsqrt(AddV2(var, epsilon)) [* gamma], var = Mean(SquaredDifference(x, mean)).
  // Appends the variance's nodes and inv's; the mean's node is appended by Shift.
  bool Inverse(TensorId inv, LayerNorm* norm) const {
    int rsqrt = view_.Producer(inv, "Rsqrt", 1);
    int mul_gamma = -1;
    if (rsqrt < 0) {
      mul_gamma = view_.Producer(inv, "Mul", 2);
      if (mul_gamma < 0) return false;
      for (int k = 0; k < 2 && rsqrt < 0; ++k) {
        rsqrt = view_.Producer(view_.node(mul_gamma).inputs[k], "Rsqrt", 1);
        if (rsqrt >= 0) norm->gamma = view_.node(mul_gamma).inputs[1 - k];
      }
      if (rsqrt < 0) return false;
    }
    const int add_epsilon = Add(view_.node(rsqrt).inputs[0]);
    if (add_epsilon < 0) return false;
    for (int k = 0; k < 2; ++k) {
      const GraphNode& a = view_.node(add_epsilon);
      const std::optional<float> epsilon = ScalarConst(nodes_, a.inputs[1 - k], true);
      const int squared = VarianceInput(a.inputs[k], norm->x);
      if (!epsilon || squared < 0) continue;
      const int variance = a.inputs[k].node;
      norm->epsilon = *epsilon;
      norm->nodes.insert(norm->nodes.end(), {squared, variance, add_epsilon, rsqrt});
      if (mul_gamma >= 0) norm->nodes.push_back(mul_gamma);
      return true;
    }
    return false;
  }

  // The SquaredDifference node when `id` is Mean(SquaredDifference(x, m), [-1], keep_dims);
  // which mean m is checked by Shift.
  int VarianceInput(TensorId id, TensorId x) const {
    const int variance = view_.Producer(id, "Mean", 2);
    if (variance < 0) return -1;
    const int squared = view_.Producer(view_.node(variance).inputs[0], "SquaredDifference", 2);
    if (squared < 0 || MeanOfLastAxis(id, view_.node(variance).inputs[0]) < 0) return -1;
    const GraphNode& s = view_.node(squared);
    return SameTensor(s.inputs[0], x) || SameTensor(s.inputs[1], x) ? squared : -1;
  }

  // shift = Mul(Neg(mean), inv) [+ beta], with mean the Mean of x that the variance subtracts
  // (through a StopGradient or not). Appends the mean's nodes and the shift's.
  bool Shift(TensorId shift, TensorId inv, LayerNorm* norm) const {
    int mul = view_.Producer(shift, "Mul", 2);
    int add_beta = -1;
    if (mul < 0) {
      add_beta = Add(shift);
      if (add_beta < 0) return false;
      for (int k = 0; k < 2 && mul < 0; ++k) {
        mul = view_.Producer(view_.node(add_beta).inputs[k], "Mul", 2);
        if (mul >= 0 && !MeanTimesInverse(mul, inv)) mul = -1;
        if (mul >= 0) norm->beta = view_.node(add_beta).inputs[1 - k];
      }
      if (mul < 0) return false;
    } else if (!MeanTimesInverse(mul, inv)) {
      return false;
    }
    const GraphNode& m = view_.node(mul);
    const int neg = SameTensor(m.inputs[1], inv) ? m.inputs[0].node : m.inputs[1].node;
    const TensorId mean_out = view_.node(neg).inputs[0];
    const int mean = MeanOfLastAxis(mean_out, norm->x);
    if (mean < 0) return false;
    // The variance's SquaredDifference subtracts this mean, perhaps through a StopGradient.
    const GraphNode& squared = view_.node(norm->nodes[0]);
    const TensorId subtrahend =
        SameTensor(squared.inputs[0], norm->x) ? squared.inputs[1] : squared.inputs[0];
    int stop = -1;
    if (!SameTensor(subtrahend, mean_out)) {
      stop = view_.Producer(subtrahend, "StopGradient", 1);
      if (stop < 0 || !SameTensor(view_.node(stop).inputs[0], mean_out)) return false;
    }
    norm->nodes.insert(norm->nodes.begin(), mean);
    if (stop >= 0) norm->nodes.push_back(stop);
    norm->nodes.insert(norm->nodes.end(), {neg, mul});
    if (add_beta >= 0) norm->nodes.push_back(add_beta);
    return true;
  }

  // `mul` is Mul(Neg(m), inv) in either order.
  bool MeanTimesInverse(int mul, TensorId inv) const {
    const GraphNode& m = view_.node(mul);
    for (int k = 0; k < 2; ++k) {
      if (SameTensor(m.inputs[1 - k], inv) && view_.Producer(m.inputs[k], "Neg", 1) >= 0) {
        return true;
      }
    }
    return false;
  }

  PatternView view_;
  const std::vector<GraphNode>& nodes_;
  const Uses& uses_;
};

}  // namespace

StatusOr<std::optional<Graph>> FuseLayerNorms(const Graph& graph, const PlanSpec& spec) {
  return RewriteMatches<LayerNormFinder>(graph, spec);
}

}  // namespace tern
