#include "server/json_tensor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace tern {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
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

TensorSpec Spec(DataType dtype, std::vector<int64_t> dims) {
  return TensorSpec{dtype, std::move(dims), false};
}
TensorSpec AnyShape(DataType dtype) { return TensorSpec{dtype, {}, true}; }

SignatureInputLookup Fixed(SignatureInputSpecs specs) {
  return [specs](const std::string&) -> StatusOr<SignatureInputSpecs> { return specs; };
}

template <typename T>
std::vector<T> Values(const Tensor& tensor) {
  const T* data = tensor.flat<T>();
  return std::vector<T>(data, data + tensor.num_elements());
}

StatusOr<PredictJsonRequest> Parse(const std::string& body, SignatureInputSpecs specs) {
  return ParsePredictRequest(body, Fixed(std::move(specs)));
}

// Parses and expects INVALID_ARGUMENT; returns the message.
std::string ParseError(const std::string& body, SignatureInputSpecs specs) {
  auto result = Parse(body, std::move(specs));
  EXPECT_FALSE(result.ok()) << body;
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
  return result.status().message();
}

std::string Write(const std::map<std::string, Tensor>& outputs, JsonFormat format) {
  auto result = WritePredictResponse(outputs, format);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : "";
}

// ---------------------------------------------------------------- row format

TEST(JsonPredictRequestTest, RowSingleInputScalars) {
  auto request = Parse(R"({"instances": [1.0, 2.0, 5.0]})", {{"x", Spec(DT_FLOAT, {-1})}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->format, JsonFormat::kRow);
  EXPECT_EQ(request->signature_name, "");
  ASSERT_EQ(request->inputs.size(), 1u);
  const Tensor& x = request->inputs.at("x");
  EXPECT_EQ(x.dtype(), DT_FLOAT);
  EXPECT_EQ(x.shape(), (TensorShape{3}));
  EXPECT_THAT(Values<float>(x), ElementsAre(1.0f, 2.0f, 5.0f));
}

TEST(JsonPredictRequestTest, RowSingleInputNestedLists) {
  auto request =
      Parse(R"({"instances": [[[1, 2]], [[3, 4]]]})", {{"x", Spec(DT_INT32, {-1, 1, 2})}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  const Tensor& x = request->inputs.at("x");
  EXPECT_EQ(x.shape(), (TensorShape{2, 1, 2}));
  EXPECT_THAT(Values<int32_t>(x), ElementsAre(1, 2, 3, 4));
}

TEST(JsonPredictRequestTest, RowSingleInputAsObjects) {
  auto request = Parse(R"({"signature_name": "sig", "instances": [{"x": [1, 2]}, {"x": [3, 4]}]})",
                       {{"x", Spec(DT_INT64, {-1, 2})}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->signature_name, "sig");
  EXPECT_EQ(request->inputs.at("x").shape(), (TensorShape{2, 2}));
  EXPECT_THAT(Values<int64_t>(request->inputs.at("x")), ElementsAre(1, 2, 3, 4));
}

TEST(JsonPredictRequestTest, RowSeveralInputs) {
  const std::string body = R"({"instances": [
      {"tag": "foo", "signal": [1, 2, 3, 4, 5], "sensor": [[1, 2], [3, 4]]},
      {"tag": "bar", "signal": [3, 4, 1, 2, 5], "sensor": [[4, 5], [6, 8]]}]})";
  auto request = Parse(body, {{"tag", Spec(DT_STRING, {-1})},
                              {"signal", Spec(DT_INT64, {-1, 5})},
                              {"sensor", AnyShape(DT_FLOAT)}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->inputs.size(), 3u);
  EXPECT_THAT(Values<std::string>(request->inputs.at("tag")), ElementsAre("foo", "bar"));
  EXPECT_EQ(request->inputs.at("signal").shape(), (TensorShape{2, 5}));
  EXPECT_THAT(Values<int64_t>(request->inputs.at("signal")),
              ElementsAre(1, 2, 3, 4, 5, 3, 4, 1, 2, 5));
  EXPECT_EQ(request->inputs.at("sensor").shape(), (TensorShape{2, 2, 2}));
  EXPECT_THAT(Values<float>(request->inputs.at("sensor")),
              ElementsAre(1, 2, 3, 4, 4, 5, 6, 8));
}

TEST(JsonPredictRequestTest, RowEmptyListsGiveZeroDims) {
  auto request = Parse(R"({"instances": [[], []]})", {{"x", AnyShape(DT_FLOAT)}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->inputs.at("x").shape(), (TensorShape{2, 0}));
}

// ---------------------------------------------------------------- columnar format

TEST(JsonPredictRequestTest, ColumnarSingleValueHasNoImpliedBatch) {
  auto request = Parse(R"({"inputs": [[1, 2], [3, 4], [5, 6]]})", {{"x", AnyShape(DT_FLOAT)}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->format, JsonFormat::kColumnar);
  EXPECT_EQ(request->inputs.at("x").shape(), (TensorShape{3, 2}));
  EXPECT_THAT(Values<float>(request->inputs.at("x")), ElementsAre(1, 2, 3, 4, 5, 6));
}

TEST(JsonPredictRequestTest, ColumnarScalar) {
  auto request = Parse(R"({"inputs": 7})", {{"x", Spec(DT_INT32, {})}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->inputs.at("x").shape(), TensorShape{});
  EXPECT_THAT(Values<int32_t>(request->inputs.at("x")), ElementsAre(7));
}

TEST(JsonPredictRequestTest, ColumnarSeveralInputsMayDifferInDim0) {
  const std::string body = R"({"inputs": {
      "tag": ["foo", "bar"],
      "signal": [1, 2, 3, 4, 5, 3, 4, 1, 2, 4],
      "sensor": [[1, 2], [3, 4], [4, 5], [6, 8]]}})";
  auto request = Parse(body, {{"tag", Spec(DT_STRING, {-1})},
                              {"signal", Spec(DT_INT64, {-1})},
                              {"sensor", Spec(DT_DOUBLE, {-1, 2})}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->inputs.at("tag").shape(), (TensorShape{2}));
  EXPECT_EQ(request->inputs.at("signal").shape(), (TensorShape{10}));
  EXPECT_EQ(request->inputs.at("sensor").shape(), (TensorShape{4, 2}));
  EXPECT_THAT(Values<double>(request->inputs.at("sensor")), ElementsAre(1, 2, 3, 4, 4, 5, 6, 8));
}

TEST(JsonPredictRequestTest, ColumnarSingleInputByName) {
  auto request = Parse(R"({"inputs": {"x": [true, false]}})", {{"x", Spec(DT_BOOL, {2})}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_THAT(Values<bool>(request->inputs.at("x")), ElementsAre(true, false));
}

TEST(JsonPredictRequestTest, ColumnarSingleBase64Value) {
  auto request = Parse(R"({"inputs": {"b64": "aGVsbG8="}})", {{"x", Spec(DT_STRING, {})}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_THAT(Values<std::string>(request->inputs.at("x")), ElementsAre("hello"));
}

// ---------------------------------------------------------------- strings, b64, dtypes

TEST(JsonPredictRequestTest, StringsAndBase64) {
  auto request = Parse(
      R"({"instances": [{"b64": "aGVsbG8="}, "plain", {"b64": "d29ybGQ"}, {"b64": ""}]})",
      {{"x", Spec(DT_STRING, {-1})}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_THAT(Values<std::string>(request->inputs.at("x")),
              ElementsAre("hello", "plain", "world", ""));
}

TEST(JsonPredictRequestTest, IntegerDtypes) {
  const std::string body = R"({"inputs": {
      "i8": [-128, 127], "u8": [0, 255], "i16": [-32768, 32767], "u16": [0, 65535],
      "i32": [-2147483648, 2147483647], "u32": [0, 4294967295],
      "i64": [-9223372036854775808, 9223372036854775807], "u64": [0, 18446744073709551615]}})";
  auto request = Parse(body, {{"i8", AnyShape(DT_INT8)},
                              {"u8", AnyShape(DT_UINT8)},
                              {"i16", AnyShape(DT_INT16)},
                              {"u16", AnyShape(DT_UINT16)},
                              {"i32", AnyShape(DT_INT32)},
                              {"u32", AnyShape(DT_UINT32)},
                              {"i64", AnyShape(DT_INT64)},
                              {"u64", AnyShape(DT_UINT64)}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_THAT(Values<int8_t>(request->inputs.at("i8")), ElementsAre(-128, 127));
  EXPECT_THAT(Values<uint8_t>(request->inputs.at("u8")), ElementsAre(0, 255));
  EXPECT_THAT(Values<int16_t>(request->inputs.at("i16")), ElementsAre(-32768, 32767));
  EXPECT_THAT(Values<uint16_t>(request->inputs.at("u16")), ElementsAre(0, 65535));
  EXPECT_THAT(Values<int32_t>(request->inputs.at("i32")),
              ElementsAre(std::numeric_limits<int32_t>::min(), 2147483647));
  EXPECT_THAT(Values<uint32_t>(request->inputs.at("u32")), ElementsAre(0u, 4294967295u));
  EXPECT_THAT(Values<int64_t>(request->inputs.at("i64")),
              ElementsAre(std::numeric_limits<int64_t>::min(),
                          std::numeric_limits<int64_t>::max()));
  EXPECT_THAT(Values<uint64_t>(request->inputs.at("u64")),
              ElementsAre(0u, std::numeric_limits<uint64_t>::max()));
}

TEST(JsonPredictRequestTest, IntegersAreAcceptedForFloatInputs) {
  auto request = Parse(R"({"inputs": {"f": [1, -2, 16777215, 2.5e1], "d": [9007199254740991, 0.1]}})",
                       {{"f", AnyShape(DT_FLOAT)}, {"d", AnyShape(DT_DOUBLE)}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_THAT(Values<float>(request->inputs.at("f")), ElementsAre(1.0f, -2.0f, 16777215.0f, 25.0f));
  EXPECT_THAT(Values<double>(request->inputs.at("d")), ElementsAre(9007199254740991.0, 0.1));
}

TEST(JsonPredictRequestTest, NonFiniteTokens) {
  auto request = Parse(R"({"instances": [NaN, Infinity, -Infinity, 1.5, -NaN, Inf, -Inf]})",
                       {{"x", Spec(DT_FLOAT, {-1})}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  std::vector<float> v = Values<float>(request->inputs.at("x"));
  ASSERT_EQ(v.size(), 7u);
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], std::numeric_limits<float>::infinity());
  EXPECT_EQ(v[2], -std::numeric_limits<float>::infinity());
  EXPECT_EQ(v[3], 1.5f);
  EXPECT_TRUE(std::isnan(v[4]));
  EXPECT_EQ(v[5], std::numeric_limits<float>::infinity());
  EXPECT_EQ(v[6], -std::numeric_limits<float>::infinity());
}

TEST(JsonPredictRequestTest, NonFiniteTokensAmongOtherNumbersAndStrings) {
  // Tokens inside strings are left alone; numbers elsewhere keep their values.
  const std::string body =
      R"({"signature_name": "NaN \"Infinity\"", "inputs": {"s": ["NaN", "-Infinity"],)"
      R"( "d": [[1e2, NaN], [-3, -Infinity]], "i": [-1, 20]}})";
  auto request = Parse(body, {{"s", AnyShape(DT_STRING)},
                              {"d", AnyShape(DT_DOUBLE)},
                              {"i", AnyShape(DT_INT32)}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->signature_name, "NaN \"Infinity\"");
  EXPECT_THAT(Values<std::string>(request->inputs.at("s")), ElementsAre("NaN", "-Infinity"));
  std::vector<double> d = Values<double>(request->inputs.at("d"));
  EXPECT_EQ(d[0], 100.0);
  EXPECT_TRUE(std::isnan(d[1]));
  EXPECT_EQ(d[2], -3.0);
  EXPECT_EQ(d[3], -std::numeric_limits<double>::infinity());
  EXPECT_THAT(Values<int32_t>(request->inputs.at("i")), ElementsAre(-1, 20));
}

TEST(JsonPredictRequestTest, NonFiniteForIntInputIsRejected) {
  EXPECT_THAT(ParseError(R"({"instances": [1, NaN]})", {{"x", AnyShape(DT_INT32)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("instances[1]"), HasSubstr("int32")));
}

TEST(JsonPredictRequestTest, SignatureNameIsPassedToLookup) {
  std::string seen = "unset";
  SignatureInputLookup lookup = [&](const std::string& name) -> StatusOr<SignatureInputSpecs> {
    seen = name;
    return SignatureInputSpecs{{"x", AnyShape(DT_FLOAT)}};
  };
  ASSERT_TRUE(ParsePredictRequest(R"({"instances": [1]})", lookup).ok());
  EXPECT_EQ(seen, "");
  ASSERT_TRUE(ParsePredictRequest(R"({"signature_name": "a", "instances": [1]})", lookup).ok());
  EXPECT_EQ(seen, "a");
}

TEST(JsonPredictRequestTest, LookupErrorIsReturnedAsIs) {
  SignatureInputLookup lookup = [](const std::string&) -> StatusOr<SignatureInputSpecs> {
    return NotFound("no signature 'zz'");
  };
  auto result = ParsePredictRequest(R"({"signature_name": "zz", "instances": [1]})", lookup);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(), "no signature 'zz'");
}

// ---------------------------------------------------------------- errors

TEST(JsonPredictRequestErrorTest, MalformedJsonGivesByteOffset) {
  const std::string message = ParseError(R"({"instances": [1, 2,, 3]})", {{"x", AnyShape(DT_FLOAT)}});
  EXPECT_THAT(message, AllOf(HasSubstr("JSON parse error"), HasSubstr("byte offset 20")));
  // Offsets stay right after a rewritten NaN token.
  EXPECT_THAT(ParseError(R"({"instances": [NaN, ]})", {{"x", AnyShape(DT_FLOAT)}}),
              HasSubstr("byte offset 20"));
  EXPECT_THAT(ParseError(R"({"instances": [Nope]})", {{"x", AnyShape(DT_FLOAT)}}),
              HasSubstr("JSON parse error"));
  EXPECT_THAT(ParseError(R"({"instances": [1e999]})", {{"x", AnyShape(DT_FLOAT)}}),
              HasSubstr("JSON parse error"));
}

TEST(JsonPredictRequestErrorTest, EmptyOrNonObjectBody) {
  EXPECT_THAT(ParseError("", {{"x", AnyShape(DT_FLOAT)}}), HasSubstr("empty"));
  EXPECT_THAT(ParseError("[1, 2]", {{"x", AnyShape(DT_FLOAT)}}),
              AllOf(HasSubstr("must be a JSON object"), HasSubstr("list")));
  EXPECT_THAT(ParseError("NaN", {{"x", AnyShape(DT_FLOAT)}}), HasSubstr("must be a JSON object"));
}

TEST(JsonPredictRequestErrorTest, BothOrNeitherKey) {
  EXPECT_THAT(ParseError(R"({"instances": [1], "inputs": [1]})", {{"x", AnyShape(DT_FLOAT)}}),
              AllOf(HasSubstr("both"), HasSubstr("'instances'"), HasSubstr("'inputs'")));
  EXPECT_THAT(ParseError(R"({"signature_name": "s", "data": [1]})", {{"x", AnyShape(DT_FLOAT)}}),
              HasSubstr("Missing 'inputs' or 'instances' key"));
}

TEST(JsonPredictRequestErrorTest, BadSignatureNameOrEmptySignature) {
  EXPECT_THAT(ParseError(R"({"signature_name": 3, "instances": [1]})", {{"x", AnyShape(DT_FLOAT)}}),
              HasSubstr("'signature_name' must be a string"));
  EXPECT_THAT(ParseError(R"({"signature_name": "s", "instances": [1]})", {}),
              HasSubstr("signature 's' has no inputs"));
}

TEST(JsonPredictRequestErrorTest, InstancesNotAListOrEmpty) {
  EXPECT_THAT(ParseError(R"({"instances": {"x": 1}})", {{"x", AnyShape(DT_FLOAT)}}),
              HasSubstr("'instances' must be a list"));
  EXPECT_THAT(ParseError(R"({"instances": []})", {{"x", AnyShape(DT_FLOAT)}}),
              HasSubstr("'instances' is an empty list"));
}

TEST(JsonPredictRequestErrorTest, UnknownInput) {
  SignatureInputSpecs specs{{"a", AnyShape(DT_FLOAT)}, {"b", AnyShape(DT_FLOAT)}};
  EXPECT_THAT(ParseError(R"({"instances": [{"a": 1, "b": 2}, {"a": 1, "b": 2, "c": 3}]})", specs),
              AllOf(HasSubstr("instances[1]"), HasSubstr("unknown input 'c'"), HasSubstr("a, b")));
  EXPECT_THAT(ParseError(R"({"inputs": {"a": 1, "b": 2, "c": 3}})", specs),
              AllOf(HasSubstr("unknown input 'c'"), HasSubstr("a, b")));
  EXPECT_THAT(ParseError(R"({"instances": [{"y": 1}]})", {{"x", AnyShape(DT_FLOAT)}}),
              HasSubstr("unknown input 'y'"));
}

TEST(JsonPredictRequestErrorTest, MissingInput) {
  SignatureInputSpecs specs{{"a", AnyShape(DT_FLOAT)}, {"b", AnyShape(DT_FLOAT)}};
  EXPECT_THAT(ParseError(R"({"instances": [{"a": 1, "b": 2}, {"a": 1}]})", specs),
              AllOf(HasSubstr("instances[1]"), HasSubstr("missing input 'b'")));
  EXPECT_THAT(ParseError(R"({"inputs": {"a": 1}})", specs), HasSubstr("missing input 'b'"));
}

TEST(JsonPredictRequestErrorTest, PlainValuesForSeveralInputs) {
  SignatureInputSpecs specs{{"a", AnyShape(DT_FLOAT)}, {"b", AnyShape(DT_FLOAT)}};
  EXPECT_THAT(ParseError(R"({"instances": [1, 2]})", specs),
              AllOf(HasSubstr("2 inputs"), HasSubstr("a, b"), HasSubstr("object keyed by input")));
  EXPECT_THAT(ParseError(R"({"inputs": [1, 2]})", specs),
              AllOf(HasSubstr("2 inputs"), HasSubstr("a, b"), HasSubstr("object keyed by input")));
}

TEST(JsonPredictRequestErrorTest, MixedObjectsAndValuesInInstances) {
  EXPECT_THAT(ParseError(R"({"instances": [{"x": 1}, 2]})", {{"x", AnyShape(DT_FLOAT)}}),
              HasSubstr("instances[1] is not an object keyed by input name, but instances[0] is"));
  EXPECT_THAT(ParseError(R"({"instances": [1, {"x": 2}]})", {{"x", AnyShape(DT_FLOAT)}}),
              HasSubstr("instances[1] is an object keyed by input name, but instances[0] is not"));
}

TEST(JsonPredictRequestErrorTest, RaggedRows) {
  SignatureInputSpecs specs{{"x", AnyShape(DT_FLOAT)}};
  EXPECT_THAT(ParseError(R"({"instances": [[1, 2], [3, 4, 5]]})", specs),
              AllOf(HasSubstr("input 'x'"), HasSubstr("instances[1]"), HasSubstr("[3]"),
                    HasSubstr("[2]")));
  EXPECT_THAT(ParseError(R"({"instances": [[1, 2], 3]})", specs),
              AllOf(HasSubstr("input 'x'"), HasSubstr("instances[1]")));
  // Ragged inside one instance.
  EXPECT_THAT(ParseError(R"({"instances": [[[1, 2], [3, 4]], [[1, 2], [3]]]})", specs),
              AllOf(HasSubstr("input 'x'"), HasSubstr("instances[1]"), HasSubstr("ragged")));
  EXPECT_THAT(ParseError(R"({"instances": [[[1, 2], [3, 4]], [[1, 2], 3]]})", specs),
              AllOf(HasSubstr("input 'x'"), HasSubstr("instances[1]"), HasSubstr("ragged")));
  EXPECT_THAT(ParseError(R"({"instances": [[1, 2], [3, [4]]]})", specs),
              AllOf(HasSubstr("input 'x'"), HasSubstr("instances[1]"), HasSubstr("deeper")));
  // Several inputs: the message names the input that is ragged.
  EXPECT_THAT(ParseError(R"({"instances": [{"a": [1], "b": [1, 2]}, {"a": [2], "b": [1]}]})",
                         {{"a", AnyShape(DT_FLOAT)}, {"b", AnyShape(DT_FLOAT)}}),
              AllOf(HasSubstr("input 'b'"), HasSubstr("instances[1]")));
}

TEST(JsonPredictRequestErrorTest, RaggedColumnar) {
  EXPECT_THAT(ParseError(R"({"inputs": {"x": [[1, 2], [3]]}})", {{"x", AnyShape(DT_FLOAT)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("ragged")));
}

TEST(JsonPredictRequestErrorTest, ShapeMismatchWithSpec) {
  EXPECT_THAT(ParseError(R"({"instances": [[1, 2, 3, 4], [5, 6, 7, 8]]})",
                         {{"x", Spec(DT_FLOAT, {-1, 3})}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("expected shape [?,3]"),
                    HasSubstr("got [2,4]")));
  EXPECT_THAT(ParseError(R"({"inputs": [1, 2]})", {{"x", Spec(DT_FLOAT, {-1, 2})}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("expected shape [?,2]"), HasSubstr("got [2]")));
  EXPECT_THAT(ParseError(R"({"instances": [1, 2, 3]})", {{"x", Spec(DT_FLOAT, {2})}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("expected shape [2]"), HasSubstr("got [3]")));
}

TEST(JsonPredictRequestErrorTest, TypeMismatches) {
  // A decimal for an int input.
  EXPECT_THAT(ParseError(R"({"instances": [1, 2.5]})", {{"x", AnyShape(DT_INT32)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("instances[1]"), HasSubstr("expected int32"),
                    HasSubstr("decimal number 2.5")));
  EXPECT_THAT(ParseError(R"({"inputs": {"x": [1.0]}})", {{"x", AnyShape(DT_INT64)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("expected int64")));
  // A string for a number.
  EXPECT_THAT(ParseError(R"({"instances": ["1"]})", {{"x", AnyShape(DT_FLOAT)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("expected float"), HasSubstr("string")));
  // A number for a string.
  EXPECT_THAT(ParseError(R"({"instances": [1]})", {{"x", AnyShape(DT_STRING)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("expected string")));
  // Bool mismatches both ways.
  EXPECT_THAT(ParseError(R"({"instances": [true]})", {{"x", AnyShape(DT_FLOAT)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("expected float"), HasSubstr("boolean")));
  EXPECT_THAT(ParseError(R"({"instances": [1]})", {{"x", AnyShape(DT_BOOL)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("expected bool"), HasSubstr("integer")));
  EXPECT_THAT(ParseError(R"({"instances": [null]})", {{"x", AnyShape(DT_INT32)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("null")));
  EXPECT_THAT(ParseError(R"({"instances": [{"b64": "AA=="}]})", {{"x", AnyShape(DT_INT32)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("expected int32"), HasSubstr("object")));
  EXPECT_THAT(ParseError(R"({"inputs": [{"c": 1}]})", {{"x", AnyShape(DT_STRING)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("b64")));
}

TEST(JsonPredictRequestErrorTest, OutOfRangeIntegers) {
  EXPECT_THAT(ParseError(R"({"instances": [300]})", {{"x", AnyShape(DT_UINT8)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("300 is out of range for uint8")));
  EXPECT_THAT(ParseError(R"({"instances": [-1]})", {{"x", AnyShape(DT_UINT32)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("out of range for uint32")));
  EXPECT_THAT(ParseError(R"({"instances": [-129]})", {{"x", AnyShape(DT_INT8)}}),
              HasSubstr("out of range for int8"));
  EXPECT_THAT(ParseError(R"({"instances": [2147483648]})", {{"x", AnyShape(DT_INT32)}}),
              HasSubstr("out of range for int32"));
  EXPECT_THAT(ParseError(R"({"instances": [9223372036854775808]})", {{"x", AnyShape(DT_INT64)}}),
              HasSubstr("out of range for int64"));
  // Beyond uint64 the number is a decimal, which no integer input takes.
  EXPECT_THAT(ParseError(R"({"instances": [18446744073709551616]})", {{"x", AnyShape(DT_UINT64)}}),
              HasSubstr("expected uint64"));
}

TEST(JsonPredictRequestErrorTest, LossyFloatConversions) {
  EXPECT_THAT(ParseError(R"({"instances": [16777217]})", {{"x", AnyShape(DT_FLOAT)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("without loss of precision")));
  EXPECT_THAT(ParseError(R"({"instances": [-16777217]})", {{"x", AnyShape(DT_FLOAT)}}),
              HasSubstr("without loss of precision"));
  EXPECT_THAT(ParseError(R"({"instances": [1e39]})", {{"x", AnyShape(DT_FLOAT)}}),
              HasSubstr("without loss of precision"));
  EXPECT_THAT(ParseError(R"({"instances": [9007199254740993]})", {{"x", AnyShape(DT_DOUBLE)}}),
              HasSubstr("without loss of precision"));
}

TEST(JsonPredictRequestErrorTest, BadBase64) {
  EXPECT_THAT(ParseError(R"({"instances": [{"b64": "not base64!"}]})", {{"x", AnyShape(DT_STRING)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("instances[0]"), HasSubstr("base64")));
  EXPECT_THAT(ParseError(R"({"inputs": {"b64": "QQ=A"}})", {{"x", AnyShape(DT_STRING)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("base64")));
}

TEST(JsonPredictRequestErrorTest, UnsupportedDtype) {
  auto result = Parse(R"({"instances": [1]})", {{"h", AnyShape(DT_HALF)}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(result.status().message(), AllOf(HasSubstr("input 'h'"), HasSubstr("half")));
}

TEST(JsonPredictRequestErrorTest, DeepNestingIsRejected) {
  std::string body = R"({"inputs": )" + std::string(300, '[') + "1" + std::string(300, ']') + "}";
  EXPECT_THAT(ParseError(body, {{"x", AnyShape(DT_FLOAT)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("nested more than 254")));
}

// ---------------------------------------------------------------- responses

TEST(JsonPredictResponseTest, RowSingleOutputScalarsLayout) {
  std::map<std::string, Tensor> outputs{
      {"y", Tensor::FromVector<float>({3.5f, 4.0f, 5.5f}, TensorShape{3})}};
  EXPECT_EQ(Write(outputs, JsonFormat::kRow),
            "{\n    \"predictions\": [3.5, 4.0, 5.5\n    ]\n}");
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
      {"img_bytes", Tensor::FromVector<std::string>({std::string("\x00\xff", 2), "hi"},
                                                    TensorShape{2})}};
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
      {"y", Tensor::FromVector<double>({-std::numeric_limits<double>::infinity()}, TensorShape{1})}};
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
  EXPECT_THAT(result.status().message(),
              AllOf(HasSubstr("output 'b'"), HasSubstr("batch size 3"), HasSubstr("output 'a'"),
                    HasSubstr("has 2")));
  // The columnar format does not care.
  EXPECT_TRUE(WritePredictResponse(outputs, JsonFormat::kColumnar).ok());
}

TEST(JsonPredictResponseTest, RowRejectsScalarsEmptyAndUnsupported) {
  auto scalar = WritePredictResponse({{"s", Tensor::Scalar<float>(1)}}, JsonFormat::kRow);
  ASSERT_FALSE(scalar.ok());
  EXPECT_THAT(scalar.status().message(), AllOf(HasSubstr("output 's'"), HasSubstr("scalar")));
  EXPECT_FALSE(WritePredictResponse({}, JsonFormat::kColumnar).ok());
  auto half = WritePredictResponse({{"h", Tensor(DT_HALF, TensorShape{1})}}, JsonFormat::kRow);
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(half.status().message(), HasSubstr("output 'h'"));
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
      {"raw_bytes", Tensor::FromVector<std::string>({std::string("\0\x01\xff", 3)}, TensorShape{})}};
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
