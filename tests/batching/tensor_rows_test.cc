#include "batching/tensor_rows.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tern {
namespace {

using ::testing::ElementsAre;

template <typename T>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.flat<T>(), t.flat<T>() + t.num_elements());
}

TEST(TensorRowsTest, ConcatThenPadWithFirstRow) {
  Tensor a = Tensor::FromVector<float>({1, 2, 3, 4}, TensorShape{2, 2});
  Tensor b = Tensor::FromVector<float>({5, 6}, TensorShape{1, 2});
  auto out = ConcatRows({a, b}, 4, InnerDims::kMustMatch);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->shape(), (TensorShape{4, 2}));
  EXPECT_THAT(Values<float>(*out), ElementsAre(1, 2, 3, 4, 5, 6, 1, 2));
}

TEST(TensorRowsTest, MismatchedInnerDimsAreAnError) {
  Tensor a = Tensor::FromVector<float>({1, 2}, TensorShape{1, 2});
  Tensor b = Tensor::FromVector<float>({1, 2, 3}, TensorShape{1, 3});
  auto out = ConcatRows({a, b}, 2, InnerDims::kMustMatch);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), ::testing::HasSubstr("[1,3]"));
}

TEST(TensorRowsTest, PadsInnerDimsWithZeros) {
  Tensor a = Tensor::FromVector<int32_t>({1, 2}, TensorShape{1, 2});
  Tensor b = Tensor::FromVector<int32_t>({3, 4, 5, 6, 7, 8}, TensorShape{2, 3});
  auto out = ConcatRows({a, b}, 3, InnerDims::kPadToLargest);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->shape(), (TensorShape{3, 3}));
  EXPECT_THAT(Values<int32_t>(*out), ElementsAre(1, 2, 0, 3, 4, 5, 6, 7, 8));
}

TEST(TensorRowsTest, PadsRank3) {
  Tensor a = Tensor::FromVector<int64_t>({1, 2, 3, 4}, TensorShape{1, 2, 2});
  Tensor b = Tensor::FromVector<int64_t>({5, 6, 7}, TensorShape{1, 1, 3});
  auto out = ConcatRows({a, b}, 2, InnerDims::kPadToLargest);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->shape(), (TensorShape{2, 2, 3}));
  EXPECT_THAT(Values<int64_t>(*out), ElementsAre(1, 2, 0, 3, 4, 0, 5, 6, 7, 0, 0, 0));
}

TEST(TensorRowsTest, Strings) {
  Tensor a = Tensor::FromVector<std::string>({"a", "b"}, TensorShape{2});
  Tensor b = Tensor::FromVector<std::string>({"c"}, TensorShape{1});
  auto out = ConcatRows({a, b}, 4, InnerDims::kMustMatch);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<std::string>(*out), ElementsAre("a", "b", "c", "a"));
  auto slice = SliceRows(*out, 1, 2);
  ASSERT_TRUE(slice.ok());
  EXPECT_THAT(Values<std::string>(*slice), ElementsAre("b", "c"));
}

TEST(TensorRowsTest, SliceRows) {
  Tensor t = Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, TensorShape{3, 2});
  auto s = SliceRows(t, 1, 2);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->shape(), (TensorShape{2, 2}));
  EXPECT_THAT(Values<float>(*s), ElementsAre(3, 4, 5, 6));
  EXPECT_FALSE(SliceRows(t, 2, 2).ok());
  EXPECT_FALSE(SliceRows(Tensor::Scalar<float>(1), 0, 1).ok());
}

TEST(TensorRowsTest, ScalarsCannotBeBatched) {
  auto out = ConcatRows({Tensor::Scalar<float>(1)}, 1, InnerDims::kMustMatch);
  EXPECT_FALSE(out.ok());
}

}  // namespace
}  // namespace tern
