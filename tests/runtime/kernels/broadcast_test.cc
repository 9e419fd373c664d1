// BroadcastRuns against BroadcastIndex (one flat index per output element): for shapes with
// every mix of repeated, kept and missing dims, the runs must visit the output in order and
// read each input where the per-element index says.
#include "runtime/kernels/internal/broadcast.h"

#include <gtest/gtest.h>

#include <random>

namespace tern {
namespace {

void ExpectRunsMatchIndex(const TensorShape& a, const TensorShape& b, const TensorShape& c) {
  auto ab = BroadcastShape(a, b);
  ASSERT_TRUE(ab.ok());
  auto out = BroadcastShape(*ab, c);
  ASSERT_TRUE(out.ok());
  const std::vector<int64_t> ia = BroadcastIndex(a, *out), ib = BroadcastIndex(b, *out),
                             ic = BroadcastIndex(c, *out);
  const BroadcastRuns<3> runs({&a, &b, &c}, *out);
  int64_t next = 0;
  runs.ForEach([&](int64_t o, const std::array<int64_t, 3>& at) {
    ASSERT_EQ(o, next) << "runs out of order";
    for (int64_t k = 0; k < runs.length; ++k) {
      ASSERT_EQ(at[0] + k * runs.inner_strides[0], ia[o + k]) << a.DebugString() << " at " << o + k;
      ASSERT_EQ(at[1] + k * runs.inner_strides[1], ib[o + k]) << b.DebugString() << " at " << o + k;
      ASSERT_EQ(at[2] + k * runs.inner_strides[2], ic[o + k]) << c.DebugString() << " at " << o + k;
    }
    next = o + runs.length;
  });
  EXPECT_EQ(next, out->num_elements());
}

TEST(BroadcastRunsTest, ShapesUsersWrite) {
  // A mask [B,1,1,S] over attention scores [B,H,T,S] with a scalar.
  ExpectRunsMatchIndex(TensorShape{2, 1, 1, 5}, TensorShape{2, 3, 4, 5}, TensorShape{});
  // Layer norm's rsqrt(var) [B,T,1] times gamma [1,1,C]: an outer product.
  ExpectRunsMatchIndex(TensorShape{2, 3, 1}, TensorShape{1, 1, 4}, TensorShape{1});
  // x [B,T,C] minus its mean [B,T,1].
  ExpectRunsMatchIndex(TensorShape{2, 3, 4}, TensorShape{2, 3, 1}, TensorShape{2, 3, 4});
  // Nothing broadcast; all scalars; a zero-size dim.
  ExpectRunsMatchIndex(TensorShape{3, 4}, TensorShape{3, 4}, TensorShape{3, 4});
  ExpectRunsMatchIndex(TensorShape{}, TensorShape{}, TensorShape{});
  ExpectRunsMatchIndex(TensorShape{0, 3}, TensorShape{1, 3}, TensorShape{});
}

TEST(BroadcastRunsTest, RandomShapes) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 500; ++trial) {
    const int rank = 1 + static_cast<int>(rng() % 5);
    std::vector<int64_t> out(rank);
    for (int64_t& d : out) d = 1 + static_cast<int64_t>(rng() % 4);
    std::vector<int64_t> dims[3];
    for (auto& in : dims) {
      const int in_rank = static_cast<int>(rng() % (rank + 1));
      for (int i = rank - in_rank; i < rank; ++i) in.push_back(rng() % 3 == 0 ? 1 : out[i]);
    }
    ExpectRunsMatchIndex(TensorShape(dims[0]), TensorShape(dims[1]), TensorShape(dims[2]));
  }
}

}  // namespace
}  // namespace tern
