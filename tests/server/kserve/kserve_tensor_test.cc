#include "server/kserve/kserve_tensor.h"

#include <gtest/gtest.h>

namespace tern {
namespace {

TEST(KServeTensor, DatatypeNamesRoundTrip) {
  for (DataType dtype : {tensorflow::DT_FLOAT, tensorflow::DT_INT64, tensorflow::DT_STRING,
                         tensorflow::DT_BOOL, tensorflow::DT_HALF, tensorflow::DT_UINT8}) {
    auto name = V2DatatypeName(dtype);
    ASSERT_TRUE(name.ok());
    EXPECT_EQ(*V2DatatypeFromName(*name), dtype);
  }
  EXPECT_EQ(*V2DatatypeName(tensorflow::DT_FLOAT), "FP32");
  auto bad = V2DatatypeFromName("FP99");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("FP99"), std::string::npos);
  EXPECT_FALSE(V2DatatypeName(tensorflow::DT_COMPLEX64).ok());
}

TEST(KServeTensor, RawRoundTripFloat) {
  Tensor t = Tensor::FromVector<float>({1.5f, -2.0f, 3.25f}, TensorShape{3});
  std::string raw = TensorToRaw(t);
  ASSERT_EQ(raw.size(), 12u);
  auto back = TensorFromRaw(tensorflow::DT_FLOAT, TensorShape{3}, raw, "input 'x'");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->flat<float>()[2], 3.25f);
}

TEST(KServeTensor, RawBytesHaveLengthPrefixes) {
  Tensor t = Tensor::FromVector<std::string>({"ab", "", "xyz"}, TensorShape{3});
  std::string raw = TensorToRaw(t);
  EXPECT_EQ(raw, std::string("\x02\0\0\0ab\0\0\0\0\x03\0\0\0xyz", 17));
  auto back = TensorFromRaw(tensorflow::DT_STRING, TensorShape{3}, raw, "s");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->flat<std::string>()[2], "xyz");
  // A length running past the end, and trailing bytes, are errors naming the problem.
  auto overrun =
      TensorFromRaw(tensorflow::DT_STRING, TensorShape{1}, std::string("\x09\0\0\0ab", 6), "s");
  ASSERT_FALSE(overrun.ok());
  EXPECT_NE(overrun.status().message().find("declares 9 bytes"), std::string::npos);
  EXPECT_FALSE(TensorFromRaw(tensorflow::DT_STRING, TensorShape{1}, raw, "s").ok());
}

TEST(KServeTensor, RawSizeMismatchSaysExpectedAndGot) {
  auto r = TensorFromRaw(tensorflow::DT_FLOAT, TensorShape{2}, "1234567", "input 'x'");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("needs 8 bytes"), std::string::npos);
  EXPECT_NE(r.status().message().find("got 7"), std::string::npos);
  EXPECT_FALSE(TensorFromRaw(tensorflow::DT_BOOL, TensorShape{1}, "\x02", "b").ok());
}

TEST(KServeTensor, ShapeChecks) {
  EXPECT_TRUE(V2Shape({2, 3}, 100, "x").ok());
  EXPECT_FALSE(V2Shape({-1}, 100, "x").ok());
  EXPECT_FALSE(V2Shape({int64_t{1} << 40, int64_t{1} << 40}, int64_t{1} << 31, "x").ok());
  EXPECT_TRUE(V2Shape({0, int64_t{1} << 40}, 100, "x").ok());
}

TEST(KServeTensor, ContentsFieldsAndRanges) {
  inference::InferTensorContents c;
  c.add_int_contents(5);
  c.add_int_contents(300);
  auto ok = TensorFromContents(tensorflow::DT_INT32, TensorShape{2}, c, "i");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->flat<int32_t>()[1], 300);
  auto narrow = TensorFromContents(tensorflow::DT_INT8, TensorShape{2}, c, "i");
  ASSERT_FALSE(narrow.ok());
  EXPECT_NE(narrow.status().message().find("out of range"), std::string::npos);
  auto count = TensorFromContents(tensorflow::DT_INT32, TensorShape{3}, c, "i");
  ASSERT_FALSE(count.ok());
  EXPECT_NE(count.status().message().find("int_contents has 2"), std::string::npos);
}

}  // namespace
}  // namespace tern
