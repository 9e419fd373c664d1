// Classify/regress JSON: request parsing into tf.Examples and response writing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "server/codec/json_tensor.h"

namespace tern {
namespace {

using tensorflow::Feature;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Feature& GetFeature(const tensorflow::Example& example, const std::string& name) {
  return example.features().feature().at(name);
}

std::vector<int64_t> Int64s(const Feature& f) {
  return {f.int64_list().value().begin(), f.int64_list().value().end()};
}
std::vector<float> Floats(const Feature& f) {
  return {f.float_list().value().begin(), f.float_list().value().end()};
}
std::vector<std::string> Bytes(const Feature& f) {
  return {f.bytes_list().value().begin(), f.bytes_list().value().end()};
}

std::string ParseError(const std::string& body) {
  auto result = ParseExamplesRequest(body);
  EXPECT_FALSE(result.ok()) << body;
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  return result.status().message();
}

TEST(JsonExamplesRequestTest, FeatureKinds) {
  auto request = ParseExamplesRequest(R"({
      "signature_name": "tensorflow/serving/regress",
      "examples": [
        {"age": 42, "ids": [1, -2, 9223372036854775807], "flag": true, "flags": [false, 1],
         "score": 0.5, "scores": [1.5, -2.25, NaN, -Infinity],
         "name": "alice", "names": ["a", "b"],
         "image": {"b64": "aW1hZ2UgYnl0ZXM="}, "mixed_bytes": ["x", {"b64": "eQ=="}],
         "empty": []},
        {"x": 2.0}
      ]})");
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->signature_name, "tensorflow/serving/regress");
  EXPECT_FALSE(request->context.has_value());
  ASSERT_EQ(request->examples.size(), 2u);
  const tensorflow::Example& e = request->examples[0];
  EXPECT_THAT(Int64s(GetFeature(e, "age")), ElementsAre(42));
  EXPECT_THAT(Int64s(GetFeature(e, "ids")),
              ElementsAre(1, -2, std::numeric_limits<int64_t>::max()));
  EXPECT_THAT(Int64s(GetFeature(e, "flag")), ElementsAre(1));
  EXPECT_THAT(Int64s(GetFeature(e, "flags")), ElementsAre(0, 1));
  EXPECT_THAT(Floats(GetFeature(e, "score")), ElementsAre(0.5f));
  std::vector<float> scores = Floats(GetFeature(e, "scores"));
  ASSERT_EQ(scores.size(), 4u);
  EXPECT_EQ(scores[0], 1.5f);
  EXPECT_EQ(scores[1], -2.25f);
  EXPECT_TRUE(std::isnan(scores[2]));
  EXPECT_EQ(scores[3], -std::numeric_limits<float>::infinity());
  EXPECT_THAT(Bytes(GetFeature(e, "name")), ElementsAre("alice"));
  EXPECT_THAT(Bytes(GetFeature(e, "names")), ElementsAre("a", "b"));
  EXPECT_THAT(Bytes(GetFeature(e, "image")), ElementsAre("image bytes"));
  EXPECT_THAT(Bytes(GetFeature(e, "mixed_bytes")), ElementsAre("x", "y"));
  EXPECT_EQ(GetFeature(e, "empty").kind_case(), Feature::KIND_NOT_SET);
  // 2.0 is a decimal, so a float feature.
  EXPECT_THAT(Floats(GetFeature(request->examples[1], "x")), ElementsAre(2.0f));
}

TEST(JsonExamplesRequestTest, Context) {
  auto request = ParseExamplesRequest(
      R"({"context": {"country": "fr", "w": [0.25]}, "examples": [{"x": 1}, {"x": 2}]})");
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  ASSERT_TRUE(request->context.has_value());
  EXPECT_THAT(Bytes(GetFeature(*request->context, "country")), ElementsAre("fr"));
  EXPECT_THAT(Floats(GetFeature(*request->context, "w")), ElementsAre(0.25f));
  ASSERT_EQ(request->examples.size(), 2u);
  EXPECT_THAT(Int64s(GetFeature(request->examples[1], "x")), ElementsAre(2));
  EXPECT_EQ(request->signature_name, "");
}

TEST(JsonExamplesRequestTest, Errors) {
  EXPECT_THAT(ParseError(R"({"examples": [{"a": [1, "x"]}]})"),
              AllOf(HasSubstr("examples[0] feature 'a'"), HasSubstr("int64"), HasSubstr("bytes")));
  EXPECT_THAT(ParseError(R"({"examples": [{"a": 1}, {"b": [1.5, 2]}]})"),
              AllOf(HasSubstr("examples[1] feature 'b'"), HasSubstr("float"), HasSubstr("int64")));
  EXPECT_THAT(ParseError(R"({"examples": [{"a": null}]})"),
              AllOf(HasSubstr("examples[0] feature 'a'"), HasSubstr("null")));
  EXPECT_THAT(ParseError(R"({"examples": [{"a": [[1]]}]})"),
              AllOf(HasSubstr("feature 'a'"), HasSubstr("list")));
  EXPECT_THAT(ParseError(R"({"examples": [{"a": {"x": 1}}]})"),
              AllOf(HasSubstr("feature 'a'"), HasSubstr("object")));
  EXPECT_THAT(ParseError(R"({"examples": [{"a": 18446744073709551615}]})"),
              AllOf(HasSubstr("feature 'a'"), HasSubstr("int64")));
  EXPECT_THAT(ParseError(R"({"examples": [{"a": 1e39}]})"),
              AllOf(HasSubstr("feature 'a'"), HasSubstr("loss of precision")));
  EXPECT_THAT(ParseError(R"({"examples": [{"a": {"b64": "%%"}}]})"),
              AllOf(HasSubstr("feature 'a'"), HasSubstr("base64")));
  EXPECT_THAT(ParseError(R"({"context": {"c": [true, "x"]}, "examples": [{"a": 1}]})"),
              HasSubstr("context feature 'c'"));
  EXPECT_THAT(ParseError(R"({"context": [1], "examples": [{"a": 1}]})"),
              HasSubstr("context must be an object"));
  EXPECT_THAT(ParseError(R"({"examples": [{"a": 1}, [1]]})"),
              HasSubstr("examples[1] must be an object"));
  EXPECT_THAT(ParseError(R"({"instances": [1]})"), HasSubstr("'examples'"));
  EXPECT_THAT(ParseError(R"({"examples": {"a": 1}})"), HasSubstr("'examples' must be a list"));
  EXPECT_THAT(ParseError(R"({"examples": []})"), HasSubstr("'examples' is an empty list"));
  EXPECT_THAT(ParseError(R"({"signature_name": ["x"], "examples": [{}]})"),
              HasSubstr("'signature_name' must be a string"));
  EXPECT_THAT(ParseError(R"({"examples": [{"a": 1}})"), HasSubstr("byte offset"));
  EXPECT_THAT(ParseError(R"("examples")"), HasSubstr("must be a JSON object"));
}

TEST(JsonRegressResponseTest, Layout) {
  EXPECT_EQ(WriteRegressResponse({3.5f, 4.0f}), "{\n    \"results\": [3.5, 4.0]\n}");
  EXPECT_EQ(WriteRegressResponse({std::nanf(""), 0.1f}), "{\n    \"results\": [NaN, 0.1]\n}");
  EXPECT_EQ(WriteRegressResponse({}), "{\n    \"results\": []\n}");
}

TEST(JsonClassifyResponseTest, Layout) {
  EXPECT_EQ(WriteClassifyResponse({{{"cat", 0.75f}, {"dog", 0.25f}}, {{"", 1.0f}}}),
            "{\n    \"results\": [[[\"cat\", 0.75], [\"dog\", 0.25]], [[\"\", 1.0]]\n    ]\n}");
  EXPECT_EQ(WriteClassifyResponse({}), "{\n    \"results\": []\n}");
}

}  // namespace
}  // namespace tern
