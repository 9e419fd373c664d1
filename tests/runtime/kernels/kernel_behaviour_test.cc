// Kernel behaviour the golden cases cannot express: error messages, buffer sharing, blocks larger
// than one tile, concurrency, variables and random state.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "run_kernel.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/state/resources.h"
#include "tf/attr_value.pb.h"
#include "tf/node_def.pb.h"

namespace tern {
namespace {

TEST(KernelsTest, EveryTaxiOpIsRegistered) {
  for (const char* op : {"BiasAdd", "Bucketize", "Cast", "ConcatV2", "ExpandDims", "MatMul",
                         "OneHot", "Pack", "Range", "Relu", "Shape", "SparseCross", "SparseToDense",
                         "StridedSlice", "Sum", "Tile", "Transpose"}) {
    EXPECT_NE(FindKernel(op), nullptr) << op;
  }
}

TEST(KernelsTest, ErrorsNameNodeAndOp) {
  auto node = MakeNode("MatMul");
  auto out = RunKernel(node, {Tensor::FromVector<float>({1, 2}, TensorShape{2}),
                              Tensor::FromVector<float>({1, 2}, TensorShape{2, 1})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("node 'n' (op MatMul)"), std::string::npos)
      << out.status().message();
  EXPECT_NE(out.status().message().find("2-D"), std::string::npos) << out.status().message();
}

TEST(KernelsTest, SparseCrossChecksRows) {
  auto node = MakeNode("SparseCross");
  auto& attr = *node.mutable_attr();
  attr["N"].set_i(1);
  attr["sparse_types"].mutable_list()->add_type(tensorflow::DT_INT64);
  attr["dense_types"].mutable_list();
  attr["hashed_output"].set_b(true);
  attr["num_buckets"].set_i(10);
  attr["hash_key"].set_i(1);
  attr["out_type"].set_type(tensorflow::DT_INT64);
  attr["internal_type"].set_type(tensorflow::DT_INT64);
  // Row 5 in a batch of 2.
  auto out = RunKernel(node, {Tensor::FromVector<int64_t>({5, 0}, TensorShape{1, 2}),
                              Tensor::FromVector<int64_t>({3}, TensorShape{1}),
                              Tensor::FromVector<int64_t>({2, 1}, TensorShape{2})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("outside the batch"), std::string::npos)
      << out.status().message();
}

// Inputs TensorFlow does not define (so no golden): unsorted value_rowids, and partition kinds
// Tern lacks, refused when the kernel is built rather than misread.
TEST(KernelsTest, RaggedTensorToTensorRejectsWhatItCannotPlace) {
  auto node = MakeNode("RaggedTensorToTensor");
  auto* types = (*node.mutable_attr())["row_partition_types"].mutable_list();
  types->add_s("FIRST_DIM_SIZE");
  types->add_s("VALUE_ROWIDS");
  auto out = RunKernel(
      node, {Tensor::Scalar<int64_t>(-1), Tensor::FromVector<int32_t>({1, 2, 3}, TensorShape{3}),
             Tensor::Scalar<int32_t>(0), Tensor::Scalar<int64_t>(3),
             Tensor::FromVector<int64_t>({0, 2, 1}, TensorShape{3})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("sorted"), std::string::npos) << out.status().message();

  types->set_s(1, "ROW_LENGTHS");
  out = RunKernel(
      node, {Tensor::Scalar<int64_t>(-1), Tensor::FromVector<int32_t>({1, 2, 3}, TensorShape{3}),
             Tensor::Scalar<int32_t>(0), Tensor::Scalar<int64_t>(3),
             Tensor::FromVector<int64_t>({1, 1, 1}, TensorShape{3})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("ROW_LENGTHS"), std::string::npos)
      << out.status().message();
}

TEST(KernelsTest, SparseCrossMemoryFollowsTheData) {
  // A batch size of 10^15 with one value: nothing is allocated per row.
  auto node = MakeNode("SparseCross");
  auto& attr = *node.mutable_attr();
  attr["N"].set_i(1);
  attr["sparse_types"].mutable_list()->add_type(tensorflow::DT_INT64);
  attr["dense_types"].mutable_list();
  attr["hashed_output"].set_b(true);
  attr["num_buckets"].set_i(10);
  attr["hash_key"].set_i(1);
  attr["out_type"].set_type(tensorflow::DT_INT64);
  attr["internal_type"].set_type(tensorflow::DT_INT64);
  const int64_t batch = 1000000000000000;
  auto out = RunKernel(node, {Tensor::FromVector<int64_t>({batch - 1, 0}, TensorShape{1, 2}),
                              Tensor::FromVector<int64_t>({3}, TensorShape{1}),
                              Tensor::FromVector<int64_t>({batch, 1}, TensorShape{2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].flat<int64_t>()[0], batch - 1);
  EXPECT_EQ((*out)[2].flat<int64_t>()[0], batch);
  EXPECT_EQ((*out)[2].flat<int64_t>()[1], 1);
}

TEST(KernelsTest, BadIndexDtypesAreErrors) {
  auto node = MakeNode("StridedSlice");
  Tensor x = Tensor::FromVector<float>({1, 2, 3}, TensorShape{3});
  Tensor f = Tensor::FromVector<float>({0}, TensorShape{1});
  EXPECT_FALSE(RunKernel(node, {x, f, f, f}).ok());
  Tensor b = Tensor::FromVector<int32_t>({0}, TensorShape{1});
  Tensor two = Tensor::FromVector<int32_t>({0, 1}, TensorShape{2});
  EXPECT_FALSE(RunKernel(node, {x, b, two, b}).ok());  // lengths differ
  auto tile = MakeNode("Tile");
  EXPECT_FALSE(RunKernel(tile, {x, Tensor::FromVector<int32_t>({1, 2}, TensorShape{2})}).ok());
  auto transpose = MakeNode("Transpose");
  EXPECT_FALSE(RunKernel(transpose, {x, Tensor::FromVector<int32_t>({1}, TensorShape{1})}).ok());
}

TEST(KernelsTest, IdentitySlicesShareTheBuffer) {
  auto node = MakeNode("StridedSlice");
  Tensor x = Tensor::FromVector<float>({1, 2, 3, 4}, TensorShape{2, 2});
  Tensor zero = Tensor::FromVector<int32_t>({0}, TensorShape{1});
  Tensor one = Tensor::FromVector<int32_t>({1}, TensorShape{1});
  (*node.mutable_attr())["begin_mask"].set_i(1);
  (*node.mutable_attr())["end_mask"].set_i(1);
  auto out = RunKernel(node, {x, zero, zero, one});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].raw_data(), x.raw_data());
  EXPECT_EQ((*out)[0].shape(), x.shape());
}

TEST(KernelsTest, MatMulLargerThanOneBlock) {
  // Big enough for Eigen's blocked GEMM path; checked against a plain double-precision loop.
  const int64_t m = 67, k = 129, n = 45;
  Tensor a(tensorflow::DT_FLOAT, TensorShape{m, k});
  Tensor b(tensorflow::DT_FLOAT, TensorShape{n, k});  // used transposed
  for (int64_t i = 0; i < m * k; ++i)
    a.flat<float>()[i] = static_cast<float>((i * 37 % 101) - 50) / 25.0f;
  for (int64_t i = 0; i < n * k; ++i)
    b.flat<float>()[i] = static_cast<float>((i * 53 % 97) - 48) / 31.0f;
  auto node = MakeNode("MatMul");
  (*node.mutable_attr())["transpose_b"].set_b(true);
  auto out = RunKernel(node, {a, b});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ((*out)[0].shape(), (TensorShape{m, n}));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double want = 0;
      for (int64_t p = 0; p < k; ++p) {
        want += static_cast<double>(a.flat<float>()[i * k + p]) * b.flat<float>()[j * k + p];
      }
      const double got = (*out)[0].flat<float>()[i * n + j];
      ASSERT_NEAR(got, want, 1e-4 + 1e-5 * std::abs(want)) << i << "," << j;
    }
  }
}

TEST(KernelsTest, Conv2DSpanningManyPatchBlocks) {
  // Enough output rows that Conv2D gathers patches in several blocks (the last one partial),
  // with edges cut by padding; checked against a plain double-precision loop.
  struct Case {
    int64_t stride, dilation;
    const char* padding;
  };
  const int64_t n = 4, h = 33, w = 31, c = 16, kh = 3, kw = 3, oc = 5;
  Tensor in(tensorflow::DT_FLOAT, TensorShape{n, h, w, c});
  Tensor filter(tensorflow::DT_FLOAT, TensorShape{kh, kw, c, oc});
  for (int64_t i = 0; i < in.num_elements(); ++i)
    in.flat<float>()[i] = static_cast<float>((i * 37 % 101) - 50) / 25.0f;
  for (int64_t i = 0; i < filter.num_elements(); ++i)
    filter.flat<float>()[i] = static_cast<float>((i * 53 % 97) - 48) / 31.0f;
  for (const Case& k : {Case{1, 1, "SAME"}, Case{2, 1, "SAME"}, Case{1, 2, "VALID"}}) {
    SCOPED_TRACE(std::string(k.padding) + " stride " + std::to_string(k.stride) + " dilation " +
                 std::to_string(k.dilation));
    auto node = MakeNode("Conv2D");
    auto& attrs = *node.mutable_attr();
    for (int64_t v : {int64_t{1}, k.stride, k.stride, int64_t{1}})
      attrs["strides"].mutable_list()->add_i(v);
    for (int64_t v : {int64_t{1}, k.dilation, k.dilation, int64_t{1}})
      attrs["dilations"].mutable_list()->add_i(v);
    attrs["padding"].set_s(k.padding);
    auto out = RunKernel(node, {in, filter});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const Tensor& got = (*out)[0];
    const int64_t span_h = (kh - 1) * k.dilation + 1, span_w = (kw - 1) * k.dilation + 1;
    const bool same = std::string(k.padding) == "SAME";
    const int64_t oh = same ? (h + k.stride - 1) / k.stride : (h - span_h) / k.stride + 1;
    const int64_t ow = same ? (w + k.stride - 1) / k.stride : (w - span_w) / k.stride + 1;
    ASSERT_EQ(got.shape(), (TensorShape{n, oh, ow, oc}));
    const int64_t pad_top = same ? std::max<int64_t>((oh - 1) * k.stride + span_h - h, 0) / 2 : 0;
    const int64_t pad_left = same ? std::max<int64_t>((ow - 1) * k.stride + span_w - w, 0) / 2 : 0;
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t y = 0; y < oh; ++y) {
        for (int64_t x = 0; x < ow; ++x) {
          for (int64_t o = 0; o < oc; ++o) {
            double want = 0;
            for (int64_t i = 0; i < kh; ++i) {
              for (int64_t j = 0; j < kw; ++j) {
                const int64_t iy = y * k.stride - pad_top + i * k.dilation;
                const int64_t ix = x * k.stride - pad_left + j * k.dilation;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                for (int64_t ch = 0; ch < c; ++ch) {
                  want += static_cast<double>(in.flat<float>()[((b * h + iy) * w + ix) * c + ch]) *
                          filter.flat<float>()[((i * kw + j) * c + ch) * oc + o];
                }
              }
            }
            const double value = got.flat<float>()[((b * oh + y) * ow + x) * oc + o];
            ASSERT_NEAR(value, want, 1e-4 + 1e-5 * std::abs(want))
                << b << "," << y << "," << x << "," << o;
          }
        }
      }
    }
  }
}

TEST(KernelsTest, Conv2DBackpropInputSpanningManyPatchBlocks) {
  // Enough out_backprop rows that the patch gradients are computed in several blocks (the last
  // one partial), with taps cut by padding; checked against a plain double-precision scatter.
  struct Case {
    int64_t stride;
    const char* padding;
  };
  const int64_t n = 4, h = 33, w = 31, c = 16, kh = 3, kw = 3, oc = 5;
  Tensor filter(tensorflow::DT_FLOAT, TensorShape{kh, kw, c, oc});
  for (int64_t i = 0; i < filter.num_elements(); ++i)
    filter.flat<float>()[i] = static_cast<float>((i * 53 % 97) - 48) / 31.0f;
  for (const Case& k : {Case{1, "SAME"}, Case{2, "SAME"}, Case{2, "VALID"}}) {
    SCOPED_TRACE(std::string(k.padding) + " stride " + std::to_string(k.stride));
    const bool same = std::string(k.padding) == "SAME";
    const int64_t oh = same ? (h + k.stride - 1) / k.stride : (h - kh) / k.stride + 1;
    const int64_t ow = same ? (w + k.stride - 1) / k.stride : (w - kw) / k.stride + 1;
    const int64_t pad_top = same ? std::max<int64_t>((oh - 1) * k.stride + kh - h, 0) / 2 : 0;
    const int64_t pad_left = same ? std::max<int64_t>((ow - 1) * k.stride + kw - w, 0) / 2 : 0;
    Tensor grad(tensorflow::DT_FLOAT, TensorShape{n, oh, ow, oc});
    for (int64_t i = 0; i < grad.num_elements(); ++i)
      grad.flat<float>()[i] = static_cast<float>((i * 37 % 101) - 50) / 25.0f;
    auto node = MakeNode("Conv2DBackpropInput");
    auto& attrs = *node.mutable_attr();
    for (int64_t v : {int64_t{1}, k.stride, k.stride, int64_t{1}})
      attrs["strides"].mutable_list()->add_i(v);
    attrs["padding"].set_s(k.padding);
    auto out = RunKernel(
        node, {Tensor::FromVector<int32_t>({static_cast<int32_t>(n), h, w, c}, TensorShape{4}),
               filter, grad});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const Tensor& got = (*out)[0];
    ASSERT_EQ(got.shape(), (TensorShape{n, h, w, c}));
    std::vector<double> want(static_cast<size_t>(got.num_elements()), 0.0);
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t y = 0; y < oh; ++y) {
        for (int64_t x = 0; x < ow; ++x) {
          for (int64_t i = 0; i < kh; ++i) {
            for (int64_t j = 0; j < kw; ++j) {
              const int64_t iy = y * k.stride - pad_top + i;
              const int64_t ix = x * k.stride - pad_left + j;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (int64_t ch = 0; ch < c; ++ch) {
                for (int64_t o = 0; o < oc; ++o) {
                  want[((b * h + iy) * w + ix) * c + ch] +=
                      static_cast<double>(grad.flat<float>()[((b * oh + y) * ow + x) * oc + o]) *
                      filter.flat<float>()[((i * kw + j) * c + ch) * oc + o];
                }
              }
            }
          }
        }
      }
    }
    for (int64_t i = 0; i < got.num_elements(); ++i) {
      ASSERT_NEAR(got.flat<float>()[i], want[i], 1e-4 + 1e-5 * std::abs(want[i])) << i;
    }
  }
}

TEST(KernelsTest, ScatterNdIgnoresBadIndicesOnlyWhenAsked) {
  // bad_indices_policy is newer than the TensorFlow that records the goldens.
  const std::vector<Tensor> inputs = {Tensor::FromVector<int32_t>({1, 9, 1}, TensorShape{3, 1}),
                                      Tensor::FromVector<float>({1, 2, 4}, TensorShape{3}),
                                      Tensor::FromVector<int32_t>({3}, TensorShape{1})};
  auto node = MakeNode("ScatterNd");
  auto out = RunKernel(node, inputs);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("indices[1] = [9] does not index into shape [3]"),
            std::string::npos)
      << out.status().message();
  (*node.mutable_attr())["bad_indices_policy"].set_s("IGNORE");
  out = RunKernel(node, inputs);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(std::vector<float>((*out)[0].flat<float>(), (*out)[0].flat<float>() + 3),
            (std::vector<float>{0, 5, 0}));
}

TEST(KernelsTest, ResourceGatherReadsTheVariable) {
  auto variable = std::make_shared<Variable>("embeddings");
  variable->Assign(Tensor::FromVector<float>({0, 1, 10, 11, 20, 21}, TensorShape{3, 2}));
  const Tensor handle = Tensor::FromResource(variable);
  auto node = MakeNode("ResourceGather");
  (*node.mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
  auto out = RunKernel(node, {handle, Tensor::FromVector<int64_t>({2, 0, 2}, TensorShape{1, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ((*out)[0].shape(), (TensorShape{1, 3, 2}));
  const std::vector<float> want = {20, 21, 0, 1, 20, 21};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ((*out)[0].flat<float>()[i], want[i]);

  auto bad = RunKernel(node, {handle, Tensor::FromVector<int32_t>({1, 3}, TensorShape{2})});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("indices[1] = 3 is not in [0, 3)"), std::string::npos)
      << bad.status().message();

  // batch_dims=1: row b of the indices picks within row b of the value (axis 1).
  (*node.mutable_attr())["batch_dims"].set_i(1);
  auto batched =
      RunKernel(node, {handle, Tensor::FromVector<int32_t>({1, 0, 0}, TensorShape{3, 1})});
  ASSERT_TRUE(batched.ok()) << batched.status().ToString();
  ASSERT_EQ((*batched)[0].shape(), (TensorShape{3, 1}));
  EXPECT_EQ((*batched)[0].flat<float>()[0], 1);
  EXPECT_EQ((*batched)[0].flat<float>()[1], 10);
  EXPECT_EQ((*batched)[0].flat<float>()[2], 20);

  auto unset = RunKernel(MakeNode("ResourceGather"),
                         {Tensor::FromResource(std::make_shared<Variable>("unset")),
                          Tensor::FromVector<int32_t>({0}, TensorShape{1})});
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.status().message().find("unset"), std::string::npos) << unset.status().message();
}

TEST(KernelsTest, AssignAddVariableOpLosesNoConcurrentIncrement) {
  auto variable = std::make_shared<Variable>("counter");
  variable->Assign(Tensor::Scalar<int64_t>(0));
  const Tensor handle = Tensor::FromResource(variable);
  const Tensor one = Tensor::Scalar<int64_t>(1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i)
        ASSERT_TRUE(RunKernel(MakeNode("AssignAddVariableOp"), {handle, one}).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(variable->Read()->flat<int64_t>()[0], 2000);
  auto bad = RunKernel(MakeNode("AssignAddVariableOp"),
                       {handle, Tensor::FromVector<int64_t>({1, 2}, TensorShape{2})});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("shapes must be equal"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(variable->Read()->flat<int64_t>()[0], 2000);  // a rejected update changes nothing
}

TEST(KernelsTest, RandomUniformIsUnseededOnly) {
  auto node = MakeNode("RandomUniform");
  (*node.mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
  auto out = RunKernel(node, {Tensor::FromVector<int32_t>({1000}, TensorShape{1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  float lo = 1, hi = 0;
  for (int i = 0; i < 1000; ++i) {
    lo = std::min(lo, (*out)[0].flat<float>()[i]);
    hi = std::max(hi, (*out)[0].flat<float>()[i]);
  }
  EXPECT_GE(lo, 0.0f);
  EXPECT_LT(hi, 1.0f);
  EXPECT_LT(lo, hi);
  (*node.mutable_attr())["seed"].set_i(42);
  KernelConstruction c(node, 1, nullptr, nullptr);
  auto seeded = FindKernel("RandomUniform")->create(c);
  ASSERT_FALSE(seeded.ok());
  EXPECT_NE(seeded.status().message().find("seeded RandomUniform"), std::string::npos)
      << seeded.status().message();
}

// The expected states were recorded from TensorFlow 2.21: a tf.Variable of the initial state,
// tf.raw_ops.RngReadAndSkip(resource=v.handle, alg=..., delta=np.uint64(...)), then v.numpy().
// The golden files cannot hold a variable, so the cases are written out here.
TEST(KernelsTest, RngReadAndSkipReturnsTheStateAndAdvancesItsCounter) {
  struct Case {
    std::vector<int64_t> before;
    int32_t alg;
    uint64_t delta;
    std::vector<int64_t> after;
  };
  const std::vector<Case> cases = {
      {{5, 7, 9}, 1, 3, {773, 7, 9}},                        // counter += 256 * delta
      {{-1, 7, 9}, 1, 1, {255, 8, 9}},                       // the low word carries into the high
      {{-300, -1, 9}, 1, uint64_t{1} << 63, {-300, -1, 9}},  // 256 * 2^63 wraps to 0
      {{1, 2, 3}, 3, 10, {2561, 2, 3}},                      // auto-select is Philox
  };
  for (const Case& c : cases) {
    auto variable = std::make_shared<Variable>("rng_state");
    variable->Assign(Tensor::FromVector<int64_t>(c.before, TensorShape{3}));
    auto out = RunKernel(MakeNode("RngReadAndSkip"),
                         {Tensor::FromResource(variable), Tensor::Scalar<int32_t>(c.alg),
                          Tensor::Scalar<uint64_t>(c.delta)});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ((*out)[0].flat<int64_t>()[i], c.before[i]);
      EXPECT_EQ(variable->Read()->flat<int64_t>()[i], c.after[i]);
    }
  }
  // ThreeFry (2) is refused, as TensorFlow's CPU kernel does; so is a state too short for Philox.
  auto variable = std::make_shared<Variable>("rng_state");
  variable->Assign(Tensor::FromVector<int64_t>({1, 2}, TensorShape{2}));
  for (int32_t alg : {2, 1}) {
    auto bad = RunKernel(MakeNode("RngReadAndSkip"),
                         {Tensor::FromResource(variable), Tensor::Scalar<int32_t>(alg),
                          Tensor::Scalar<uint64_t>(1)});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().message().find(alg == 2 ? "algorithm" : "at least 3"), std::string::npos)
        << bad.status().message();
  }
  EXPECT_EQ(variable->Read()->flat<int64_t>()[0], 1);  // a refused skip changes nothing
}

}  // namespace
}  // namespace tern
