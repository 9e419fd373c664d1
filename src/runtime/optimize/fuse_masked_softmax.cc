#include "runtime/optimize/fuse_masked_softmax.h"

#include <vector>

#include "runtime/optimize/graph_rewrite.h"

namespace tern {
namespace {

class MaskedSoftmaxFinder {
 public:
  MaskedSoftmaxFinder(const std::vector<GraphNode>& nodes, const Uses& uses,
                      const std::vector<bool>& claimed)
      : view_(nodes, uses, claimed), nodes_(nodes), uses_(uses) {}

  // The _FusedMaskedSoftmax replacing the masked softmax ending at `out`, if it is one.
  std::optional<Rewrite> RewriteAt(int out) const {
    if (view_.Is(out, "SelectV2", 3) < 0) return std::nullopt;
    const GraphNode& o = view_.node(out);
    const int softmax = view_.Producer(o.inputs[1], "Softmax", 1);
    if (softmax < 0) return std::nullopt;
    const int masked = view_.Producer(view_.node(softmax).inputs[0], "SelectV2", 3);
    if (masked < 0) return std::nullopt;
    const GraphNode& m = view_.node(masked);
    const TensorId mask = o.inputs[0];
    const std::optional<float> masked_logit = ScalarConst(nodes_, m.inputs[2], true);
    const std::optional<float> masked_output = ScalarConst(nodes_, o.inputs[2], true);
    if (!SameTensor(m.inputs[0], mask) || !masked_logit || !masked_output) return std::nullopt;
    const std::vector<int> replaced = {masked, softmax, out};
    if (!ReadOnlyWithin(uses_, replaced)) return std::nullopt;
    Rewrite rewrite;
    rewrite.replaced = replaced;
    const tensorflow::NodeDef& last = *o.def;
    rewrite.def.set_name(last.name());
    rewrite.def.set_op("_FusedMaskedSoftmax");
    rewrite.def.set_device(last.device());
    rewrite.def.add_input(TensorName(nodes_, mask));
    rewrite.def.add_input(TensorName(nodes_, m.inputs[1]));
    (*rewrite.def.mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
    (*rewrite.def.mutable_attr())["masked_logit"].set_f(*masked_logit);
    (*rewrite.def.mutable_attr())["masked_output"].set_f(*masked_output);
    rewrite.inputs = {mask, m.inputs[1]};
    return rewrite;
  }

 private:
  PatternView view_;
  const std::vector<GraphNode>& nodes_;
  const Uses& uses_;
};

}  // namespace

StatusOr<std::optional<Graph>> FuseMaskedSoftmaxes(const Graph& graph, const PlanSpec& spec) {
  return RewriteMatches<MaskedSoftmaxFinder>(graph, spec);
}

}  // namespace tern
