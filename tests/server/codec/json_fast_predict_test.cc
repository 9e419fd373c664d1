// The simdjson fast path of predict parsing: when it answers, and that it leaves every other
// request to the DOM path (whose results and errors json_tensor_test checks through
// ParsePredictRequest, which now runs the fast path first).
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "server/codec/json_internal.h"
#include "server/codec/json_tensor.h"

namespace tern {
namespace {

using json_internal::FastParsePredictRequest;

SignatureInputLookup One(DataType dtype, std::vector<int64_t> dims, int* calls = nullptr) {
  return [=](const std::string&) -> StatusOr<SignatureInputSpecs> {
    if (calls) ++*calls;
    return SignatureInputSpecs{{"x", TensorSpec{dtype, dims, false}}};
  };
}

TEST(JsonFastPredictTest, ColumnarAndRowFloats) {
  auto fast = FastParsePredictRequest(R"({"inputs": [[1.5, 2], [3, -4e-3]]})",
                                      One(tensorflow::DT_FLOAT, {-1, 2}));
  ASSERT_TRUE(fast.has_value());
  ASSERT_TRUE(fast->ok()) << fast->status().message();
  const Tensor& t = (*fast)->inputs.at("x");
  EXPECT_EQ(t.shape().dim_vector(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ((std::vector<float>(t.flat<float>(), t.flat<float>() + 4)),
            (std::vector<float>{1.5f, 2.0f, 3.0f, -4e-3f}));
  EXPECT_EQ((*fast)->format, JsonFormat::kColumnar);

  fast = FastParsePredictRequest(R"({"signature_name": "s", "instances": [1.0, 2.0, 5.0]})",
                                 One(tensorflow::DT_DOUBLE, {-1}));
  ASSERT_TRUE(fast.has_value() && fast->ok());
  EXPECT_EQ((*fast)->format, JsonFormat::kRow);
  EXPECT_EQ((*fast)->signature_name, "s");
  EXPECT_EQ((*fast)->inputs.at("x").flat<double>()[2], 5.0);
}

TEST(JsonFastPredictTest, NamedColumnarInputs) {
  auto lookup = [](const std::string&) -> StatusOr<SignatureInputSpecs> {
    return SignatureInputSpecs{{"a", TensorSpec{tensorflow::DT_FLOAT, {-1}, false}},
                               {"b", TensorSpec{tensorflow::DT_DOUBLE, {}, true}}};
  };
  auto fast = FastParsePredictRequest(R"({"inputs": {"b": [[1, 2]], "a": [0.5]}})", lookup);
  ASSERT_TRUE(fast.has_value() && fast->ok());
  EXPECT_EQ((*fast)->inputs.at("a").flat<float>()[0], 0.5f);
  EXPECT_EQ((*fast)->inputs.at("b").shape().dim_vector(), (std::vector<int64_t>{1, 2}));
  // A missing input is the DOM path's error to give.
  EXPECT_FALSE(FastParsePredictRequest(R"({"inputs": {"a": [0.5]}})", lookup).has_value());
}

TEST(JsonFastPredictTest, FloatsRoundTripExactly) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> bits;
  std::vector<float> want;
  std::string body = "{\"inputs\": [";
  while (want.size() < 20000) {
    const uint32_t b = bits(rng);
    float f;
    std::memcpy(&f, &b, 4);
    if (!std::isfinite(f)) continue;
    char buf[32];
    auto end = std::to_chars(buf, buf + sizeof(buf), f).ptr;
    // Whole numbers printed without '.' or exponent are integer literals, which the DOM path
    // checks for exactness (json_tensor_test); every other float must come back bit for bit.
    if (std::string_view(buf, end - buf).find_first_of(".e") == std::string_view::npos) continue;
    if (!want.empty()) body += ',';
    body.append(buf, end);
    want.push_back(f);
  }
  body += "]}";
  auto fast = FastParsePredictRequest(body, One(tensorflow::DT_FLOAT, {-1}));
  ASSERT_TRUE(fast.has_value() && fast->ok());
  const Tensor& t = (*fast)->inputs.at("x");
  ASSERT_EQ(t.num_elements(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(t.flat<float>()[i], want[i]) << i;
}

TEST(JsonFastPredictTest, LeavesEverythingElseToTheDomPath) {
  const char* bodies[] = {
      R"({"inputs": [NaN, 1.0]})",                 // TF Serving's non-finite tokens
      R"({"inputs": [16777217]})",                 // not exact in float32
      R"({"inputs": [1e39]})",                     // outside float32
      R"({"inputs": [[1.0, 2.0], [3.0]]})",        // ragged
      R"({"inputs": [[1.0], 2.0]})",               // ragged
      R"({"inputs": []})",                         // empty
      R"({"inputs": 1.0})",                        // bare columnar value
      R"({"inputs": {"y": [1.0]}})",               // unknown input name
      R"({"inputs": {"x": [1.0], "x": [2.0]}})",   // repeated input
      R"({"instances": [{"x": 1.0}]})",            // named rows
      R"({"inputs": [{"b64": "AA=="}]})",          // bytes
      R"({"inputs": [1.0], "inputs": [2.0]})",     // repeated key
      R"({"inputs": [1.0], "extra": 1})",          // unknown key
      R"({"inputs": [1.0], "instances": [1.0]})",  // both formats
      R"({"inputs": [1.0]} trailing)",             // not JSON
      R"({"inputs": [1.0, 2.0]})",                 // shape [2] vs the spec's [-1, 1]
      R"({"inputs": [true]})",
  };
  for (const char* body : bodies) {
    int calls = 0;
    auto lookup = One(tensorflow::DT_FLOAT,
                      std::string(body) == R"({"inputs": [1.0, 2.0]})" ? std::vector<int64_t>{-1, 1}
                                                                       : std::vector<int64_t>{-1},
                      &calls);
    EXPECT_FALSE(FastParsePredictRequest(body, lookup).has_value()) << body;
    EXPECT_LE(calls, 1) << body;
  }
  // Integer dtypes keep the DOM path's rules.
  EXPECT_FALSE(FastParsePredictRequest(R"({"inputs": [1]})", One(tensorflow::DT_INT32, {-1})));
}

// On Demand parses lazily; every malformed body must still be refused (by the fast path handing
// it to the DOM path, which writes the error), never read into a tensor.
TEST(JsonFastPredictTest, MalformedJsonIsNeverAccepted) {
  const char* bodies[] = {
      R"({"inputs": [1.0, 2.0])",
      R"({"inputs": [1.0, 2.0})",
      R"({"inputs": [1.0 2.0]})",
      R"({"inputs": [1.0, 2.0,]})",
      R"({"inputs": [1.0],})",
      R"({"inputs" [1.0]})",
      R"({"inputs": [[1.0], [2.0]]]})",
      R"({"inputs": [01]})",
      R"({"inputs": [1.]})",
      R"({"inputs": [-]})",
      R"({"inputs": [1e999]})",
      R"({"inputs": [1.0]}{"inputs": [1.0]})",
      R"({"inputs": [1.0]}])",
      R"({"inputs": [1.0, "2"]})",
      R"({"inputs": [tru]})",
      R"({"inputs": [1.0], "signature_name": 5})",
      "{\"inp\xffts\": [1.0]}",
      R"({"inputs": [1.0])",
      R"(  )",
      R"([1.0])",
  };
  for (const char* body : bodies) {
    EXPECT_FALSE(FastParsePredictRequest(body, One(tensorflow::DT_FLOAT, {-1})).has_value())
        << body;
    EXPECT_FALSE(ParsePredictRequest(body, One(tensorflow::DT_FLOAT, {-1})).ok()) << body;
  }
  // An empty body on a thread that has not parsed anything yet (no buffers allocated).
  std::thread([] {
    EXPECT_FALSE(FastParsePredictRequest("", One(tensorflow::DT_FLOAT, {-1})).has_value());
  }).join();
  // Whitespace around the document is fine.
  auto fast = FastParsePredictRequest(" \n{\"inputs\": [1.0]} \n", One(tensorflow::DT_FLOAT, {-1}));
  ASSERT_TRUE(fast.has_value() && fast->ok());
}

// The per-thread buffers are reused, and freed after a body above the retained bound; the bodies
// after either still decode exactly.
TEST(JsonFastPredictTest, BuffersReusedAndTrimmedAcrossBodies) {
  auto body_of = [](size_t count, const char* number) {
    std::string body = "{\"inputs\": [";
    for (size_t i = 0; i < count; ++i) body += (i ? std::string(",") : std::string()) + number;
    return body + "]}";
  };
  const size_t big = (size_t{17} << 20) / 5;  // "0.25," per number: just over 16 MiB
  for (auto [count, number, want] : {std::tuple<size_t, const char*, float>{3, "1.5", 1.5f},
                                     {big, "0.25", 0.25f},
                                     {2, "-2.5", -2.5f},
                                     {1000, "3.75", 3.75f}}) {
    auto fast = FastParsePredictRequest(body_of(count, number), One(tensorflow::DT_FLOAT, {-1}));
    ASSERT_TRUE(fast.has_value() && fast->ok()) << count;
    const Tensor& t = (*fast)->inputs.at("x");
    ASSERT_EQ(t.num_elements(), static_cast<int64_t>(count));
    EXPECT_EQ(t.flat<float>()[0], want);
    EXPECT_EQ(t.flat<float>()[count - 1], want);
  }
}

TEST(JsonFastPredictTest, AnUnknownSignatureIsTheLookupsError) {
  auto lookup = [](const std::string& name) -> StatusOr<SignatureInputSpecs> {
    return NotFound("no signature " + name);
  };
  auto fast = FastParsePredictRequest(R"({"signature_name": "nope", "inputs": [1.0]})", lookup);
  ASSERT_TRUE(fast.has_value());
  EXPECT_EQ(fast->status().message(), "no signature nope");
  // And the full parser gives the same.
  auto full = ParsePredictRequest(R"({"signature_name": "nope", "inputs": [1.0]})", lookup);
  EXPECT_EQ(full.status().message(), "no signature nope");
}

}  // namespace
}  // namespace tern
