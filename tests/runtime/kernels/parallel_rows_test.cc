// ForEachRowRange covers every row exactly once, on the calling thread for small work and when no
// core is lent, split among the lent cores otherwise; and the kernels that use it (ConcatV2,
// the broadcasting binary ops, SelectV2, Transpose, BiasAdd, Softmax, GELU, layer norm,
// BatchMatMulV2, Pad) give the same bytes on one core and on two.
#include "runtime/kernels/internal/parallel_rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "../optimize/test_graph.h"
#include "runtime/intra_op.h"

namespace tern {
namespace {

class ParallelRowsTest : public ::testing::Test {
 protected:
  void TearDown() override { IntraOpThreads::SetLimit(1); }
};

// How many times each row was visited, and by how many distinct threads.
struct Visits {
  std::vector<std::atomic<int>> rows;
  std::mutex mu;
  std::vector<std::thread::id> threads;
  explicit Visits(int64_t n) : rows(n) {}
  void Run(int64_t n, int64_t bytes_per_row) {
    ForEachRowRange(n, bytes_per_row, [&](int64_t begin, int64_t end) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (std::find(threads.begin(), threads.end(), std::this_thread::get_id()) ==
            threads.end()) {
          threads.push_back(std::this_thread::get_id());
        }
      }
      for (int64_t r = begin; r < end; ++r) rows[r]++;
    });
  }
  void ExpectEachOnce() {
    for (size_t r = 0; r < rows.size(); ++r) ASSERT_EQ(rows[r].load(), 1) << "row " << r;
  }
};

TEST_F(ParallelRowsTest, SmallWorkStaysOnTheCallingThread) {
  IntraOpThreads::SetLimit(2);
  Visits v(100);
  v.Run(100, 64);  // 6.4 KB
  v.ExpectEachOnce();
  ASSERT_EQ(v.threads.size(), 1u);
  EXPECT_EQ(v.threads[0], std::this_thread::get_id());
}

TEST_F(ParallelRowsTest, LargeWorkIsSplitAmongLentCores) {
  Visits one(1001);
  one.Run(1001, 4096);  // 4 MB, but the limit is 1
  one.ExpectEachOnce();
  EXPECT_EQ(one.threads.size(), 1u);
  if (IntraOpThreads::Cores() < 2) GTEST_SKIP() << "one core";
  IntraOpThreads::SetLimit(2);
  Visits two(1001);
  two.Run(1001, 4096);
  two.ExpectEachOnce();
  EXPECT_EQ(two.threads.size(), 2u);
  Visits zero(0);
  zero.Run(0, 4096);
  EXPECT_TRUE(zero.threads.empty());
}

// [64, 16, 16, c] inputs along the last axis (3.1 MB out): the same bytes on one core and two.
TEST_F(ParallelRowsTest, LargeConcatenationIsTheSameOnTwoCores) {
  using namespace test_graph;  // NOLINT
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");
  AddConst(&g, "y", TensorShape{64, 16, 16, 32}, -1, 1, 9);
  AddInt32(&g, "axis", TensorShape{}, {3});
  auto* concat = AddNode(&g, "out", "ConcatV2", {"x", "y", "axis"});
  (*concat->mutable_attr())["N"].set_i(2);
  (*concat->mutable_attr())["Tidx"].set_type(tensorflow::DT_INT32);
  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const Tensor x = Random(TensorShape{64, 16, 16, 16}, 8);
  const Tensor y = Random(TensorShape{64, 16, 16, 32}, 9, -1, 1);
  for (int limit : {1, 2}) {
    IntraOpThreads::SetLimit(limit);
    auto out = (*session)->Run({{"x:0", x}}, {"out:0"}, {}, RunOptions());
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_EQ((*out)[0].shape(), (TensorShape{64, 16, 16, 48}));
    const float* o = (*out)[0].flat<float>();
    for (int64_t r = 0; r < 64 * 16 * 16; ++r) {
      for (int c = 0; c < 48; ++c) {
        const float want = c < 16 ? x.flat<float>()[r * 16 + c] : y.flat<float>()[r * 32 + c - 16];
        ASSERT_EQ(o[r * 48 + c], want) << "row " << r << " channel " << c << " limit " << limit;
      }
    }
  }
}

// Every kernel that splits its work, on inputs large enough to be split: the same bytes with one
// core and with two.
TEST_F(ParallelRowsTest, SplitKernelsGiveTheSameBytesOnTwoCores) {
  using namespace test_graph;  // NOLINT
  tensorflow::GraphDef g;
  AddPlaceholder(&g, "x");  // [64, 32, 48]
  AddConst(&g, "same", TensorShape{64, 32, 48}, -1, 1, 2);
  AddConst(&g, "row", TensorShape{48}, -1, 1, 3);
  AddConst(&g, "column", TensorShape{64, 1, 48}, -1, 1, 4);
  AddConst(&g, "plane", TensorShape{1, 32, 48}, -1, 1, 5);
  AddScalar(&g, "two", 2.f);
  AddNode(&g, "add", "AddV2", {"x", "same"});
  AddNode(&g, "scaled", "Mul", {"x", "two"});
  AddNode(&g, "biased_row", "AddV2", {"x", "row"});
  AddNode(&g, "outer", "AddV2", {"column", "plane"});
  AddNode(&g, "positive", "Greater", {"x", "same"});
  AddNode(&g, "select", "SelectV2", {"positive", "x", "row"});
  AddInt32(&g, "perm", TensorShape{3}, {1, 0, 2});
  (*AddNode(&g, "transpose", "Transpose", {"x", "perm"})->mutable_attr())["Tperm"].set_type(
      tensorflow::DT_INT32);
  AddInt32(&g, "perm_last", TensorShape{3}, {0, 2, 1});
  (*AddNode(&g, "transpose_last", "Transpose", {"x", "perm_last"})->mutable_attr())["Tperm"]
      .set_type(tensorflow::DT_INT32);
  AddNode(&g, "bias_add", "BiasAdd", {"x", "row"});
  AddNode(&g, "softmax", "Softmax", {"x"});
  (*AddNode(&g, "gelu", "_FusedGelu", {"x"})->mutable_attr())["approximate"].set_b(true);
  auto* norm = AddNode(&g, "norm", "_FusedLayerNorm", {"x", "row", "row"});
  (*norm->mutable_attr())["epsilon"].set_f(1e-3f);
  auto* bmm = AddNode(&g, "bmm", "BatchMatMulV2", {"x", "same"});
  (*bmm->mutable_attr())["adj_y"].set_b(true);
  AddInt32(&g, "paddings", TensorShape{3, 2}, {1, 2, 0, 3, 2, 0});
  AddNode(&g, "pad", "Pad", {"x", "paddings"});
  AddNode(&g, "pad_value", "PadV2", {"x", "paddings", "two"});
  const std::vector<std::string> fetches = {
      "add:0",     "scaled:0", "biased_row:0", "outer:0", "select:0", "transpose:0", "bias_add:0",
      "softmax:0", "gelu:0",   "norm:0",       "bmm:0",   "pad:0",    "pad_value:0"};
  auto session = Session::Create(g);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  // An empty batch: empty outputs, whatever the limit.
  for (int limit : {1, 2}) {
    IntraOpThreads::SetLimit(limit);
    auto empty = (*session)->Run({{"x:0", Random(TensorShape{0, 32, 48}, 1)}},
                                 {"scaled:0", "biased_row:0", "transpose:0", "transpose_last:0",
                                  "bias_add:0", "softmax:0", "gelu:0", "norm:0"},
                                 {}, RunOptions());
    ASSERT_TRUE(empty.ok()) << empty.status().ToString();
    for (const Tensor& t : *empty) EXPECT_EQ(t.num_elements(), 0);
  }
  const Tensor x = Random(TensorShape{64, 32, 48}, 1);
  IntraOpThreads::SetLimit(1);
  auto one = (*session)->Run({{"x:0", x}}, fetches, {}, RunOptions());
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  IntraOpThreads::SetLimit(2);
  auto two = (*session)->Run({{"x:0", x}}, fetches, {}, RunOptions());
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  for (size_t f = 0; f < fetches.size(); ++f) {
    const Tensor& a = (*one)[f];
    const Tensor& b = (*two)[f];
    ASSERT_EQ(a.shape(), b.shape()) << fetches[f];
    ASSERT_EQ(a.dtype(), tensorflow::DT_FLOAT) << fetches[f];
    for (int64_t i = 0; i < a.num_elements(); ++i) {
      ASSERT_EQ(a.flat<float>()[i], b.flat<float>()[i]) << fetches[f] << " element " << i;
    }
  }
}

}  // namespace
}  // namespace tern
