// Folding the Transposes around a batched product into it: attention's per-head products as
// Keras 3 writes them become one _TransposedBatchMatMul with the answer of the unfolded ops, under
// adjoints and broadcast batch dims; a Transpose that moves the innermost dim away, or that
// something else reads, stays; and the kernel is right for any perm, in-memory layout or not.
#include "runtime/optimize/fold_transposes.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "test_graph.h"

namespace tern {
namespace {

using namespace test_graph;  // NOLINT

struct Product {
  TensorShape x, y;
  std::vector<int32_t> perm_x, perm_y, perm_out;  // empty: no Transpose there
  bool adj_x = false, adj_y = false;
};

void AddTranspose(tensorflow::GraphDef* g, const std::string& name, const std::string& in,
                  const std::vector<int32_t>& perm) {
  AddInt32(g, name + "/perm", TensorShape{static_cast<int64_t>(perm.size())}, perm);
  auto* t = AddNode(g, name, "Transpose", {in, name + "/perm"});
  (*t->mutable_attr())["Tperm"].set_type(tensorflow::DT_INT32);
}

// x, y -> [Transpose] -> BatchMatMulV2 -> [Transpose] -> out (an Identity, so `out:0` is
// always there to fetch).
tensorflow::GraphDef Graph(const Product& p) {
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  AddPlaceholder(&g, "y");
  std::string a = "x", b = "y";
  if (!p.perm_x.empty()) AddTranspose(&g, a = "tx", "x", p.perm_x);
  if (!p.perm_y.empty()) AddTranspose(&g, b = "ty", "y", p.perm_y);
  auto* mm = AddNode(&g, "mm", "BatchMatMulV2", {a, b});
  (*mm->mutable_attr())["adj_x"].set_b(p.adj_x);
  (*mm->mutable_attr())["adj_y"].set_b(p.adj_y);
  std::string last = "mm";
  if (!p.perm_out.empty()) AddTranspose(&g, last = "tout", "mm", p.perm_out);
  AddNode(&g, "out", "Identity", {last});
  return g;
}

std::vector<std::string> Ops(Session& session, const std::vector<std::string>& fetches) {
  PlanSpec spec;
  spec.feeds = {"x:0", "y:0"};
  spec.fetches = fetches;
  auto plan = session.Prepare(spec);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? (*plan)->StepOps() : std::vector<std::string>();
}

// `out:0` of `session` against `reference` (the unfolded graph), both fed the same x and y.
void ExpectSameAnswer(Session& session, const std::vector<std::string>& reference_fetches,
                      const Product& p) {
  const std::vector<std::pair<std::string, Tensor>> feeds = {{"x:0", Random(p.x, 1)},
                                                             {"y:0", Random(p.y, 2)}};
  auto folded = session.Run(feeds, {"out:0"}, {}, RunOptions());
  auto unfolded = session.Run(feeds, reference_fetches, {}, RunOptions());
  ASSERT_TRUE(folded.ok()) << folded.status().ToString();
  ASSERT_TRUE(unfolded.ok()) << unfolded.status().ToString();
  const Tensor& a = (*folded)[0];
  const Tensor& b = (*unfolded)[0];
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    const float want = b.flat<float>()[i];
    ASSERT_NEAR(a.flat<float>()[i], want, 1e-5f * (1 + std::abs(want))) << i;
  }
}

// Every Transpose of `p` folded, and the same answer as the ops one by one (the Transposes
// fetched too, which keeps them).
void ExpectFolded(const Product& p) {
  SCOPED_TRACE(p.x.DebugString() + " x " + p.y.DebugString());
  auto session = Session::Create(Graph(p));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(Ops(**session, {"out:0"}),
            std::vector<std::string>({"_TransposedBatchMatMul", "Identity"}));
  std::vector<std::string> pinned = {"out:0", "mm:0"};
  if (!p.perm_x.empty()) pinned.push_back("tx:0");
  if (!p.perm_y.empty()) pinned.push_back("ty:0");
  EXPECT_FALSE(Has(Ops(**session, pinned), "_TransposedBatchMatMul"));
  ExpectSameAnswer(**session, pinned, p);
}

TEST(FoldTransposesTest, AttentionScoresAreOneProduct) {
  // Keras 3: key [B,S,H,D] -> [B,H,S,D], query -> [B,H,D,S], scores -> [B,H,S_q,S_k].
  ExpectFolded({{2, 7, 3, 5}, {2, 9, 3, 5}, {0, 2, 1, 3}, {0, 2, 3, 1}, {0, 1, 3, 2}});
}

TEST(FoldTransposesTest, AttentionValuesAreOneProduct) {
  // probabilities [B,H,S_q,S_k] x value [B,S_k,H,D] -> [B,S_q,H,D].
  ExpectFolded({{2, 3, 7, 9}, {2, 9, 3, 5}, {}, {0, 2, 1, 3}, {0, 2, 1, 3}});
}

TEST(FoldTransposesTest, AdjointsAndBroadcastBatches) {
  ExpectFolded({{4, 6, 5}, {3, 5}, {0, 2, 1}, {1, 0}, {}, /*adj_x=*/true, /*adj_y=*/false});
  ExpectFolded({{1, 5, 4}, {3, 4, 6}, {}, {0, 2, 1}, {0, 2, 1}, false, /*adj_y=*/true});
  ExpectFolded({{2, 1, 4, 5}, {2, 4, 6}, {1, 0, 2, 3}, {}, {0, 1, 3, 2}, true, false});
  ExpectFolded({{3, 1, 4}, {3, 1, 4}, {0, 2, 1}, {}, {}, false, false});  // outer products
}

TEST(FoldTransposesTest, TransposesThatMoveTheInnermostDimStay) {
  // perm_x [0,3,1,2] takes x's innermost dim out of the matrix: only perm_y folds.
  const Product p{{2, 5, 3, 4}, {2, 4, 6, 3}, {0, 3, 1, 2}, {0, 1, 3, 2}, {}};
  auto session = Session::Create(Graph(p));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const std::vector<std::string> ops = Ops(**session, {"out:0"});
  EXPECT_TRUE(Has(ops, "_TransposedBatchMatMul"));
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Transpose"), 1);  // tx
  ExpectSameAnswer(**session, {"out:0", "mm:0", "tx:0", "ty:0"}, p);
  // An output perm that moves the product's rows and columns both away: the output stays.
  const Product q{{2, 3, 4}, {2, 4, 5}, {}, {}, {1, 2, 0}};
  auto second = Session::Create(Graph(q));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(Has(Ops(**second, {"out:0"}), "_TransposedBatchMatMul"));
}

TEST(FoldTransposesTest, TransposesReadElsewhereStay) {
  const Product p{{2, 7, 3, 5}, {2, 9, 3, 5}, {0, 2, 1, 3}, {0, 2, 3, 1}, {0, 1, 3, 2}};
  tensorflow::GraphDef g = Graph(p);
  AddNode(&g, "other", "Relu", {"tx"});
  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const std::vector<std::string> ops = Ops(**session, {"out:0", "other:0"});
  EXPECT_TRUE(Has(ops, "_TransposedBatchMatMul"));
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Transpose"), 1);  // tx; ty and tout folded
  ExpectSameAnswer(**session, {"out:0", "mm:0", "tx:0", "ty:0", "tout:0"}, p);
}

// The kernel written by hand with perms the pass never writes: operands and output gathered.
TEST(FoldTransposesTest, KernelTakesAnyPermutation) {
  const Product p{{3, 4, 5, 2}, {2, 5, 6, 3}, {3, 0, 1, 2}, {0, 3, 1, 2}, {2, 0, 3, 1}};
  tensorflow::GraphDef g = Graph(p);
  auto* fused = AddNode(&g, "fused", "_TransposedBatchMatMul", {"x", "y"});
  for (const auto& [name, perm] :
       {std::pair<const char*, const std::vector<int32_t>*>{"perm_x", &p.perm_x},
        {"perm_y", &p.perm_y},
        {"perm_out", &p.perm_out}}) {
    auto* list = (*fused->mutable_attr())[name].mutable_list();
    for (int32_t v : *perm) list->add_i(v);
  }
  AddNode(&g, "fused_out", "Identity", {"fused"});
  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const std::vector<std::pair<std::string, Tensor>> feeds = {{"x:0", Random(p.x, 1)},
                                                             {"y:0", Random(p.y, 2)}};
  auto by_kernel = (*session)->Run(feeds, {"fused_out:0"}, {}, RunOptions());
  auto by_ops = (*session)->Run(feeds, {"out:0", "tx:0", "ty:0", "mm:0"}, {}, RunOptions());
  ASSERT_TRUE(by_kernel.ok()) << by_kernel.status().ToString();
  ASSERT_TRUE(by_ops.ok()) << by_ops.status().ToString();
  ASSERT_EQ((*by_kernel)[0].shape(), (*by_ops)[0].shape());
  for (int64_t i = 0; i < (*by_ops)[0].num_elements(); ++i) {
    const float want = (*by_ops)[0].flat<float>()[i];
    ASSERT_NEAR((*by_kernel)[0].flat<float>()[i], want, 1e-5f * (1 + std::abs(want))) << i;
  }
  // A perm of the wrong rank is an error naming it.
  auto bad = (*session)->Run({{"x:0", Random(TensorShape{2, 3, 4}, 1)}, feeds[1]}, {"fused_out:0"},
                             {}, RunOptions());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("perm_x"), std::string::npos) << bad.status().ToString();
}

}  // namespace
}  // namespace tern
