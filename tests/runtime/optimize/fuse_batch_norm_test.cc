// The load-time batch norm + Relu fusion: an inference FusedBatchNorm read only by a Relu becomes
// one _FusedBatchNormEx that computes what the two did (checked against a double-precision
// reference, NaN included, channels last and first, on one core and split among two); nothing is
// fused when the batch norm's y or statistics are read elsewhere; and _FusedBatchNormEx refuses
// at load what it does not compute.
#include "runtime/optimize/fuse_batch_norm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "runtime/intra_op.h"
#include "test_graph.h"

namespace tern {
namespace {

using namespace test_graph;  // NOLINT

struct BatchNorm {
  std::string op = "FusedBatchNormV3";
  bool channels_first = false;
  int64_t channels = 24;
};

// x -> op(x, scale, offset, mean, variance) -> Relu -> out.
tensorflow::GraphDef BatchNormRelu(const BatchNorm& b) {
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  AddConst(&g, "scale", TensorShape{b.channels}, 0.5f, 2.f, 1);
  AddConst(&g, "offset", TensorShape{b.channels}, -1.f, 1.f, 2);
  AddConst(&g, "mean", TensorShape{b.channels}, -0.5f, 0.5f, 3);
  AddConst(&g, "variance", TensorShape{b.channels}, 0.2f, 3.f, 4);
  auto* bn = AddNode(&g, "bn", b.op, {"x", "scale", "offset", "mean", "variance"});
  auto& attrs = *bn->mutable_attr();
  if (b.op != "FusedBatchNorm") attrs["U"].set_type(tensorflow::DT_FLOAT);
  attrs["epsilon"].set_f(0.001f);
  attrs["is_training"].set_b(false);
  attrs["data_format"].set_s(b.channels_first ? "NCHW" : "NHWC");
  AddNode(&g, "relu", "Relu", {"bn"});
  AddNode(&g, "out", "Identity", {"relu"});
  return g;
}

// out for x of `shape` against max((x - mean) / sqrt(variance + epsilon) * scale + offset, 0)
// in double; a NaN in x stays NaN.
void ExpectBatchNormRelu(Session& session, const BatchNorm& b, const TensorShape& shape) {
  Tensor x = Random(shape, 5, -3, 3);
  x.flat<float>()[7] = std::numeric_limits<float>::quiet_NaN();
  auto out = session.Run({{"x:0", x}}, {"out:0"}, {}, RunOptions());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ((*out)[0].shape(), shape);
  const Tensor scale = Random(TensorShape{b.channels}, 1, 0.5f, 2.f);
  const Tensor offset = Random(TensorShape{b.channels}, 2, -1.f, 1.f);
  const Tensor mean = Random(TensorShape{b.channels}, 3, -0.5f, 0.5f);
  const Tensor variance = Random(TensorShape{b.channels}, 4, 0.2f, 3.f);
  int64_t inner = 1;
  if (b.channels_first) {
    for (int d = 2; d < shape.rank(); ++d) inner *= shape.dim(d);
  }
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const int64_t c = (i / inner) % b.channels;
    const double v = (x.flat<float>()[i] - static_cast<double>(mean.flat<float>()[c])) /
                         std::sqrt(static_cast<double>(variance.flat<float>()[c]) + 0.001f) *
                         scale.flat<float>()[c] +
                     offset.flat<float>()[c];
    const float got = (*out)[0].flat<float>()[i];
    if (std::isnan(v)) {
      ASSERT_TRUE(std::isnan(got)) << "element " << i << " is " << got << ", expected NaN";
      continue;
    }
    const double want = std::max(v, 0.0);
    ASSERT_NEAR(got, want, 1e-5 * (1 + std::abs(want))) << "element " << i;
  }
}

void ExpectFused(const BatchNorm& b, const TensorShape& shape) {
  SCOPED_TRACE(b.op + (b.channels_first ? " NCHW " : " NHWC ") + shape.DebugString());
  auto session = Session::Create(BatchNormRelu(b));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const std::vector<std::string> ops = StepOps(**session, {"out:0"});
  EXPECT_TRUE(Has(ops, "_FusedBatchNormEx"));
  EXPECT_FALSE(Has(ops, b.op));
  EXPECT_FALSE(Has(ops, "Relu"));
  ExpectBatchNormRelu(**session, b, shape);
}

class FuseBatchNormTest : public ::testing::Test {
 protected:
  void TearDown() override { IntraOpThreads::SetLimit(1); }
};

TEST_F(FuseBatchNormTest, BatchNormAndReluAreOneNode) {
  for (const char* op : {"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"}) {
    BatchNorm b;
    b.op = op;
    ExpectFused(b, TensorShape{2, 3, 5, b.channels});
  }
  BatchNorm first;
  first.channels_first = true;
  ExpectFused(first, TensorShape{2, first.channels, 3, 5});
}

// 64 x 16 x 16 x 24 floats (1.5 MB) are split among two cores when two are allowed.
TEST_F(FuseBatchNormTest, LargeInputsAreSplitAmongCores) {
  BatchNorm b;
  ExpectFused(b, TensorShape{64, 16, 16, b.channels});
  IntraOpThreads::SetLimit(2);
  ExpectFused(b, TensorShape{64, 16, 16, b.channels});
}

TEST_F(FuseBatchNormTest, BatchNormsReadElsewhereStay) {
  BatchNorm b;
  auto session = Session::Create(BatchNormRelu(b));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  // y fetched: nothing fused, and the same answer either way.
  const std::vector<std::string> ops = StepOps(**session, {"out:0", "bn:0"});
  EXPECT_TRUE(Has(ops, "FusedBatchNormV3"));
  EXPECT_TRUE(Has(ops, "Relu"));
  EXPECT_FALSE(Has(ops, "_FusedBatchNormEx"));
  ExpectSameAsUnrewritten(**session, Random(TensorShape{4, 6, b.channels}, 6), "out:0", "bn:0",
                          1e-6f);

  // A statistic read by another node: the batch norm stays.
  tensorflow::GraphDef g = BatchNormRelu(b);
  AddNode(&g, "mean_out", "Identity", {"bn:1"});
  auto both = Session::Create(g);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  const std::vector<std::string> kept = StepOps(**both, {"out:0", "mean_out:0"});
  EXPECT_TRUE(Has(kept, "FusedBatchNormV3"));
  EXPECT_FALSE(Has(kept, "_FusedBatchNormEx"));
}

TEST_F(FuseBatchNormTest, UnsupportedFusedBatchNormExIsRefusedAtLoad) {
  for (const auto& [attr, message] :
       {std::pair<std::string, std::string>{"activation_mode",
                                            "activation_mode Elu is not supported"},
        {"num_side_inputs", "num_side_inputs 1 is not supported"}}) {
    tensorflow::GraphDef g;
    AddPlaceholder(&g, "x");
    for (const char* p : {"scale", "offset", "mean", "variance"}) {
      AddConst(&g, p, TensorShape{4}, 0.5f, 1.f, 1);
    }
    auto* ex =
        AddNode(&g, "out", "_FusedBatchNormEx", {"x", "scale", "offset", "mean", "variance"});
    if (attr == "activation_mode") {
      (*ex->mutable_attr())["activation_mode"].set_s("Elu");
    } else {
      (*ex->mutable_attr())["num_side_inputs"].set_i(1);
    }
    auto session = Session::Create(g);
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    PlanSpec spec;
    spec.feeds = {"x:0"};
    spec.fetches = {"out:0"};
    auto plan = (*session)->Prepare(spec);
    ASSERT_FALSE(plan.ok()) << attr;
    EXPECT_NE(plan.status().message().find(message), std::string::npos) << plan.status().ToString();
  }
}

}  // namespace
}  // namespace tern
