// The load-time layer norm fusion: Keras 3's LayerNormalization (and its variants without
// gamma, beta or StopGradient, operands swapped) becomes one _FusedLayerNorm that computes what
// the ten ops do, and nothing is fused when the pattern is only almost there.
#include "runtime/optimize/fuse_layer_norm.h"

#include <gtest/gtest.h>

#include "test_graph.h"

namespace tern {
namespace {

using namespace test_graph;  // NOLINT

constexpr int64_t kDepth = 8;

struct Options {
  bool stop_gradient = true;
  bool gamma = true;
  bool beta = true;
  bool swap = false;                      // every commutative op's operands the other way round
  TensorShape gamma_shape{1, 1, kDepth};  // Keras reshapes gamma and beta to x's rank
  std::vector<int32_t> axes{-1};
  bool keep_dims = true;
  bool epsilon_const = true;
  bool variance_of_x = true;  // false: the variance of another tensor
};

void AddMean(tensorflow::GraphDef* g, const std::string& name, const std::string& in,
             const Options& o) {
  auto* n = AddNode(g, name, "Mean", {in, "axes"});
  (*n->mutable_attr())["Tidx"].set_type(tensorflow::DT_INT32);
  (*n->mutable_attr())["keep_dims"].set_b(o.keep_dims);
}

// x -> Keras 3's layer normalization -> out.
tensorflow::GraphDef LayerNorm(const Options& o) {
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  AddInt32(&g, "axes", TensorShape{static_cast<int64_t>(o.axes.size())}, o.axes);
  auto pair = [&](const std::string& a, const std::string& b) {
    return o.swap ? std::vector<std::string>{b, a} : std::vector<std::string>{a, b};
  };
  AddMean(&g, "mean", "x", o);
  std::string centre = "mean";
  if (o.stop_gradient) {
    AddNode(&g, "stop", "StopGradient", {"mean"});
    centre = "stop";
  }
  if (!o.variance_of_x) AddNode(&g, "y", "Relu", {"x"});
  AddNode(&g, "squared", "SquaredDifference", pair(o.variance_of_x ? "x" : "y", centre));
  AddMean(&g, "variance", "squared", o);
  AddScalar(&g, "epsilon_value", 0.01f);
  if (o.epsilon_const) {
    AddScalar(&g, "epsilon", 0.01f);
  } else {
    AddNode(&g, "epsilon", "Abs", {"epsilon_value"});
  }
  AddNode(&g, "add", "AddV2", pair("variance", "epsilon"));
  AddNode(&g, "rsqrt", "Rsqrt", {"add"});
  std::string inv = "rsqrt";
  if (o.gamma) {
    AddConst(&g, "gamma", o.gamma_shape, 0.5, 1.5, 1);
    AddNode(&g, "mul", "Mul", pair("rsqrt", "gamma"));
    inv = "mul";
  }
  AddNode(&g, "neg", "Neg", {"mean"});
  AddNode(&g, "mul_1", "Mul", pair("neg", inv));
  std::string shift = "mul_1";
  if (o.beta) {
    AddConst(&g, "beta", o.gamma_shape, -1, 1, 2);
    AddNode(&g, "add_1", "AddV2", pair("mul_1", "beta"));
    shift = "add_1";
  }
  AddNode(&g, "mul_2", "Mul", pair("x", inv));
  AddNode(&g, "out", "AddV2", pair("mul_2", shift));
  return g;
}

void ExpectFused(const Options& o, std::vector<TensorShape> shapes) {
  auto session = Session::Create(LayerNorm(o));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const std::vector<std::string> ops = StepOps(**session, {"out:0"});
  EXPECT_TRUE(Has(ops, "_FusedLayerNorm"));
  for (const char* op : {"Mean", "SquaredDifference", "Rsqrt", "Neg", "Mul", "AddV2"}) {
    EXPECT_FALSE(Has(ops, op)) << op;
  }
  EXPECT_TRUE(Has(StepOps(**session, {"out:0", "mean:0"}), "Rsqrt"));  // pinned: not fused
  int seed = 10;
  for (const TensorShape& shape : shapes) {
    // An offset and a scale per row, as layer norm inputs have.
    const Tensor x = Random(shape, ++seed, -3, 5);
    ExpectSameAsUnrewritten(**session, x, "out:0", "mean:0", 1e-5f);
  }
}

TEST(FuseLayerNormTest, KerasLayerNormalizationIsOneNode) {
  ExpectFused(Options(), {TensorShape{2, 5, kDepth}, TensorShape{1, 1, kDepth}});
}

TEST(FuseLayerNormTest, VariantsAreOneNodeToo) {
  Options swapped;
  swapped.swap = true;
  swapped.stop_gradient = false;
  swapped.gamma_shape = TensorShape{kDepth};
  ExpectFused(swapped, {TensorShape{3, kDepth}, TensorShape{2, 2, 2, kDepth}});
  Options no_gamma;
  no_gamma.gamma = false;
  ExpectFused(no_gamma, {TensorShape{2, 5, kDepth}});
  Options no_beta;
  no_beta.beta = false;
  ExpectFused(no_beta, {TensorShape{2, 5, kDepth}});
  Options neither;
  neither.gamma = neither.beta = false;
  ExpectFused(neither, {TensorShape{4, kDepth}});
}

TEST(FuseLayerNormTest, ParametersThatAreNotPerChannelBroadcastAsTheGraphDoes) {
  Options per_position;
  per_position.gamma_shape = TensorShape{5, kDepth};  // a scale per position and channel
  ExpectFused(per_position, {TensorShape{2, 5, kDepth}});
  Options single;
  single.gamma_shape = TensorShape{1};
  ExpectFused(single, {TensorShape{2, 5, kDepth}});
}

TEST(FuseLayerNormTest, AlmostALayerNormStaysAsItIs) {
  auto unfused = [](const Options& o, std::vector<std::string> fetches = {"out:0"}) {
    auto session = Session::Create(LayerNorm(o));
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    if (!session.ok()) return;
    const std::vector<std::string> ops = StepOps(**session, fetches);
    EXPECT_FALSE(Has(ops, "_FusedLayerNorm"));
    EXPECT_TRUE(Has(ops, "Rsqrt"));
  };
  Options first_axis;
  first_axis.axes = {0};
  unfused(first_axis);
  Options positive_axis;  // the last axis of a rank-2 x, but the rank is not known at load
  positive_axis.axes = {1};
  unfused(positive_axis);
  Options no_keep_dims;
  no_keep_dims.keep_dims = false;
  unfused(no_keep_dims);
  Options computed_epsilon;
  computed_epsilon.epsilon_const = false;
  unfused(computed_epsilon);
  Options other_variance;
  other_variance.variance_of_x = false;
  unfused(other_variance);
  unfused(Options(), {"out:0", "rsqrt:0"});  // an intermediate fetched

  // A second reader of an intermediate.
  tensorflow::GraphDef g = LayerNorm(Options());
  AddNode(&g, "other", "Relu", {"mul_1"});
  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok());
  EXPECT_FALSE(Has(StepOps(**session, {"out:0", "other:0"}), "_FusedLayerNorm"));
  EXPECT_TRUE(Has(StepOps(**session, {"out:0"}), "_FusedLayerNorm"));  // other not run
}

}  // namespace
}  // namespace tern
