#include "runtime/optimize/fold_transposes.h"

#include <vector>

#include "runtime/optimize/graph_rewrite.h"

namespace tern {
namespace {

class TransposeFolder {
 public:
  TransposeFolder(const std::vector<GraphNode>& nodes, const Uses& uses,
                  const std::vector<bool>& claimed)
      : view_(nodes, uses, claimed), nodes_(nodes), uses_(uses) {}

  // The _TransposedBatchMatMul ending at `out` (the output Transpose, or the product when none
  // qualifies), if at least one Transpose folds.
  std::optional<Rewrite> RewriteAt(int out) const {
    std::vector<int64_t> perm_out;
    int product = -1;
    if (view_.Is(out, "Transpose", 2) >= 0) {
      product = view_.Producer(view_.node(out).inputs[0], "BatchMatMulV2", 2);
      if (product < 0 || SoleConsumer(uses_, product) != out ||
          !Perm(view_.node(out).inputs[1], /*output=*/true, &perm_out)) {
        return std::nullopt;
      }
    } else if (view_.Is(out, "BatchMatMulV2", 2) >= 0) {
      // A Transpose after it that folds is where the match ends.
      const int next = SoleConsumer(uses_, out);
      std::vector<int64_t> unused;
      if (next >= 0 && view_.Is(next, "Transpose", 2) >= 0 &&
          SameTensor(view_.node(next).inputs[0], TensorId{out, 0}) &&
          Perm(view_.node(next).inputs[1], true, &unused)) {
        return std::nullopt;
      }
      product = out;
    } else {
      return std::nullopt;
    }
    const GraphNode& p = view_.node(product);
    std::vector<int> replaced;
    std::vector<TensorId> operands = p.inputs;
    std::vector<int64_t> perms[2];
    for (int i = 0; i < 2; ++i) {
      const int transpose = view_.Producer(p.inputs[i], "Transpose", 2);
      if (transpose < 0 || SoleConsumer(uses_, transpose) != product) continue;
      if (!Perm(view_.node(transpose).inputs[1], /*output=*/false, &perms[i])) continue;
      replaced.push_back(transpose);
      operands[i] = view_.node(transpose).inputs[0];
    }
    if (replaced.empty() && perm_out.empty()) return std::nullopt;
    replaced.push_back(product);
    if (product != out) replaced.push_back(out);
    if (!ReadOnlyWithin(uses_, replaced)) return std::nullopt;
    Rewrite rewrite;
    rewrite.replaced = replaced;
    const tensorflow::NodeDef& last = *view_.node(out).def;
    rewrite.def.set_name(last.name());
    rewrite.def.set_op("_TransposedBatchMatMul");
    rewrite.def.set_device(last.device());
    for (const TensorId& operand : operands) rewrite.def.add_input(TensorName(nodes_, operand));
    auto& attrs = *rewrite.def.mutable_attr();
    attrs["T"].set_type(tensorflow::DT_FLOAT);
    const auto& product_attrs = p.def->attr();
    for (const char* adj : {"adj_x", "adj_y"}) {
      auto it = product_attrs.find(adj);
      attrs[adj].set_b(it != product_attrs.end() && it->second.b());
    }
    const std::pair<const char*, const std::vector<int64_t>*> lists[] = {
        {"perm_x", &perms[0]}, {"perm_y", &perms[1]}, {"perm_out", &perm_out}};
    for (const auto& [name, perm] : lists) {
      auto* list = attrs[name].mutable_list();
      for (int64_t v : *perm) list->add_i(v);
    }
    rewrite.inputs = operands;
    return rewrite;
  }

 private:
  // The constant perm at `id`, when it keeps the innermost dim in the matrix: for an operand, the
  // tensor's last dim is one of the two it moves last; for the output, the product's last two
  // dims include the one stored last. Not the identity (nothing to fold).
  bool Perm(TensorId id, bool output, std::vector<int64_t>* perm) const {
    const std::optional<std::vector<int64_t>> values = IntConst(nodes_, id);
    if (!values || values->size() < 2) return false;
    const int64_t r = static_cast<int64_t>(values->size());
    const std::vector<int64_t>& p = *values;
    bool identity = true;
    for (int64_t i = 0; i < r; ++i) identity = identity && p[i] == i;
    if (identity) return false;
    const bool keeps = output ? (p[r - 1] == r - 1 || p[r - 1] == r - 2)
                              : (p[r - 1] == r - 1 || p[r - 2] == r - 1);
    if (!keeps) return false;
    *perm = p;
    return true;
  }

  PatternView view_;
  const std::vector<GraphNode>& nodes_;
  const Uses& uses_;
};

}  // namespace

StatusOr<std::optional<Graph>> FoldTransposesIntoBatchMatMuls(const Graph& graph,
                                                              const PlanSpec& spec) {
  return RewriteMatches<TransposeFolder>(graph, spec);
}

}  // namespace tern
