// The load-time dense-layer fusion: MatMul with a constant b, then BiasAdd and an activation,
// becomes one _FusedMatMul that computes what they do (checked against a double-precision
// product), on each of its paths (GemmPacked or oneDNN with b packed once, and Gemm for one row
// or a small b); nothing is fused when b is not a weight, a is transposed or an intermediate is
// fetched; and a _FusedMatMul whose b changes between runs packs the new b. An Einsum whose b is
// a weight (Keras's EinsumDense) packs it, and computes what it did.
#include "runtime/optimize/fuse_mat_mul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "runtime/intra_op.h"
#include "test_graph.h"

namespace tern {
namespace {

using namespace test_graph;  // NOLINT

struct Dense {
  int64_t k = 512, n = 600;  // 1.2 MB of weights: Gemm would run dnnl_sgemm from 2 rows
  bool transpose_b = false;
  bool bias = true;
  std::string activation;    // "", an op name, or "gelu" (tf.nn.gelu's tanh form)
  bool weights_fed = false;  // b a Placeholder "w" rather than a Const
  // A Reshape between the MatMul and the BiasAdd (tf.tensordot's), to this shape; the bias
  // then runs along its last dim, `bias_cols` long.
  std::vector<int32_t> reshape_to;
  int64_t bias_cols = 0;  // 0: n
  int64_t BiasCols() const { return bias_cols > 0 ? bias_cols : n; }
};

Tensor Weights(const Dense& d) {
  return Random(d.transpose_b ? TensorShape{d.n, d.k} : TensorShape{d.k, d.n}, 7, -0.1f, 0.1f);
}
Tensor Bias(const Dense& d) { return Random(TensorShape{d.BiasCols()}, 8, -1, 1); }

// x -> MatMul(x, w) -> [BiasAdd] -> [activation] -> out.
tensorflow::GraphDef DenseGraph(const Dense& d) {
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  if (d.weights_fed) {
    AddPlaceholder(&g, "w");
  } else {
    AddTensor(&g, "w", Weights(d));
  }
  auto* mm = AddNode(&g, "mm", "MatMul", {"x", "w"});
  (*mm->mutable_attr())["transpose_b"].set_b(d.transpose_b);
  std::string last = "mm";
  if (!d.reshape_to.empty()) {
    AddInt32(&g, "shape", TensorShape{static_cast<int64_t>(d.reshape_to.size())}, d.reshape_to);
    AddNode(&g, "reshaped", "Reshape", {"mm", "shape"});
    last = "reshaped";
  }
  if (d.bias) {
    AddTensor(&g, "b", Bias(d));
    AddNode(&g, "biased", "BiasAdd", {last, "b"});
    last = "biased";
  }
  if (d.activation == "gelu") {
    AddScalar(&g, "half", 0.5f);
    AddScalar(&g, "one", 1.f);
    AddScalar(&g, "three", 3.f);
    AddScalar(&g, "coeff", static_cast<float>(0.044715));
    AddScalar(&g, "sqrt_2_over_pi", static_cast<float>(0.7978845608028654));
    AddNode(&g, "g_half", "Mul", {"half", last});
    AddNode(&g, "g_pow", "Pow", {last, "three"});
    AddNode(&g, "g_cubic", "Mul", {"coeff", "g_pow"});
    AddNode(&g, "g_sum", "AddV2", {last, "g_cubic"});
    AddNode(&g, "g_scaled", "Mul", {"sqrt_2_over_pi", "g_sum"});
    AddNode(&g, "g_tanh", "Tanh", {"g_scaled"});
    AddNode(&g, "g_one_plus", "AddV2", {"one", "g_tanh"});
    last = "g_out";
    AddNode(&g, last, "Mul", {"g_half", "g_one_plus"});
  } else if (!d.activation.empty()) {
    auto* act = AddNode(&g, "act", d.activation, {last});
    if (d.activation == "LeakyRelu") (*act->mutable_attr())["alpha"].set_f(0.3f);
    last = "act";
  }
  AddNode(&g, "out", "Identity", {last});
  return g;
}

double Activate(const std::string& activation, double v) {
  if (activation == "Relu") return std::max(v, 0.0);
  if (activation == "Relu6") return std::min(std::max(v, 0.0), 6.0);
  if (activation == "Elu") return v > 0 ? v : std::expm1(v);
  if (activation == "LeakyRelu") return v > 0 ? v : 0.3 * v;
  if (activation == "Sigmoid") return 1 / (1 + std::exp(-v));
  if (activation == "gelu") {
    return 0.5 * v * (1 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
  }
  return v;
}

// out for x [m,k] against a double-precision product.
void ExpectDense(Session& session, const Dense& d, int64_t m, const Tensor& w) {
  const Tensor x = Random(TensorShape{m, d.k}, 3, -1, 1);
  const Tensor bias = Bias(d);
  std::vector<std::pair<std::string, Tensor>> feeds = {{"x:0", x}};
  if (d.weights_fed) feeds.emplace_back("w:0", w);
  auto out = session.Run(feeds, {"out:0"}, {}, RunOptions());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  if (d.reshape_to.empty()) {
    ASSERT_EQ((*out)[0].shape(), (TensorShape{m, d.n}));
  } else {
    ASSERT_EQ((*out)[0].num_elements(), m * d.n);
    ASSERT_EQ((*out)[0].dim((*out)[0].rank() - 1), d.BiasCols());
  }
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < d.n; ++j) {
      double sum = d.bias ? bias.flat<float>()[(i * d.n + j) % d.BiasCols()] : 0.0;
      for (int64_t p = 0; p < d.k; ++p) {
        const float wv =
            d.transpose_b ? w.flat<float>()[j * d.k + p] : w.flat<float>()[p * d.n + j];
        sum += static_cast<double>(x.flat<float>()[i * d.k + p]) * wv;
      }
      const double want = Activate(d.activation, sum);
      ASSERT_NEAR((*out)[0].flat<float>()[i * d.n + j], want, 2e-5 * (1 + std::abs(want)))
          << "row " << i << " column " << j << " of " << m << " rows";
    }
  }
}

void ExpectFused(const Dense& d, const std::vector<int64_t>& rows = {1, 2, 8, 65}) {
  SCOPED_TRACE("activation '" + d.activation + "' bias " + std::to_string(d.bias) +
               " transpose_b " + std::to_string(d.transpose_b) + " n " + std::to_string(d.n));
  auto session = Session::Create(DenseGraph(d));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const std::vector<std::string> ops = StepOps(**session, {"out:0"});
  EXPECT_TRUE(Has(ops, "_FusedMatMul"));
  for (const char* gone : {"MatMul", "Reshape", "BiasAdd", "Relu", "Relu6", "Elu", "LeakyRelu",
                           "Sigmoid", "_FusedGelu"}) {
    EXPECT_FALSE(Has(ops, gone)) << gone;
  }
  // One row and a narrow b take Gemm; 2 and 8 rows of the wide b GemmPacked, 65 rows the packed
  // primitive with AVX-512 (GemmPacked without).
  for (int64_t m : rows) ExpectDense(**session, d, m, Weights(d));
}

TEST(FuseMatMulTest, DenseLayerIsOneNode) {
  for (const char* activation : {"", "Relu", "Relu6", "Elu", "LeakyRelu", "Sigmoid", "gelu"}) {
    Dense d;
    d.activation = activation;
    ExpectFused(d);
  }
  Dense bare;
  bare.bias = false;
  ExpectFused(bare);
  Dense transposed;
  transposed.transpose_b = true;
  transposed.activation = "Relu";
  ExpectFused(transposed);
  Dense narrow;  // a b that fits the caches: Gemm's own kernel, then the epilogue
  narrow.n = 12;
  narrow.activation = "Elu";
  ExpectFused(narrow);
  Dense large;  // 2.4 MB, wide (OneRowDenseRunsOnPrimitive): one row packs b too
  large.k = 1024;
  large.activation = "Sigmoid";
  ExpectFused(large, {1, 3});
}

// tf.tensordot's Reshape between the product and the bias joins the fused node: one that keeps
// the last dim (as tensordot's does), and one that moves it (the bias then runs along the new
// last dim, as the unfused graph would add it).
TEST(FuseMatMulTest, AReshapeBeforeTheBiasJoins) {
  Dense keeps;
  keeps.reshape_to = {2, -1, 600};
  keeps.activation = "gelu";
  ExpectFused(keeps, {2, 8, 66});
  Dense moves;
  moves.reshape_to = {-1, 300};
  moves.bias_cols = 300;
  moves.activation = "Relu";
  ExpectFused(moves, {1, 2, 8});
}

// From 256 rows a product with an epilogue runs in chunks of rows (a partial last one here), the
// bias and activation on each chunk; with idle cores lent, the chunks are split among them.
TEST(FuseMatMulTest, ManyRowsInChunksComputeTheSame) {
  Dense d;
  d.k = 64;
  d.n = 1024;
  d.activation = "gelu";
  d.reshape_to = {4, -1, 1024};
  ExpectFused(d, {300});
  IntraOpThreads::SetLimit(0);  // one per core
  ExpectFused(d, {300, 1024});
  IntraOpThreads::SetLimit(1);
}

TEST(FuseMatMulTest, OnlyWeightsAndWholeChainsAreFused) {
  Dense fed;  // b is not a weight: a plain MatMul
  fed.weights_fed = true;
  fed.activation = "Relu";
  auto session = Session::Create(DenseGraph(fed));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  PlanSpec spec;
  spec.feeds = {"x:0", "w:0"};
  spec.fetches = {"out:0"};
  auto plan = (*session)->Prepare(spec);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(Has((*plan)->StepOps(), "MatMul"));
  EXPECT_FALSE(Has((*plan)->StepOps(), "_FusedMatMul"));

  Dense relu;
  relu.activation = "Relu";
  auto pinned = Session::Create(DenseGraph(relu));
  ASSERT_TRUE(pinned.ok()) << pinned.status().ToString();
  // The BiasAdd fetched: the product fuses alone, the BiasAdd and the Relu stay.
  const std::vector<std::string> ops = StepOps(**pinned, {"out:0", "biased:0"});
  EXPECT_TRUE(Has(ops, "_FusedMatMul"));
  EXPECT_TRUE(Has(ops, "Relu"));
  ExpectSameAsUnrewritten(**pinned, Random(TensorShape{9, 512}, 4, -1, 1), "out:0", "biased:0",
                          1e-5f);

  tensorflow::GraphDef transposed_a = DenseGraph(relu);
  for (auto& node : *transposed_a.mutable_node()) {
    if (node.name() == "mm") (*node.mutable_attr())["transpose_a"].set_b(true);
  }
  auto kept = Session::Create(transposed_a);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_TRUE(Has(StepOps(**kept, {"out:0"}), "MatMul"));
}

// A _FusedMatMul marked constant whose b is fed: every new b buffer is packed again.
TEST(FuseMatMulTest, NewWeightsArePackedAgain) {
  Dense d;
  d.weights_fed = true;
  d.activation = "Relu";
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  AddPlaceholder(&g, "w");
  AddTensor(&g, "b", Bias(d));
  auto* fused = AddNode(&g, "out", "_FusedMatMul", {"x", "w", "b"});
  auto& attrs = *fused->mutable_attr();
  attrs["fused_ops"].mutable_list()->add_s("BiasAdd");
  attrs["fused_ops"].mutable_list()->add_s("Relu");
  attrs["num_args"].set_i(1);
  attrs["tern_constant_b"].set_b(true);
  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const Tensor first = Weights(d);
  const Tensor second = Random(TensorShape{d.k, d.n}, 11, -0.1f, 0.1f);
  ExpectDense(**session, d, 8, first);
  ExpectDense(**session, d, 8, second);
  ExpectDense(**session, d, 8, first);
}

// a [dims] + b, NumPy-style; `dims` becomes the result's dims.
std::vector<double> Broadcast(const std::vector<double>& a, const std::vector<int64_t>& a_dims,
                              const Tensor& b, std::vector<int64_t>* dims) {
  const size_t rank = std::max<size_t>(a_dims.size(), static_cast<size_t>(b.rank()));
  auto padded = [&](std::vector<int64_t> d) {
    d.insert(d.begin(), rank - d.size(), 1);
    return d;
  };
  const std::vector<int64_t> da = padded(a_dims), db = padded(b.shape().dim_vector());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) out[i] = std::max(da[i], db[i]);
  int64_t total = 1;
  for (int64_t d : out) total *= d;
  std::vector<double> sum(static_cast<size_t>(total));
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rest = flat, ia = 0, ib = 0, sa = 1, sb = 1;
    for (size_t i = rank; i-- > 0;) {
      const int64_t at = rest % out[i];
      rest /= out[i];
      ia += (da[i] == 1 ? 0 : at) * sa;
      ib += (db[i] == 1 ? 0 : at) * sb;
      sa *= da[i];
      sb *= db[i];
    }
    sum[flat] = a[ia] + b.flat<float>()[ib];
  }
  *dims = out;
  return sum;
}

// An Add, AddV2 or BiasAdd of a Const after the Einsum, the product as operand `product_at`.
struct EinsumBias {
  std::string op;  // "": none
  TensorShape shape;
  int product_at = 0;
};

// x -> Einsum(x, w) [-> bias op] -> out for `equation`, w a Const of `w_shape` (or a Placeholder
// when fed), against a double-precision einsum over the labels (plus the bias, broadcast).
void ExpectEinsum(const std::string& equation, TensorShape x_shape, TensorShape w_shape,
                  bool weights_fed, const EinsumBias& bias = {}) {
  SCOPED_TRACE(equation + " x " + x_shape.DebugString() + (weights_fed ? " fed" : "") + " " +
               bias.op + " " + bias.shape.DebugString());
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  const Tensor w = Random(w_shape, 5, -0.5f, 0.5f);
  if (weights_fed) {
    AddPlaceholder(&g, "w");
  } else {
    AddTensor(&g, "w", w);
  }
  auto* einsum = AddNode(&g, "einsum", "Einsum", {"x", "w"});
  (*einsum->mutable_attr())["equation"].set_s(equation);
  (*einsum->mutable_attr())["N"].set_i(2);
  const Tensor b = Random(bias.shape, 9, -1, 1);
  if (bias.op.empty()) {
    AddNode(&g, "out", "Identity", {"einsum"});
  } else {
    AddTensor(&g, "b", b);
    AddNode(&g, "biased", bias.op,
            bias.product_at == 0 ? std::vector<std::string>{"einsum", "b"}
                                 : std::vector<std::string>{"b", "einsum"});
    AddNode(&g, "out", "Identity", {"biased"});
  }
  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const Tensor x = Random(x_shape, 6, -1, 1);
  std::vector<std::pair<std::string, Tensor>> feeds = {{"x:0", x}};
  if (weights_fed) feeds.emplace_back("w:0", w);
  if (!weights_fed && !bias.op.empty()) {
    PlanSpec spec;
    spec.feeds = {"x:0"};
    spec.fetches = {"out:0"};
    auto plan = (*session)->Prepare(spec);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    EXPECT_FALSE(Has((*plan)->StepOps(), bias.op)) << "the bias joins the Einsum";
  }
  auto out = (*session)->Run(feeds, {"out:0"}, {}, RunOptions());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // Labels: x's, w's and the output's, each label's size from the operand that has it.
  const size_t comma = equation.find(','), arrow = equation.find("->");
  const std::string lx = equation.substr(0, comma),
                    lw = equation.substr(comma + 1, arrow - comma - 1),
                    lo = equation.substr(arrow + 2);
  std::string all;
  std::vector<int64_t> size;
  for (const auto& [labels, shape] : {std::pair{lx, x_shape}, std::pair{lw, w_shape}}) {
    for (size_t d = 0; d < labels.size(); ++d) {
      if (all.find(labels[d]) != std::string::npos) continue;
      all.push_back(labels[d]);
      size.push_back(shape.dim(static_cast<int>(d)));
    }
  }
  auto offset = [&](const std::string& labels, const std::vector<int64_t>& at) {
    int64_t o = 0;
    for (char l : labels) o = o * size[all.find(l)] + at[all.find(l)];
    return o;
  };
  std::vector<double> want((*out)[0].num_elements(), 0.0);
  std::vector<int64_t> at(all.size(), 0);
  for (;;) {
    want[offset(lo, at)] +=
        static_cast<double>(x.flat<float>()[offset(lx, at)]) * w.flat<float>()[offset(lw, at)];
    size_t d = all.size();
    while (d > 0 && ++at[d - 1] == size[d - 1]) at[--d] = 0;
    if (d == 0) break;
  }
  std::vector<int64_t> out_dims;
  for (char l : lo) out_dims.push_back(size[all.find(l)]);
  if (!bias.op.empty()) want = Broadcast(want, out_dims, b, &out_dims);
  ASSERT_EQ((*out)[0].shape(), TensorShape(out_dims));
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_NEAR((*out)[0].flat<float>()[i], want[i], 2e-5 * (1 + std::abs(want[i]))) << i;
  }
}

TEST(FuseMatMulTest, EinsumDenseWithWeightsPacksThemAndComputesTheSame) {
  // Few rows (packed), many rows (Gemm), both of EinsumDense's forms.
  for (bool fed : {false, true}) {
    ExpectEinsum("abc,cde->abde", TensorShape{2, 5, 64}, TensorShape{64, 4, 24}, fed);
    ExpectEinsum("abc,cde->abde", TensorShape{2, 150, 64}, TensorShape{64, 4, 24}, fed);
    ExpectEinsum("abcd,cde->abe", TensorShape{3, 7, 4, 16}, TensorShape{4, 16, 40}, fed);
  }
  // b not as one [k, n] matrix: a batch label, b's labels out of order, a label summed out.
  ExpectEinsum("abc,acd->abd", TensorShape{2, 5, 16}, TensorShape{2, 16, 8}, false);
  ExpectEinsum("abc,dc->abd", TensorShape{2, 5, 16}, TensorShape{8, 16}, false);
  ExpectEinsum("abc,cde->abd", TensorShape{2, 5, 16}, TensorShape{16, 8, 3}, false);
}

// EinsumDense's bias joins the Einsum: added to each chunk of a packed product (few rows and,
// with a bias, many), or after it; a bias that is no row of the output broadcasts as Add does.
TEST(FuseMatMulTest, EinsumDenseBiasJoinsTheEinsum) {
  const std::string heads = "abc,cde->abde";
  for (int64_t rows : {5, 150}) {
    ExpectEinsum(heads, TensorShape{2, rows, 64}, TensorShape{64, 4, 24}, false,
                 {"AddV2", TensorShape{4, 24}});
    ExpectEinsum(heads, TensorShape{2, rows, 64}, TensorShape{64, 4, 24}, false,
                 {"Add", TensorShape{1, 4, 24}, 1});
  }
  ExpectEinsum("abcd,cde->abe", TensorShape{3, 7, 4, 16}, TensorShape{4, 16, 40}, false,
               {"BiasAdd", TensorShape{40}});
  ExpectEinsum("abcd,cde->abe", TensorShape{3, 7, 4, 16}, TensorShape{4, 16, 40}, true,
               {"BiasAdd", TensorShape{40}});
  // Rows of the output that are not the product's rows: the bias after the transpose.
  ExpectEinsum("abc,cd->adb", TensorShape{2, 5, 16}, TensorShape{16, 8}, false,
               {"AddV2", TensorShape{5}});
  // Broadcasts that are not one row: along a middle dim, and to a higher rank.
  ExpectEinsum(heads, TensorShape{2, 5, 64}, TensorShape{64, 4, 24}, false,
               {"AddV2", TensorShape{2, 1, 1, 24}});
  ExpectEinsum(heads, TensorShape{2, 5, 64}, TensorShape{64, 4, 24}, false,
               {"AddV2", TensorShape{3, 1, 1, 1, 1}});
}

TEST(FuseMatMulTest, BadFusedOpsAreRefusedAtLoad) {
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  AddPlaceholder(&g, "w");
  auto* fused = AddNode(&g, "out", "_FusedMatMul", {"x", "w"});
  (*fused->mutable_attr())["fused_ops"].mutable_list()->add_s("Tanh");
  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  PlanSpec spec;
  spec.feeds = {"x:0", "w:0"};
  spec.fetches = {"out:0"};
  auto plan = (*session)->Prepare(spec);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("fused op Tanh is not supported"), std::string::npos)
      << plan.status().ToString();
}

}  // namespace
}  // namespace tern
