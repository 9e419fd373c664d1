// Predict/error response writing, number formatting, round trips, base64 and UTF-8.
#include <Eigen/Core>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "json_test_util.h"
#include "server/codec/json_tensor.h"

namespace tern {
namespace {

using tensorflow::DT_BOOL;
using tensorflow::DT_DOUBLE;
using tensorflow::DT_FLOAT;
using tensorflow::DT_HALF;
using tensorflow::DT_INT16;
using tensorflow::DT_INT32;
using tensorflow::DT_INT64;
using tensorflow::DT_INT8;
using tensorflow::DT_STRING;
using tensorflow::DT_UINT16;
using tensorflow::DT_UINT32;
using tensorflow::DT_UINT64;
using tensorflow::DT_UINT8;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using json_test::AnyShape;
using json_test::Fixed;
using json_test::Parse;
using json_test::Spec;
using json_test::Values;

std::string Write(const std::map<std::string, Tensor>& outputs, JsonFormat format) {
  auto result = WritePredictResponse(outputs, format);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : "";
}

// ---------------------------------------------------------------- responses

TEST(JsonPredictResponseTest, RowSingleOutputScalarsLayout) {
  std::map<std::string, Tensor> outputs{
      {"y", Tensor::FromVector<float>({3.5f, 4.0f, 5.5f}, TensorShape{3})}};
  EXPECT_EQ(Write(outputs, JsonFormat::kRow), "{\n    \"predictions\": [3.5, 4.0, 5.5\n    ]\n}");
}

TEST(JsonPredictResponseTest, RowSingleOutputNested) {
  std::map<std::string, Tensor> outputs{
      {"y", Tensor::FromVector<int32_t>({1, 2, 3, 4, 5, 6}, TensorShape{2, 3})}};
  EXPECT_EQ(Write(outputs, JsonFormat::kRow),
            "{\n    \"predictions\": [[1, 2, 3], [4, 5, 6]\n    ]\n}");
}

TEST(JsonPredictResponseTest, RowSeveralOutputs) {
  std::map<std::string, Tensor> outputs{
      {"classes", Tensor::FromVector<int64_t>({1, 0}, TensorShape{2})},
      {"scores", Tensor::FromVector<float>({0.25f, 0.75f, 0.5f, 0.5f}, TensorShape{2, 2})}};
  EXPECT_EQ(Write(outputs, JsonFormat::kRow),
            "{\n"
            "    \"predictions\": [\n"
            "        {\n"
            "            \"classes\": 1,\n"
            "            \"scores\": [0.25, 0.75]\n"
            "        },\n"
            "        {\n"
            "            \"classes\": 0,\n"
            "            \"scores\": [0.5, 0.5]\n"
            "        }\n"
            "    ]\n"
            "}");
}

TEST(JsonPredictResponseTest, RowEmptyBatch) {
  std::map<std::string, Tensor> outputs{{"y", Tensor(DT_FLOAT, TensorShape{0, 3})}};
  EXPECT_EQ(Write(outputs, JsonFormat::kRow), "{\n    \"predictions\": []\n}");
}

TEST(JsonPredictResponseTest, ColumnarSingleOutput) {
  std::map<std::string, Tensor> outputs{
      {"y", Tensor::FromVector<float>({1.0f, 2.5f}, TensorShape{2})}};
  EXPECT_EQ(Write(outputs, JsonFormat::kColumnar),
            "{\n    \"outputs\": [\n        1.0,\n        2.5\n    ]\n}");
}

TEST(JsonPredictResponseTest, ColumnarScalarAndSeveralOutputs) {
  std::map<std::string, Tensor> one{{"y", Tensor::Scalar<double>(0.5)}};
  EXPECT_EQ(Write(one, JsonFormat::kColumnar), "{\n    \"outputs\": 0.5\n}");

  std::map<std::string, Tensor> outputs{
      {"a", Tensor::FromVector<bool>({true, false}, TensorShape{1, 2})},
      {"b", Tensor::Scalar<std::string>("hi")}};
  EXPECT_EQ(Write(outputs, JsonFormat::kColumnar),
            "{\n"
            "    \"outputs\": {\n"
            "        \"a\": [\n"
            "            [\n"
            "                true,\n"
            "                false\n"
            "            ]\n"
            "        ],\n"
            "        \"b\": \"hi\"\n"
            "    }\n"
            "}");
}

TEST(JsonPredictResponseTest, BytesOutputsAreBase64) {
  std::map<std::string, Tensor> outputs{
      {"img_bytes",
       Tensor::FromVector<std::string>({std::string("\x00\xff", 2), "hi"}, TensorShape{2})}};
  EXPECT_EQ(Write(outputs, JsonFormat::kRow),
            "{\n"
            "    \"predictions\": [{\n"
            "            \"b64\": \"AP8=\"\n"
            "        }, {\n"
            "            \"b64\": \"aGk=\"\n"
            "        }\n"
            "    ]\n"
            "}");
}

TEST(JsonPredictResponseTest, StringEscapingAndInvalidUtf8) {
  std::map<std::string, Tensor> outputs{
      {"s", Tensor::FromVector<std::string>(
                {"a\"b\\c\n\t\x01/\xc3\xa9", std::string("\xff\xfe", 2)}, TensorShape{2})}};
  EXPECT_EQ(Write(outputs, JsonFormat::kColumnar),
            "{\n"
            "    \"outputs\": [\n"
            "        \"a\\\"b\\\\c\\n\\t\\u0001/\xc3\xa9\",\n"
            "        {\n"
            "            \"b64\": \"//4=\"\n"
            "        }\n"
            "    ]\n"
            "}");
}

TEST(JsonPredictResponseTest, NonFiniteFloats) {
  const float inf = std::numeric_limits<float>::infinity();
  std::map<std::string, Tensor> outputs{
      {"y", Tensor::FromVector<float>({std::nanf(""), inf, -inf}, TensorShape{3})}};
  EXPECT_EQ(Write(outputs, JsonFormat::kRow),
            "{\n    \"predictions\": [NaN, Infinity, -Infinity\n    ]\n}");
  std::map<std::string, Tensor> doubles{
      {"y",
       Tensor::FromVector<double>({-std::numeric_limits<double>::infinity()}, TensorShape{1})}};
  EXPECT_EQ(Write(doubles, JsonFormat::kRow), "{\n    \"predictions\": [-Infinity\n    ]\n}");
}

TEST(JsonPredictResponseTest, IntegersAndBools) {
  std::map<std::string, Tensor> outputs{
      {"a", Tensor::FromVector<int8_t>({-5}, TensorShape{1})},
      {"b", Tensor::FromVector<uint8_t>({200}, TensorShape{1})},
      {"c", Tensor::FromVector<int64_t>({std::numeric_limits<int64_t>::min()}, TensorShape{1})},
      {"d", Tensor::FromVector<uint64_t>({std::numeric_limits<uint64_t>::max()}, TensorShape{1})},
      {"e", Tensor::FromVector<bool>({true}, TensorShape{1})}};
  EXPECT_EQ(Write(outputs, JsonFormat::kRow),
            "{\n"
            "    \"predictions\": [\n"
            "        {\n"
            "            \"a\": -5,\n"
            "            \"b\": 200,\n"
            "            \"c\": -9223372036854775808,\n"
            "            \"d\": 18446744073709551615,\n"
            "            \"e\": true\n"
            "        }\n"
            "    ]\n"
            "}");
}

TEST(JsonPredictResponseTest, RowNeedsSharedBatchDim) {
  std::map<std::string, Tensor> outputs{
      {"a", Tensor::FromVector<float>({1, 2}, TensorShape{2})},
      {"b", Tensor::FromVector<float>({1, 2, 3}, TensorShape{3})}};
  auto result = WritePredictResponse(outputs, JsonFormat::kRow);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), AllOf(HasSubstr("output 'b'"), HasSubstr("batch size 3"),
                                               HasSubstr("output 'a'"), HasSubstr("has 2")));
  // The columnar format does not care.
  EXPECT_TRUE(WritePredictResponse(outputs, JsonFormat::kColumnar).ok());
}

TEST(JsonPredictResponseTest, RowRejectsScalarsEmptyAndUnsupported) {
  auto scalar = WritePredictResponse({{"s", Tensor::Scalar<float>(1)}}, JsonFormat::kRow);
  ASSERT_FALSE(scalar.ok());
  EXPECT_THAT(scalar.status().message(), AllOf(HasSubstr("output 's'"), HasSubstr("scalar")));
  EXPECT_FALSE(WritePredictResponse({}, JsonFormat::kColumnar).ok());
  auto complex = WritePredictResponse({{"c", Tensor(tensorflow::DT_COMPLEX64, TensorShape{1})}},
                                      JsonFormat::kRow);
  ASSERT_FALSE(complex.ok());
  EXPECT_EQ(complex.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(complex.status().message(), HasSubstr("output 'c'"));
}

TEST(JsonPredictResponseTest, HalfAndBfloat16AreWrittenAsNumbers) {
  Tensor half(DT_HALF, TensorShape{3});
  Eigen::half* h = half.flat<Eigen::half>();
  h[0] = Eigen::half(1.5f);
  h[1] = Eigen::half(-0.099975586f);  // the half nearest -0.1
  h[2] = Eigen::half(65504.0f);       // the largest half
  Tensor bf16(tensorflow::DT_BFLOAT16, TensorShape{3});
  Eigen::bfloat16* b = bf16.flat<Eigen::bfloat16>();
  b[0] = Eigen::bfloat16(2.0f);
  b[1] = Eigen::bfloat16(0.1f);  // 0.10009765625 in bfloat16
  b[2] = Eigen::bfloat16(-3.0e38f);
  EXPECT_EQ(
      Write({{"h", half}}, JsonFormat::kColumnar),
      "{\n    \"outputs\": [\n        1.5,\n        -0.0999755859,\n        65504.0\n    ]\n}");
  const std::string written = Write({{"b", bf16}}, JsonFormat::kColumnar);
  EXPECT_THAT(written, AllOf(HasSubstr("2.0"), HasSubstr("0.100097656")));
}

TEST(JsonErrorResponseTest, Layout) {
  EXPECT_EQ(WriteErrorResponse("Servable not found for request: Latest(half)"),
            "{\n    \"error\": \"Servable not found for request: Latest(half)\"\n}");
  EXPECT_EQ(WriteErrorResponse("a \"b\""), "{\n    \"error\": \"a \\\"b\\\"\"\n}");
}

// ---------------------------------------------------------------- numbers

TEST(JsonFloatFormatTest, FloatsAsTfServing) {
  EXPECT_EQ(FormatJsonFloat(0.1f), "0.1");
  EXPECT_EQ(FormatJsonFloat(3.0f), "3.0");
  EXPECT_EQ(FormatJsonFloat(2.5f), "2.5");
  EXPECT_EQ(FormatJsonFloat(0.0f), "0.0");
  EXPECT_EQ(FormatJsonFloat(-0.0f), "-0.0");
  EXPECT_EQ(FormatJsonFloat(-7.0f), "-7.0");
  EXPECT_EQ(FormatJsonFloat(100000.0f), "100000.0");
  EXPECT_EQ(FormatJsonFloat(1e6f), "1e+06");
  EXPECT_EQ(FormatJsonFloat(1e-5f), "1e-05");
  EXPECT_EQ(FormatJsonFloat(1.5e-7f), "1.5e-07");
  EXPECT_EQ(FormatJsonFloat(3.4028235e38f), "3.40282347e+38");
  // Six digits do not round-trip: max_digits10 (9) for float.
  EXPECT_EQ(FormatJsonFloat(0.123456789f), "0.123456791");
  EXPECT_EQ(FormatJsonFloat(1234567.0f), "1234567.0");
  EXPECT_EQ(FormatJsonFloat(16777216.0f), "16777216.0");
  EXPECT_EQ(FormatJsonFloat(std::nanf("")), "NaN");
  EXPECT_EQ(FormatJsonFloat(-std::numeric_limits<float>::infinity()), "-Infinity");
}

TEST(JsonFloatFormatTest, DoublesAsTfServing) {
  EXPECT_EQ(FormatJsonDouble(0.1), "0.1");
  EXPECT_EQ(FormatJsonDouble(3.0), "3.0");
  EXPECT_EQ(FormatJsonDouble(1.0 / 3.0), "0.33333333333333331");
  EXPECT_EQ(FormatJsonDouble(static_cast<double>(0.1f)), "0.10000000149011612");
  EXPECT_EQ(FormatJsonDouble(1e21), "1e+21");
  EXPECT_EQ(FormatJsonDouble(std::numeric_limits<double>::infinity()), "Infinity");
}

// ---------------------------------------------------------------- round trips

// Writes `outputs` in the columnar format and parses the result back as a columnar request.
std::map<std::string, Tensor> RoundTrip(const std::map<std::string, Tensor>& outputs,
                                        const SignatureInputSpecs& specs) {
  std::string json = Write(outputs, JsonFormat::kColumnar);
  const size_t key = json.find("\"outputs\"");
  EXPECT_NE(key, std::string::npos);
  json.replace(key, 9, "\"inputs\"");
  auto request = Parse(json, specs);
  EXPECT_TRUE(request.ok()) << request.status().ToString() << "\n" << json;
  return request.ok() ? request->inputs : std::map<std::string, Tensor>{};
}

TEST(JsonRoundTripTest, AllDtypes) {
  const float inf = std::numeric_limits<float>::infinity();
  std::map<std::string, Tensor> outputs{
      {"f", Tensor::FromVector<float>({0.1f, -3.0f, 1e-30f, 0.123456789f, inf, 3.4028235e38f},
                                      TensorShape{2, 3})},
      {"d", Tensor::FromVector<double>({1.0 / 3.0, -1e300}, TensorShape{2})},
      {"i32", Tensor::FromVector<int32_t>({-7, 2147483647}, TensorShape{1, 2})},
      {"i64", Tensor::FromVector<int64_t>({std::numeric_limits<int64_t>::min()}, TensorShape{1})},
      {"b", Tensor::FromVector<bool>({true, false, true}, TensorShape{3})},
      {"s", Tensor::FromVector<std::string>({"x", "", "\xce\xbb"}, TensorShape{3, 1})},
      {"raw_bytes",
       Tensor::FromVector<std::string>({std::string("\0\x01\xff", 3)}, TensorShape{})}};
  auto inputs = RoundTrip(outputs, {{"f", Spec(DT_FLOAT, {2, 3})},
                                    {"d", AnyShape(DT_DOUBLE)},
                                    {"i32", AnyShape(DT_INT32)},
                                    {"i64", AnyShape(DT_INT64)},
                                    {"b", AnyShape(DT_BOOL)},
                                    {"s", AnyShape(DT_STRING)},
                                    {"raw_bytes", AnyShape(DT_STRING)}});
  ASSERT_EQ(inputs.size(), outputs.size());
  for (const auto& [name, tensor] : outputs) {
    EXPECT_EQ(inputs.at(name).shape(), tensor.shape()) << name;
    EXPECT_EQ(inputs.at(name).dtype(), tensor.dtype()) << name;
  }
  EXPECT_EQ(Values<float>(inputs.at("f")), Values<float>(outputs.at("f")));
  EXPECT_EQ(Values<double>(inputs.at("d")), Values<double>(outputs.at("d")));
  EXPECT_EQ(Values<int32_t>(inputs.at("i32")), Values<int32_t>(outputs.at("i32")));
  EXPECT_EQ(Values<int64_t>(inputs.at("i64")), Values<int64_t>(outputs.at("i64")));
  EXPECT_EQ(Values<bool>(inputs.at("b")), Values<bool>(outputs.at("b")));
  EXPECT_EQ(Values<std::string>(inputs.at("s")), Values<std::string>(outputs.at("s")));
  EXPECT_EQ(Values<std::string>(inputs.at("raw_bytes")),
            Values<std::string>(outputs.at("raw_bytes")));
}

TEST(JsonRoundTripTest, NaNSurvives) {
  auto inputs = RoundTrip({{"f", Tensor::FromVector<float>({std::nanf("")}, TensorShape{1})}},
                          {{"f", AnyShape(DT_FLOAT)}});
  ASSERT_EQ(inputs.count("f"), 1u);
  EXPECT_TRUE(std::isnan(inputs.at("f").flat<float>()[0]));
}

// ---------------------------------------------------------------- base64 / UTF-8

TEST(JsonBase64Test, EncodeDecode) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode(std::string("\xfb\xff", 2)), "+/8=");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(Base64Decode(Base64Encode(all)), all);
  EXPECT_EQ(Base64Decode("Zm9vYg"), "foob");
  EXPECT_EQ(Base64Decode("Zm9v\nYg==\n"), "foob");
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("Zg=x"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm9vY"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm9v===="), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm9-"), std::nullopt);
}

TEST(JsonUtf8Test, Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
}

}  // namespace
}  // namespace tern
