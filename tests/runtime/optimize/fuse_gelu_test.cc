// The load-time GELU fusion: tf.nn.gelu's exact (erf) and approximate (tanh) graphs become one
// _FusedGelu that computes what they do, and nothing is fused when a constant, a dtype or a
// reader differs.
#include "runtime/optimize/fuse_gelu.h"

#include <gtest/gtest.h>

#include "test_graph.h"

namespace tern {
namespace {

using namespace test_graph;  // NOLINT

enum class Form { kTanh, kErfDivide, kErfMultiply, kErfc };

struct Options {
  Form form = Form::kTanh;
  bool swap = false;  // every commutative op's operands the other way round
  float coeff = static_cast<float>(0.044715);
  bool rank1_half = false;  // 0.5 as a [1] Const, which would broadcast a scalar x to [1]
};

// x -> BiasAdd-free tf.nn.gelu -> out.
tensorflow::GraphDef Gelu(const Options& o) {
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  auto pair = [&](const std::string& a, const std::string& b) {
    return o.swap ? std::vector<std::string>{b, a} : std::vector<std::string>{a, b};
  };
  if (o.rank1_half) {
    AddConst(&g, "half", TensorShape{1}, 0.5, 0.5, 1);
  } else {
    AddScalar(&g, "half", 0.5f);
  }
  AddScalar(&g, "one", 1.f);
  AddNode(&g, "mul", "Mul", pair("half", "x"));
  if (o.form == Form::kTanh) {
    AddScalar(&g, "three", 3.f);
    AddScalar(&g, "coeff", o.coeff);
    AddScalar(&g, "sqrt_2_over_pi", static_cast<float>(0.7978845608028654));
    AddNode(&g, "pow", "Pow", {"x", "three"});
    AddNode(&g, "mul_1", "Mul", pair("coeff", "pow"));
    AddNode(&g, "add", "AddV2", pair("x", "mul_1"));
    AddNode(&g, "mul_2", "Mul", pair("sqrt_2_over_pi", "add"));
    AddNode(&g, "f", "Tanh", {"mul_2"});
  } else if (o.form == Form::kErfDivide) {
    AddScalar(&g, "sqrt_2", static_cast<float>(1.4142135623730951));
    AddNode(&g, "scaled", "RealDiv", {"x", "sqrt_2"});
    AddNode(&g, "f", "Erf", {"scaled"});
  } else if (o.form == Form::kErfMultiply) {
    AddScalar(&g, "inv_sqrt_2", static_cast<float>(0.7071067811865476));
    AddNode(&g, "scaled", "Mul", pair("x", "inv_sqrt_2"));
    AddNode(&g, "f", "Erf", {"scaled"});
  } else {  // TensorFlow 2.21: 0.5 * x * erfc(-x * (1 / sqrt 2))
    AddScalar(&g, "inv_sqrt_2", static_cast<float>(0.7071067811865476));
    AddNode(&g, "neg", "Neg", {"x"});
    AddNode(&g, "scaled", "Mul", pair("neg", "inv_sqrt_2"));
    AddNode(&g, "f", "Erfc", {"scaled"});
    AddNode(&g, "out", "Mul", pair("mul", "f"));
    return g;
  }
  AddNode(&g, "add_1", "AddV2", pair("one", "f"));
  AddNode(&g, "out", "Mul", pair("mul", "add_1"));
  return g;
}

void ExpectFused(const Options& o) {
  auto session = Session::Create(Gelu(o));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(StepOps(**session, {"out:0"}), std::vector<std::string>({"_FusedGelu"}));
  EXPECT_FALSE(Has(StepOps(**session, {"out:0", "f:0"}), "_FusedGelu"));  // pinned: not fused
  // Wide enough to reach erf's and tanh's saturated tails.
  for (const TensorShape& shape : {TensorShape{3, 37}, TensorShape{}, TensorShape{0, 4}}) {
    ExpectSameAsUnrewritten(**session, Random(shape, 5, -6, 6), "out:0", "f:0", 2e-6f);
  }
}

TEST(FuseGeluTest, ApproximateGeluIsOneNode) {
  ExpectFused(Options());
  Options swapped;
  swapped.swap = true;
  ExpectFused(swapped);
}

TEST(FuseGeluTest, ExactGeluIsOneNode) {
  Options divide;
  divide.form = Form::kErfDivide;
  ExpectFused(divide);
  Options multiply;
  multiply.form = Form::kErfMultiply;
  multiply.swap = true;
  ExpectFused(multiply);
  Options erfc;
  erfc.form = Form::kErfc;
  ExpectFused(erfc);
  erfc.swap = true;
  ExpectFused(erfc);
}

TEST(FuseGeluTest, AlmostAGeluStaysAsItIs) {
  auto unfused = [](const tensorflow::GraphDef& g, std::vector<std::string> fetches) {
    auto session = Session::Create(g);
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    const std::vector<std::string> ops = StepOps(**session, fetches);
    EXPECT_FALSE(Has(ops, "_FusedGelu"));
  };
  Options other_coeff;
  other_coeff.coeff = 0.045f;
  unfused(Gelu(other_coeff), {"out:0"});
  Options rank1;
  rank1.rank1_half = true;
  unfused(Gelu(rank1), {"out:0"});
  tensorflow::GraphDef second_reader = Gelu(Options());
  AddNode(&second_reader, "other", "Relu", {"f"});
  unfused(second_reader, {"out:0", "other:0"});
  unfused(Gelu(Options()), {"out:0", "mul:0"});  // an intermediate fetched
}

}  // namespace
}  // namespace tern
