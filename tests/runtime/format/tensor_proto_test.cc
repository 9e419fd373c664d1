#include "runtime/format/tensor_proto.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace tern {
namespace {

TEST(TensorProtoTest, TypedFieldsHoldOneValuePerElement) {
  const Tensor tensor = Tensor::FromVector<float>({1.5f, -2.0f, 3.25f}, TensorShape({3, 1}));
  tensorflow::TensorProto proto;
  TensorToProto(tensor, &proto, TensorProtoEncoding::kTypedFields);
  EXPECT_EQ(proto.dtype(), tensorflow::DT_FLOAT);
  ASSERT_EQ(proto.tensor_shape().dim_size(), 2);
  EXPECT_EQ(proto.tensor_shape().dim(0).size(), 3);
  EXPECT_TRUE(proto.tensor_content().empty());
  ASSERT_EQ(proto.float_val_size(), 3);
  EXPECT_EQ(proto.float_val(0), 1.5f);
  EXPECT_EQ(proto.float_val(2), 3.25f);
}

TEST(TensorProtoTest, TypedFieldsUseTensorFlowsFieldPerDtype) {
  tensorflow::TensorProto proto;
  TensorToProto(Tensor::FromVector<int64_t>({7, -9}, TensorShape({2})), &proto,
                TensorProtoEncoding::kTypedFields);
  ASSERT_EQ(proto.int64_val_size(), 2);
  EXPECT_EQ(proto.int64_val(1), -9);
  TensorToProto(Tensor::FromVector<uint8_t>({250, 3}, TensorShape({2})), &proto,
                TensorProtoEncoding::kTypedFields);
  ASSERT_EQ(proto.int_val_size(), 2);
  EXPECT_EQ(proto.int_val(0), 250);
  TensorToProto(Tensor::FromVector<bool>({true, false}, TensorShape({2})), &proto,
                TensorProtoEncoding::kTypedFields);
  ASSERT_EQ(proto.bool_val_size(), 2);
  EXPECT_TRUE(proto.bool_val(0));
  TensorToProto(Tensor::FromVector<double>({0.125}, TensorShape({1})), &proto,
                TensorProtoEncoding::kTypedFields);
  ASSERT_EQ(proto.double_val_size(), 1);
  EXPECT_EQ(proto.double_val(0), 0.125);
}

TEST(TensorProtoTest, HalfTravelsAsBitPatternsInHalfVal) {
  auto tensor = Tensor::Create(tensorflow::DT_HALF, TensorShape({2}));
  ASSERT_TRUE(tensor.ok());
  uint16_t* bits = static_cast<uint16_t*>(tensor->raw_data());
  bits[0] = 0x3c00;  // 1.0
  bits[1] = 0xc000;  // -2.0
  tensorflow::TensorProto proto;
  TensorToProto(*tensor, &proto, TensorProtoEncoding::kTypedFields);
  ASSERT_EQ(proto.half_val_size(), 2);
  EXPECT_EQ(proto.half_val(0), 0x3c00);
  EXPECT_EQ(proto.half_val(1), 0xc000);
  auto back = TensorFromProto(proto);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(std::memcmp(back->raw_data(), tensor->raw_data(), 4), 0);
}

TEST(TensorProtoTest, TensorContentHoldsTheRawBytes) {
  const Tensor tensor = Tensor::FromVector<int32_t>({1, 2, 3, 4}, TensorShape({2, 2}));
  tensorflow::TensorProto proto;
  TensorToProto(tensor, &proto, TensorProtoEncoding::kTensorContent);
  EXPECT_EQ(proto.int_val_size(), 0);
  EXPECT_EQ(proto.tensor_content().size(), 16u);
}

TEST(TensorProtoTest, BothEncodingsRoundTrip) {
  const Tensor tensor = Tensor::FromVector<float>({0.5f, 1.0f, -7.0f, 2.0f}, TensorShape({2, 2}));
  for (auto encoding : {TensorProtoEncoding::kTypedFields, TensorProtoEncoding::kTensorContent}) {
    tensorflow::TensorProto proto;
    TensorToProto(tensor, &proto, encoding);
    auto back = TensorFromProto(proto);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->shape(), tensor.shape());
    EXPECT_EQ(std::memcmp(back->raw_data(), tensor.raw_data(), tensor.byte_size()), 0);
  }
}

TEST(TensorProtoTest, StringsAlwaysUseStringVal) {
  const Tensor tensor = Tensor::FromVector<std::string>({"a", "bc"}, TensorShape({2}));
  for (auto encoding : {TensorProtoEncoding::kTypedFields, TensorProtoEncoding::kTensorContent}) {
    tensorflow::TensorProto proto;
    TensorToProto(tensor, &proto, encoding);
    ASSERT_EQ(proto.string_val_size(), 2);
    EXPECT_EQ(proto.string_val(1), "bc");
  }
}

TEST(TensorProtoTest, WrongTensorContentLengthSaysBothSizes) {
  tensorflow::TensorProto proto;
  proto.set_dtype(tensorflow::DT_FLOAT);
  proto.mutable_tensor_shape()->add_dim()->set_size(3);
  proto.set_tensor_content(std::string(8, '\0'));
  auto tensor = TensorFromProto(proto);
  ASSERT_FALSE(tensor.ok());
  EXPECT_NE(tensor.status().message().find("8 bytes"), std::string::npos);
  EXPECT_NE(tensor.status().message().find("12"), std::string::npos);
}

}  // namespace
}  // namespace tern
