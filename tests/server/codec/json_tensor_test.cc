// Predict request parsing: row and columnar formats, dtypes, and every rejected request.
#include "server/codec/json_tensor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "json_test_util.h"

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

// Parses and expects INVALID_ARGUMENT; returns the message.
std::string ParseError(const std::string& body, SignatureInputSpecs specs) {
  auto result = Parse(body, std::move(specs));
  EXPECT_FALSE(result.ok()) << body;
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
  return result.status().message();
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
  EXPECT_THAT(Values<float>(request->inputs.at("sensor")), ElementsAre(1, 2, 3, 4, 4, 5, 6, 8));
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
  auto request =
      Parse(R"({"instances": [{"b64": "aGVsbG8="}, "plain", {"b64": "d29ybGQ"}, {"b64": ""}]})",
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
  EXPECT_THAT(
      Values<int64_t>(request->inputs.at("i64")),
      ElementsAre(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()));
  EXPECT_THAT(Values<uint64_t>(request->inputs.at("u64")),
              ElementsAre(0u, std::numeric_limits<uint64_t>::max()));
}

TEST(JsonPredictRequestTest, IntegersAreAcceptedForFloatInputs) {
  auto request =
      Parse(R"({"inputs": {"f": [1, -2, 16777215, 2.5e1], "d": [9007199254740991, 0.1]}})",
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
  auto request = Parse(
      body, {{"s", AnyShape(DT_STRING)}, {"d", AnyShape(DT_DOUBLE)}, {"i", AnyShape(DT_INT32)}});
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
  const std::string message =
      ParseError(R"({"instances": [1, 2,, 3]})", {{"x", AnyShape(DT_FLOAT)}});
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
  EXPECT_THAT(
      ParseError(R"({"instances": [[1, 2], [3, 4, 5]]})", specs),
      AllOf(HasSubstr("input 'x'"), HasSubstr("instances[1]"), HasSubstr("[3]"), HasSubstr("[2]")));
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
  EXPECT_THAT(
      ParseError(R"({"instances": [[1, 2, 3, 4], [5, 6, 7, 8]]})",
                 {{"x", Spec(DT_FLOAT, {-1, 3})}}),
      AllOf(HasSubstr("input 'x'"), HasSubstr("expected shape [?,3]"), HasSubstr("got [2,4]")));
  EXPECT_THAT(
      ParseError(R"({"inputs": [1, 2]})", {{"x", Spec(DT_FLOAT, {-1, 2})}}),
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
  EXPECT_THAT(
      ParseError(R"({"instances": [{"b64": "not base64!"}]})", {{"x", AnyShape(DT_STRING)}}),
      AllOf(HasSubstr("input 'x'"), HasSubstr("instances[0]"), HasSubstr("base64")));
  EXPECT_THAT(ParseError(R"({"inputs": {"b64": "QQ=A"}})", {{"x", AnyShape(DT_STRING)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("base64")));
}

TEST(JsonPredictRequestErrorTest, UnsupportedDtype) {
  auto result = Parse(R"({"instances": [1]})", {{"c", AnyShape(tensorflow::DT_COMPLEX64)}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(result.status().message(), AllOf(HasSubstr("input 'c'"), HasSubstr("complex64")));
}

TEST(JsonPredictRequestTest, HalfAndBfloat16RoundToNearest) {
  auto result = Parse(R"({"inputs": {"h": [1.5, -0.1, 65504, 1e-8], "b": [0.1, 3]}})",
                      {{"h", AnyShape(DT_HALF)}, {"b", AnyShape(tensorflow::DT_BFLOAT16)}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const Tensor& h = result->inputs.at("h");
  ASSERT_EQ(h.dtype(), DT_HALF);
  const uint16_t* bits = static_cast<const uint16_t*>(h.raw_data());
  EXPECT_EQ(bits[0], 0x3e00);  // 1.5
  EXPECT_EQ(bits[1], 0xae66);  // -0.1 rounded to nearest: -0.0999755859375
  EXPECT_EQ(bits[2], 0x7bff);  // 65504, the largest half
  EXPECT_EQ(bits[3], 0x0000);  // underflows to +0 as float -> half does
  const uint16_t* b = static_cast<const uint16_t*>(result->inputs.at("b").raw_data());
  EXPECT_EQ(b[0], 0x3dcd);  // 0.1 rounded to nearest even: 0.10009765625
  EXPECT_EQ(b[1], 0x4040);  // 3.0
}

TEST(JsonPredictRequestErrorTest, HalfOutOfRange) {
  auto result = Parse(R"({"inputs": {"h": [70000]}})", {{"h", AnyShape(DT_HALF)}});
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), AllOf(HasSubstr("70000"), HasSubstr("out of range")));
}

TEST(JsonPredictRequestErrorTest, DeepNestingIsRejected) {
  std::string body = R"({"inputs": )" + std::string(300, '[') + "1" + std::string(300, ']') + "}";
  EXPECT_THAT(ParseError(body, {{"x", AnyShape(DT_FLOAT)}}),
              AllOf(HasSubstr("input 'x'"), HasSubstr("nested more than 254")));
}

}  // namespace
}  // namespace tern
