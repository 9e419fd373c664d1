// The load-time convolution fusion: which chains become one fused node, which must not (a
// fetched intermediate, a second reader, a batch norm in training mode), and that a fused plan
// computes what the unfused one does (every step kept when the convolution's output is fetched).
#include "runtime/optimize/fuse_convolutions.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "runtime/format/tensor_proto.h"
#include "runtime/session.h"

namespace tern {
namespace {

constexpr int64_t kChannels = 4, kOut = 6;

tensorflow::NodeDef* AddNode(tensorflow::GraphDef* g, const std::string& name,
                             const std::string& op, std::vector<std::string> inputs = {}) {
  auto* n = g->add_node();
  n->set_name(name);
  n->set_op(op);
  for (auto& i : inputs) n->add_input(i);
  if (op != "Const" && op != "Placeholder")
    (*n->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
  return n;
}

void AddConst(tensorflow::GraphDef* g, const std::string& name, TensorShape shape, float low,
              float high, int seed) {
  Tensor t(tensorflow::DT_FLOAT, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(low, high);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.flat<float>()[i] = dist(rng);
  auto* n = AddNode(g, name, "Const");
  (*n->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
  TensorToProto(t, (*n->mutable_attr())["value"].mutable_tensor());
}

void AddPlaceholder(tensorflow::GraphDef* g, const std::string& name) {
  (*AddNode(g, name, "Placeholder")->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
}

// x -> conv (Conv2D or depthwise, SAME, stride 2) -> BiasAdd -> FusedBatchNormV3 -> AddV2(r) ->
// Relu6, as Keras writes a residual block.
tensorflow::GraphDef Block(bool depthwise, bool training = false) {
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  AddPlaceholder(&g, "r");
  const int64_t out_c = depthwise ? kChannels * 2 : kOut;
  AddConst(&g, "w", TensorShape{3, 3, kChannels, depthwise ? 2 : kOut}, -1, 1, 1);
  AddConst(&g, "b", TensorShape{out_c}, -1, 1, 2);
  AddConst(&g, "scale", TensorShape{out_c}, 0.5, 1.5, 3);
  AddConst(&g, "offset", TensorShape{out_c}, -1, 1, 4);
  AddConst(&g, "mean", TensorShape{out_c}, -1, 1, 5);
  AddConst(&g, "var", TensorShape{out_c}, 0.5, 2, 6);
  auto* conv = AddNode(&g, "conv", depthwise ? "DepthwiseConv2dNative" : "Conv2D", {"x", "w"});
  for (int64_t s : {1, 2, 2, 1}) (*conv->mutable_attr())["strides"].mutable_list()->add_i(s);
  (*conv->mutable_attr())["padding"].set_s("SAME");
  AddNode(&g, "bias", "BiasAdd", {"conv", "b"});
  auto* bn = AddNode(&g, "bn", "FusedBatchNormV3", {"bias", "scale", "offset", "mean", "var"});
  (*bn->mutable_attr())["U"].set_type(tensorflow::DT_FLOAT);
  (*bn->mutable_attr())["epsilon"].set_f(0.001f);
  (*bn->mutable_attr())["is_training"].set_b(training);
  AddNode(&g, "add", "AddV2", {"r", "bn"});
  AddNode(&g, "act", "Relu6", {"add"});
  return g;
}

Tensor RandomTensor(TensorShape shape, int seed) {
  Tensor t(tensorflow::DT_FLOAT, std::move(shape));
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0, 2);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.flat<float>()[i] = dist(rng);
  return t;
}

std::vector<std::string> StepOps(Session& session, const std::vector<std::string>& fetches) {
  PlanSpec spec;
  spec.feeds = {"x:0", "r:0"};
  spec.fetches = fetches;
  auto plan = session.Prepare(spec);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? (*plan)->StepOps() : std::vector<std::string>();
}

bool Has(const std::vector<std::string>& ops, const std::string& op) {
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

void ExpectFusedEqualsUnfused(bool depthwise) {
  auto session = Session::Create(Block(depthwise));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const std::vector<std::string> fused = StepOps(**session, {"act:0"});
  EXPECT_TRUE(Has(fused, depthwise ? "_FusedDepthwiseConv2dNative" : "_FusedConv2D"));
  for (const char* op :
       {"Conv2D", "DepthwiseConv2dNative", "BiasAdd", "FusedBatchNormV3", "AddV2", "Relu6"}) {
    EXPECT_FALSE(Has(fused, op)) << op;
  }
  // Fetching the convolution's output pins it: nothing is fused.
  const std::vector<std::string> unfused = StepOps(**session, {"act:0", "conv:0"});
  EXPECT_TRUE(Has(unfused, "BiasAdd"));
  EXPECT_TRUE(Has(unfused, "Relu6"));

  const int64_t out_c = depthwise ? kChannels * 2 : kOut;
  for (int64_t batch : {1, 3}) {
    const Tensor x = RandomTensor(TensorShape{batch, 9, 7, kChannels}, 7);
    const Tensor r = RandomTensor(TensorShape{batch, 5, 4, out_c}, 8);
    auto a = (*session)->Run({{"x:0", x}, {"r:0", r}}, {"act:0"}, {}, RunOptions());
    auto b = (*session)->Run({{"x:0", x}, {"r:0", r}}, {"act:0", "conv:0"}, {}, RunOptions());
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    ASSERT_EQ((*a)[0].shape(), (*b)[0].shape());
    int clipped = 0;
    for (int64_t i = 0; i < (*a)[0].num_elements(); ++i) {
      const float want = (*b)[0].flat<float>()[i];
      ASSERT_NEAR((*a)[0].flat<float>()[i], want, 1e-4 + 1e-5 * std::abs(want)) << i;
      clipped += want == 0.f || want == 6.f;
    }
    EXPECT_LT(clipped, (*a)[0].num_elements()) << "the data never reaches the linear part";
  }
}

TEST(FuseConvolutionsTest, Conv2DChainIsOneNodeAndComputesTheSame) {
  ExpectFusedEqualsUnfused(/*depthwise=*/false);
}

TEST(FuseConvolutionsTest, DepthwiseChainIsOneNodeAndComputesTheSame) {
  ExpectFusedEqualsUnfused(/*depthwise=*/true);
}

TEST(FuseConvolutionsTest, AnAddendThatBroadcastsStillAddsCorrectly) {
  auto session = Session::Create(Block(/*depthwise=*/false));
  ASSERT_TRUE(session.ok());
  const Tensor x = RandomTensor(TensorShape{2, 9, 7, kChannels}, 7);
  const Tensor r = RandomTensor(TensorShape{kOut}, 9);  // a TF1 bias written as Add
  auto a = (*session)->Run({{"x:0", x}, {"r:0", r}}, {"act:0"}, {}, RunOptions());
  auto b = (*session)->Run({{"x:0", x}, {"r:0", r}}, {"act:0", "conv:0"}, {}, RunOptions());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ((*a)[0].shape(), (*b)[0].shape());
  for (int64_t i = 0; i < (*a)[0].num_elements(); ++i) {
    ASSERT_NEAR((*a)[0].flat<float>()[i], (*b)[0].flat<float>()[i], 1e-4) << i;
  }
}

// conv -> BiasAdd -> y * Sigmoid(y) (tf.nn.silu), or y * Sigmoid(beta * y) as Keras writes
// activation="swish" (beta a Const).
void ExpectSwishFused(bool with_beta) {
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  AddConst(&g, "w", TensorShape{1, 1, kChannels, kOut}, -1, 1, 1);
  AddConst(&g, "b", TensorShape{kOut}, -1, 1, 2);
  auto* conv = AddNode(&g, "conv", "Conv2D", {"x", "w"});
  for (int64_t s : {1, 1, 1, 1}) (*conv->mutable_attr())["strides"].mutable_list()->add_i(s);
  (*conv->mutable_attr())["padding"].set_s("VALID");
  AddNode(&g, "bias", "BiasAdd", {"conv", "b"});
  if (with_beta) {
    AddConst(&g, "beta", TensorShape{}, 1.5, 1.5, 3);
    AddNode(&g, "scaled", "Mul", {"beta", "bias"});
    AddNode(&g, "sig", "Sigmoid", {"scaled"});
  } else {
    AddNode(&g, "sig", "Sigmoid", {"bias"});
  }
  AddNode(&g, "swish", "Mul", {"bias", "sig"});
  // Keras' custom gradient reads the parts too; the plan never runs it.
  AddNode(&g, "gradient_inputs", "IdentityN", {"swish", "bias", "sig"});
  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok());
  PlanSpec spec;
  spec.feeds = {"x:0"};
  spec.fetches = {"swish:0"};
  auto plan = (*session)->Prepare(spec);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ((*plan)->StepOps(), std::vector<std::string>({"_FusedConv2D"}));
  const Tensor x = RandomTensor(TensorShape{2, 3, 5, kChannels}, 7);
  auto a = (*session)->Run({{"x:0", x}}, {"swish:0"}, {}, RunOptions());
  auto b = (*session)->Run({{"x:0", x}}, {"swish:0", "conv:0"}, {}, RunOptions());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  for (int64_t i = 0; i < (*a)[0].num_elements(); ++i) {
    ASSERT_NEAR((*a)[0].flat<float>()[i], (*b)[0].flat<float>()[i], 1e-5) << i;
  }
}

TEST(FuseConvolutionsTest, SwishBecomesAPostOp) { ExpectSwishFused(/*with_beta=*/false); }

TEST(FuseConvolutionsTest, KerasSwishWithBetaBecomesAPostOp) {
  ExpectSwishFused(/*with_beta=*/true);
}

TEST(FuseConvolutionsTest, TrainingBatchNormAndSharedOutputsStopTheChain) {
  auto training = Session::Create(Block(/*depthwise=*/false, /*training=*/true));
  ASSERT_TRUE(training.ok());
  const std::vector<std::string> ops = StepOps(**training, {"act:0"});
  EXPECT_TRUE(Has(ops, "_FusedConv2D"));  // conv + BiasAdd still fuse
  EXPECT_TRUE(Has(ops, "FusedBatchNormV3"));

  tensorflow::GraphDef shared = Block(/*depthwise=*/false);
  AddNode(&shared, "other", "Relu", {"bias"});  // a second reader of the BiasAdd
  auto session = Session::Create(shared);
  ASSERT_TRUE(session.ok());
  const std::vector<std::string> shared_ops = StepOps(**session, {"act:0", "other:0"});
  EXPECT_TRUE(Has(shared_ops, "_FusedConv2D"));  // conv + BiasAdd, which two nodes read
  EXPECT_TRUE(Has(shared_ops, "FusedBatchNormV3"));
  EXPECT_TRUE(Has(shared_ops, "Relu"));
}

void AddPaddings(tensorflow::GraphDef* g, const std::string& name, std::vector<int32_t> values) {
  Tensor t(tensorflow::DT_INT32, TensorShape{4, 2});
  std::copy(values.begin(), values.end(), t.flat<int32_t>());
  auto* n = AddNode(g, name, "Const");
  (*n->mutable_attr())["dtype"].set_type(tensorflow::DT_INT32);
  TensorToProto(t, (*n->mutable_attr())["value"].mutable_tensor());
}

// x -> Pad (H and W, asymmetric, as Keras' ZeroPadding2D writes before a stride-2 convolution)
// -> conv (VALID, stride 2) [-> Relu]: the pad becomes the convolution's explicit padding.
void ExpectPadFolded(bool depthwise, bool with_relu) {
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  AddPaddings(&g, "paddings", {0, 0, 0, 1, 1, 2, 0, 0});
  AddNode(&g, "pad", "Pad", {"x", "paddings"});
  AddConst(&g, "w", TensorShape{3, 3, kChannels, depthwise ? 2 : kOut}, -1, 1, 1);
  auto* conv = AddNode(&g, "conv", depthwise ? "DepthwiseConv2dNative" : "Conv2D", {"pad", "w"});
  for (int64_t s : {1, 2, 2, 1}) (*conv->mutable_attr())["strides"].mutable_list()->add_i(s);
  (*conv->mutable_attr())["padding"].set_s("VALID");
  const std::string out = with_relu ? "act:0" : "conv:0";
  if (with_relu) AddNode(&g, "act", "Relu", {"conv"});
  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  PlanSpec spec;
  spec.feeds = {"x:0"};
  spec.fetches = {out};
  auto plan = (*session)->Prepare(spec);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const std::vector<std::string> ops = (*plan)->StepOps();
  EXPECT_FALSE(Has(ops, "Pad"));
  const char* conv_op = depthwise ? "DepthwiseConv2dNative" : "Conv2D";
  const char* fused_op = depthwise ? "_FusedDepthwiseConv2dNative" : "_FusedConv2D";
  EXPECT_TRUE(Has(ops, with_relu ? fused_op : conv_op));
  for (int64_t batch : {1, 2}) {
    const Tensor x = RandomTensor(TensorShape{batch, 9, 8, kChannels}, 7);
    auto folded = (*session)->Run({{"x:0", x}}, {out}, {}, RunOptions());
    // Fetching the pad too pins it: the unfolded graph, computed step by step.
    auto plain = (*session)->Run({{"x:0", x}}, {out, "pad:0"}, {}, RunOptions());
    ASSERT_TRUE(folded.ok()) << folded.status().ToString();
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    ASSERT_EQ((*folded)[0].shape(), (*plain)[0].shape());
    EXPECT_EQ((*folded)[0].shape(), TensorShape({batch, 4, 5, depthwise ? 2 * kChannels : kOut}));
    for (int64_t i = 0; i < (*folded)[0].num_elements(); ++i) {
      ASSERT_NEAR((*folded)[0].flat<float>()[i], (*plain)[0].flat<float>()[i], 1e-4) << i;
    }
  }
}

TEST(FuseConvolutionsTest, ZeroPadBeforeAConvolutionBecomesItsPadding) {
  ExpectPadFolded(/*depthwise=*/false, /*with_relu=*/false);
  ExpectPadFolded(/*depthwise=*/true, /*with_relu=*/false);
}

TEST(FuseConvolutionsTest, ZeroPadJoinsAFusedChain) {
  ExpectPadFolded(/*depthwise=*/false, /*with_relu=*/true);
  ExpectPadFolded(/*depthwise=*/true, /*with_relu=*/true);
}

// The ops of the plan for x -> pad op (Pad, or PadV2 with a constant `value`) -> VALID Conv2D.
std::vector<std::string> PadThenConvOps(const std::string& pad_op, std::vector<int32_t> pads,
                                        float value = 0) {
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  AddPaddings(&g, "paddings", pads);
  if (pad_op == "PadV2") {
    AddConst(&g, "value", TensorShape{}, value, value, 2);
    AddNode(&g, "pad", "PadV2", {"x", "paddings", "value"});
  } else {
    AddNode(&g, "pad", pad_op, {"x", "paddings"});
  }
  AddConst(&g, "w", TensorShape{3, 3, kChannels + pads[6] + pads[7], kOut}, -1, 1, 1);
  auto* conv = AddNode(&g, "conv", "Conv2D", {"pad", "w"});
  for (int64_t s : {1, 1, 1, 1}) (*conv->mutable_attr())["strides"].mutable_list()->add_i(s);
  (*conv->mutable_attr())["padding"].set_s("VALID");
  auto session = Session::Create(g);
  EXPECT_TRUE(session.ok());
  if (!session.ok()) return {};
  PlanSpec spec;
  spec.feeds = {"x:0"};
  spec.fetches = {"conv:0"};
  auto plan = (*session)->Prepare(spec);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? (*plan)->StepOps() : std::vector<std::string>();
}

TEST(FuseConvolutionsTest, APadOfTheBatchOrChannelsOrANonZeroValueStays) {
  EXPECT_TRUE(Has(PadThenConvOps("Pad", {1, 0, 1, 1, 1, 1, 0, 0}), "Pad"));
  EXPECT_TRUE(Has(PadThenConvOps("Pad", {0, 0, 1, 1, 1, 1, 0, 1}), "Pad"));
  EXPECT_TRUE(Has(PadThenConvOps("PadV2", {0, 0, 1, 1, 1, 1, 0, 0}, /*value=*/1), "PadV2"));
}

}  // namespace
}  // namespace tern
