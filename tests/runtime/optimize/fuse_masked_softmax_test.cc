// The load-time masked softmax fusion: Keras' SelectV2 -> Softmax -> SelectV2 becomes one
// _FusedMaskedSoftmax whose answer is the three ops' bit for bit, under every broadcast of the
// mask and the logits, and nothing is fused when the pattern is only almost there.
#include "runtime/optimize/fuse_masked_softmax.h"

#include <gtest/gtest.h>

#include <cstring>

#include "test_graph.h"

namespace tern {
namespace {

using namespace test_graph;  // NOLINT

struct Options {
  bool same_mask = true;     // false: the second select reads another mask
  bool rank1_logit = false;  // -1e9 as a [1] Const
  float masked_output = 0.f;
};

// (x, mask) -> keras.layers.Softmax(x, mask) -> out.
tensorflow::GraphDef MaskedSoftmax(const Options& o) {
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  AddPlaceholder(&g, "mask", tensorflow::DT_BOOL);
  if (o.rank1_logit) {
    AddConst(&g, "masked_logit", TensorShape{1}, -1e9f, -1e9f, 1);
  } else {
    AddScalar(&g, "masked_logit", -1e9f);
  }
  AddScalar(&g, "masked_output", o.masked_output);
  AddNode(&g, "where", "SelectV2", {"mask", "x", "masked_logit"});
  AddNode(&g, "softmax", "Softmax", {"where"});
  std::string second_mask = "mask";
  if (!o.same_mask) {
    AddNode(&g, "other_mask", "LogicalNot", {"mask"}, tensorflow::DT_BOOL);
    second_mask = "other_mask";
  }
  AddNode(&g, "out", "SelectV2", {second_mask, "softmax", "masked_output"});
  return g;
}

std::vector<std::string> Ops(Session& session, const std::vector<std::string>& fetches) {
  PlanSpec spec;
  spec.feeds = {"x:0", "mask:0"};
  spec.fetches = fetches;
  auto plan = session.Prepare(spec);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? (*plan)->StepOps() : std::vector<std::string>();
}

Tensor Mask(TensorShape shape, int seed) {
  Tensor t(tensorflow::DT_BOOL, std::move(shape));
  std::mt19937 rng(seed);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.flat<bool>()[i] = rng() % 4 != 0;
  return t;
}

// Fused (fetching out only) and unfused (the softmax pinned) answers: the same bits.
void ExpectSameBits(Session& session, const Tensor& x, const Tensor& mask) {
  const std::vector<std::pair<std::string, Tensor>> feeds = {{"x:0", x}, {"mask:0", mask}};
  auto fused = session.Run(feeds, {"out:0"}, {}, RunOptions());
  auto unfused = session.Run(feeds, {"out:0", "softmax:0"}, {}, RunOptions());
  ASSERT_TRUE(fused.ok()) << fused.status().ToString();
  ASSERT_TRUE(unfused.ok()) << unfused.status().ToString();
  const Tensor& a = (*fused)[0];
  const Tensor& b = (*unfused)[0];
  ASSERT_EQ(a.shape(), b.shape());
  ASSERT_EQ(0, std::memcmp(a.flat<float>(), b.flat<float>(), a.num_elements() * sizeof(float)));
}

TEST(FuseMaskedSoftmaxTest, KerasMaskedSoftmaxIsOneNode) {
  auto session = Session::Create(MaskedSoftmax(Options()));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(Ops(**session, {"out:0"}), std::vector<std::string>({"_FusedMaskedSoftmax"}));
  EXPECT_FALSE(Has(Ops(**session, {"out:0", "softmax:0"}), "_FusedMaskedSoftmax"));
}

TEST(FuseMaskedSoftmaxTest, SameBitsUnderEveryBroadcast) {
  auto session = Session::Create(MaskedSoftmax(Options()));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  struct Case {
    TensorShape x, mask;
  };
  const std::vector<Case> cases = {
      {{2, 4, 3, 37}, {2, 1, 3, 37}},  // MultiHeadAttention: one mask for every head
      {{2, 4, 3, 37}, {2, 4, 3, 37}},  // a mask per element
      {{2, 3, 37}, {2, 3, 1}},         // a mask per row
      {{3, 37}, {37}},                 // one mask row for all
      {{1, 3, 37}, {2, 3, 37}},        // the logits broadcast up to the mask
      {{3, 1}, {3, 37}},               // ... along the softmax axis too
      {{5}, {}},                       // a scalar mask
      {{2, 0, 4}, {2, 1, 4}},          // nothing
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.x.DebugString() + " mask " + c.mask.DebugString());
    ExpectSameBits(**session, Random(c.x, 3, -8, 8), Mask(c.mask, 4));
  }
  // Rows masked entirely: the masked output, as the second select writes it.
  Tensor none(tensorflow::DT_BOOL, TensorShape{2, 1, 37});
  std::fill(none.flat<bool>(), none.flat<bool>() + none.num_elements(), false);
  ExpectSameBits(**session, Random(TensorShape{2, 3, 37}, 5), none);
}

TEST(FuseMaskedSoftmaxTest, AnyMaskedOutputIsKept) {
  Options o;
  o.masked_output = -1.5f;
  auto session = Session::Create(MaskedSoftmax(o));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_TRUE(Has(Ops(**session, {"out:0"}), "_FusedMaskedSoftmax"));
  ExpectSameBits(**session, Random(TensorShape{2, 9}, 6), Mask(TensorShape{2, 9}, 7));
}

TEST(FuseMaskedSoftmaxTest, BadShapesAreAnErrorNamingThem) {
  auto session = Session::Create(MaskedSoftmax(Options()));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto out = (*session)->Run(
      {{"x:0", Random(TensorShape{2, 5}, 1)}, {"mask:0", Mask(TensorShape{3, 5}, 2)}}, {"out:0"},
      {}, RunOptions());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("[3,5]"), std::string::npos) << out.status().ToString();
}

TEST(FuseMaskedSoftmaxTest, AlmostAMaskedSoftmaxStaysAsItIs) {
  auto unfused = [](const tensorflow::GraphDef& g, std::vector<std::string> fetches) {
    auto session = Session::Create(g);
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    EXPECT_FALSE(Has(Ops(**session, fetches), "_FusedMaskedSoftmax"));
  };
  Options other_mask;
  other_mask.same_mask = false;
  unfused(MaskedSoftmax(other_mask), {"out:0"});
  Options rank1;
  rank1.rank1_logit = true;
  unfused(MaskedSoftmax(rank1), {"out:0"});
  tensorflow::GraphDef second_reader = MaskedSoftmax(Options());
  AddNode(&second_reader, "other", "Relu", {"where"});
  unfused(second_reader, {"out:0", "other:0"});
  unfused(MaskedSoftmax(Options()), {"out:0", "where:0"});  // an intermediate fetched
}

}  // namespace
}  // namespace tern
