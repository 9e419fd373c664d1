#include "runtime/tensor.h"

#include <gtest/gtest.h>

namespace tern {
namespace {

TEST(TensorTest, CreateZeroFilledAndShareOnCopy) {
  auto t = Tensor::Create(tensorflow::DT_FLOAT, TensorShape{2, 3});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->num_elements(), 6);
  EXPECT_EQ(t->byte_size(), 24u);
  EXPECT_EQ(t->flat<float>()[5], 0.0f);
  Tensor copy = *t;
  copy.flat<float>()[0] = 7.0f;
  EXPECT_EQ(t->flat<float>()[0], 7.0f);
  Tensor deep = t->Clone();
  deep.flat<float>()[0] = 1.0f;
  EXPECT_EQ(t->flat<float>()[0], 7.0f);
}

TEST(TensorTest, DataTypeNamesOfReferenceAndUnknownDtypes) {
  EXPECT_EQ(DataTypeName(static_cast<DataType>(101)), "float_ref");
  // A dtype off the wire can be any int32; it is unknown, not a reference (found by fuzzing).
  EXPECT_EQ(DataTypeName(static_cast<DataType>(1'000'000'000)), "dtype1000000000");
  EXPECT_FALSE(IsRefType(static_cast<DataType>(250)));
}

TEST(TensorTest, RejectsNegativeDimension) {
  auto t = Tensor::Create(tensorflow::DT_FLOAT, TensorShape{2, -1});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
}

TEST(TensorTest, ReshapeChecksElementCount) {
  Tensor t = Tensor::FromVector<int64_t>({1, 2, 3, 4}, TensorShape{4});
  auto r = t.Reshaped(TensorShape{2, 2});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->flat<int64_t>()[3], 4);
  EXPECT_FALSE(t.Reshaped(TensorShape{3}).ok());
}

TEST(TensorTest, Strings) {
  Tensor t = Tensor::FromVector<std::string>({"a", "bc"}, TensorShape{2});
  EXPECT_EQ(t.dtype(), tensorflow::DT_STRING);
  EXPECT_EQ(t.flat<std::string>()[1], "bc");
}

}  // namespace
}  // namespace tern
