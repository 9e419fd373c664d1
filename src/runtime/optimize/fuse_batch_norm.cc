#include "runtime/optimize/fuse_batch_norm.h"

#include <vector>

#include "runtime/optimize/graph_rewrite.h"

namespace tern {
namespace {

class BatchNormReluFinder {
 public:
  BatchNormReluFinder(const std::vector<GraphNode>& nodes, const Uses& uses,
                      const std::vector<bool>& claimed)
      : view_(nodes, uses, claimed), nodes_(nodes), uses_(uses) {}

  // The _FusedBatchNormEx replacing the Relu `relu` and the batch norm it reads, if it is one.
  std::optional<Rewrite> RewriteAt(int relu) const {
    if (view_.Is(relu, "Relu", 1) < 0) return std::nullopt;
    const TensorId y = nodes_[relu].inputs[0];
    int batch_norm = -1;
    for (const char* op : {"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"}) {
      if (batch_norm < 0) batch_norm = view_.Producer(y, op, 5);
    }
    if (batch_norm < 0 || SoleConsumer(uses_, batch_norm) != relu) return std::nullopt;
    if (!ReadOnlyWithin(uses_, {batch_norm, relu})) return std::nullopt;
    const GraphNode& bn = nodes_[batch_norm];
    Rewrite rewrite;
    rewrite.replaced = {batch_norm, relu};
    rewrite.inputs = bn.inputs;
    tensorflow::NodeDef& def = rewrite.def;
    def.set_name(nodes_[relu].def->name());
    def.set_op("_FusedBatchNormEx");
    def.set_device(bn.def->device());
    for (TensorId in : rewrite.inputs) def.add_input(TensorName(nodes_, in));
    auto& attrs = *def.mutable_attr();
    for (const char* name : {"epsilon", "data_format", "is_training", "exponential_avg_factor"}) {
      auto it = bn.def->attr().find(name);
      if (it != bn.def->attr().end()) attrs[name] = it->second;
    }
    attrs["T"].set_type(tensorflow::DT_FLOAT);
    attrs["U"].set_type(tensorflow::DT_FLOAT);
    attrs["num_side_inputs"].set_i(0);
    attrs["activation_mode"].set_s("Relu");
    return rewrite;
  }

 private:
  PatternView view_;
  const std::vector<GraphNode>& nodes_;
  const Uses& uses_;
};

}  // namespace

StatusOr<std::optional<Graph>> FuseBatchNormRelus(const Graph& graph, const PlanSpec& spec) {
  return RewriteMatches<BatchNormReluFinder>(graph, spec);
}

}  // namespace tern
