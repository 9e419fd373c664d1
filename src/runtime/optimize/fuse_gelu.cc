#include "runtime/optimize/fuse_gelu.h"

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/optimize/graph_rewrite.h"

namespace tern {
namespace {

// tf.nn.gelu's constants, rounded to float as its graph holds them.
const float kHalf = 0.5f, kOne = 1.f, kThree = 3.f;
const float kSqrt2 = static_cast<float>(1.4142135623730951);
const float kInvSqrt2 = static_cast<float>(0.7071067811865476);
const float kSqrt2OverPi = static_cast<float>(0.7978845608028654);
const float kCoeff = static_cast<float>(0.044715);

struct Gelu {
  std::vector<int> nodes;  // every node replaced, the final Mul last
  TensorId x;
  bool approximate = false;
  bool erfc = false;  // TensorFlow 2.21's exact form, 0.5 * x * erfc(-x / sqrt(2))
};

class GeluFinder {
 public:
  GeluFinder(const std::vector<GraphNode>& nodes, const Uses& uses,
             const std::vector<bool>& claimed)
      : view_(nodes, uses, claimed), nodes_(nodes), uses_(uses) {}

  // The _FusedGelu replacing the GELU ending at `out`, if it is one.
  std::optional<Rewrite> RewriteAt(int out) const {
    const std::optional<Gelu> gelu = At(out);
    if (!gelu) return std::nullopt;
    Rewrite rewrite;
    rewrite.replaced = gelu->nodes;
    const tensorflow::NodeDef& last = *nodes_[gelu->nodes.back()].def;
    rewrite.def.set_name(last.name());
    rewrite.def.set_op("_FusedGelu");
    rewrite.def.set_device(last.device());
    rewrite.def.add_input(TensorName(nodes_, gelu->x));
    (*rewrite.def.mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
    (*rewrite.def.mutable_attr())["approximate"].set_b(gelu->approximate);
    (*rewrite.def.mutable_attr())["erfc"].set_b(gelu->erfc);
    rewrite.inputs = {gelu->x};
    return rewrite;
  }

 private:
  // The GELU ending at `out`, if it is one: Mul(Mul(0.5, x), AddV2(1, f(x))).
  std::optional<Gelu> At(int out) const {
    if (view_.Is(out, "Mul", 2) < 0) return std::nullopt;
    const GraphNode& o = view_.node(out);
    for (int i = 0; i < 2; ++i) {
      const int half = view_.Producer(o.inputs[i], "Mul", 2);
      const std::optional<TensorId> x = half >= 0 ? view_.OperandBeside(half, kHalf) : std::nullopt;
      if (!x) continue;
      Gelu gelu;
      gelu.x = *x;
      if (Erfc(o.inputs[1 - i], &gelu)) {
        gelu.nodes.insert(gelu.nodes.end(), {half, out});
      } else {
        const int one_plus = Add(o.inputs[1 - i]);
        const std::optional<TensorId> f =
            one_plus >= 0 ? view_.OperandBeside(one_plus, kOne) : std::nullopt;
        if (!f || (!Erf(*f, &gelu) && !Tanh(*f, &gelu))) continue;
        gelu.nodes.insert(gelu.nodes.end(), {half, one_plus, out});
      }
      if (ReadOnlyWithin(uses_, gelu.nodes)) return gelu;
    }
    return std::nullopt;
  }

  int Add(TensorId id) const {
    return std::max(view_.Producer(id, "AddV2", 2), view_.Producer(id, "Add", 2));
  }

  // g = Erfc(Mul(Neg(x), 1 / sqrt 2)), as TensorFlow 2.21 writes the exact form.
  bool Erfc(TensorId g, Gelu* gelu) const {
    const int erfc = view_.Producer(g, "Erfc", 1);
    const int scaled = erfc >= 0 ? view_.Producer(view_.node(erfc).inputs[0], "Mul", 2) : -1;
    const std::optional<TensorId> negated =
        scaled >= 0 ? view_.OperandBeside(scaled, kInvSqrt2) : std::nullopt;
    const int neg = negated ? view_.Producer(*negated, "Neg", 1) : -1;
    if (neg < 0 || !SameTensor(view_.node(neg).inputs[0], gelu->x)) return false;
    gelu->nodes = {neg, scaled, erfc};
    gelu->approximate = false;
    gelu->erfc = true;
    return true;
  }

  // f = Erf(RealDiv(x, sqrt 2)) or Erf(Mul(x, 1 / sqrt 2)).
  bool Erf(TensorId f, Gelu* gelu) const {
    const int erf = view_.Producer(f, "Erf", 1);
    if (erf < 0) return false;
    const TensorId arg = view_.node(erf).inputs[0];
    int scaled = view_.Producer(arg, "RealDiv", 2);
    if (scaled >= 0) {
      const GraphNode& d = view_.node(scaled);
      const std::optional<float> divisor = ScalarConst(nodes_, d.inputs[1], true);
      if (!SameTensor(d.inputs[0], gelu->x) || !divisor || *divisor != kSqrt2) return false;
    } else {
      scaled = view_.Producer(arg, "Mul", 2);
      if (scaled < 0) return false;
      const std::optional<TensorId> x = view_.OperandBeside(scaled, kInvSqrt2);
      if (!x || !SameTensor(*x, gelu->x)) return false;
    }
    gelu->nodes = {scaled, erf};
    gelu->approximate = false;
    return true;
  }

  // f = Tanh(Mul(sqrt(2 / pi), AddV2(x, Mul(0.044715, Pow(x, 3))))).
  bool Tanh(TensorId f, Gelu* gelu) const {
    const int tanh = view_.Producer(f, "Tanh", 1);
    if (tanh < 0) return false;
    const int scaled = view_.Producer(view_.node(tanh).inputs[0], "Mul", 2);
    if (scaled < 0) return false;
    const std::optional<TensorId> sum = view_.OperandBeside(scaled, kSqrt2OverPi);
    const int add = sum ? Add(*sum) : -1;
    if (add < 0) return false;
    const GraphNode& a = view_.node(add);
    for (int k = 0; k < 2; ++k) {
      if (!SameTensor(a.inputs[k], gelu->x)) continue;
      const int cubic = view_.Producer(a.inputs[1 - k], "Mul", 2);
      if (cubic < 0) continue;
      const std::optional<TensorId> cube = view_.OperandBeside(cubic, kCoeff);
      const int pow = cube ? view_.Producer(*cube, "Pow", 2) : -1;
      if (pow < 0) continue;
      const GraphNode& p = view_.node(pow);
      const std::optional<float> exponent = ScalarConst(nodes_, p.inputs[1], true);
      if (!SameTensor(p.inputs[0], gelu->x) || !exponent || *exponent != kThree) continue;
      gelu->nodes = {pow, cubic, add, scaled, tanh};
      gelu->approximate = true;
      return true;
    }
    return false;
  }

  PatternView view_;
  const std::vector<GraphNode>& nodes_;
  const Uses& uses_;
};

}  // namespace

StatusOr<std::optional<Graph>> FuseGelus(const Graph& graph, const PlanSpec& spec) {
  return RewriteMatches<GeluFinder>(graph, spec);
}

}  // namespace tern
