// Runs the taxi-fare demo model (models/taxi_fare/1, a feature-column DNNRegressor exported by
// tests/models/taxi_fare/export_taxi_fare.py) on every case of its golden.json and compares each
// output with what TensorFlow computed: |a - b| <= 1e-5 + 1e-5 * |b|.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/saved_model/saved_model.h"

namespace tern {
namespace {

using nlohmann::json;

const std::string kModelDir = std::string(TERN_SOURCE_DIR) + "/models/taxi_fare/1";
const std::string kGoldenPath =
    std::string(TERN_SOURCE_DIR) + "/tests/models/taxi_fare/golden.json";

std::string Base64Decode(const std::string& in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  int bits = 0;
  uint32_t buffer = 0;
  for (char c : in) {
    if (c == '=') break;
    const int v = value(c);
    if (v < 0) continue;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

// Flattens nested lists of numbers into values and dims.
void Flatten(const json& j, std::vector<double>* values, std::vector<int64_t>* dims, size_t depth) {
  if (j.is_array()) {
    if (dims->size() == depth) dims->push_back(static_cast<int64_t>(j.size()));
    for (const auto& e : j) Flatten(e, values, dims, depth + 1);
  } else {
    values->push_back(j.get<double>());
  }
}

Tensor FloatTensor(const json& j) {
  std::vector<double> values;
  std::vector<int64_t> dims;
  Flatten(j, &values, &dims, 0);
  Tensor t(tensorflow::DT_FLOAT, TensorShape(dims));
  for (size_t i = 0; i < values.size(); ++i) t.flat<float>()[i] = static_cast<float>(values[i]);
  return t;
}

json LoadGoldens() {
  std::ifstream in(kGoldenPath);
  EXPECT_TRUE(in.good()) << "cannot open " << kGoldenPath;
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

class TaxiFareTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto model = SavedModel::Load(kModelDir, SavedModelLoadOptions());
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    model_ = std::move(model).value().release();
  }
  static void TearDownTestSuite() {
    delete model_;
    model_ = nullptr;
  }
  static SavedModel* model_;
};

SavedModel* TaxiFareTest::model_ = nullptr;

TEST_F(TaxiFareTest, Signatures) {
  ASSERT_NE(model_, nullptr);
  ASSERT_TRUE(model_->FindSignature("serving_default").ok());
  ASSERT_TRUE(model_->FindSignature("regression").ok());
  const Signature* predict = *model_->FindSignature("serving_default");
  EXPECT_EQ(predict->inputs.size(), 5u);
  EXPECT_EQ(predict->outputs.count("predictions"), 1u);
}

TEST_F(TaxiFareTest, MatchesTensorFlowGoldens) {
  ASSERT_NE(model_, nullptr);
  const json cases = LoadGoldens();
  ASSERT_TRUE(cases.is_array());
  ASSERT_GE(cases.size(), 5u);
  double max_abs = 0;
  double max_rel = 0;
  int compared = 0;
  for (size_t c = 0; c < cases.size(); ++c) {
    const json& tc = cases[c];
    const std::string signature = tc.at("signature_name").get<std::string>();
    SCOPED_TRACE("case " + std::to_string(c) + " (" + signature + ")");
    std::map<std::string, Tensor> inputs;
    for (const auto& [name, value] : tc.at("inputs").items()) {
      if (value.is_object() && value.contains("b64")) {
        const json& blobs = value.at("b64");
        Tensor t(tensorflow::DT_STRING, TensorShape{static_cast<int64_t>(blobs.size())});
        for (size_t i = 0; i < blobs.size(); ++i) {
          t.flat<std::string>()[i] = Base64Decode(blobs[i].get<std::string>());
        }
        inputs[name] = t;
      } else {
        inputs[name] = FloatTensor(value);
      }
    }
    auto outputs = model_->RunSignature(signature, inputs, {}, RunOptions());
    ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
    for (const auto& [name, expected_json] : tc.at("outputs").items()) {
      SCOPED_TRACE("output " + name);
      auto it = outputs->find(name);
      ASSERT_NE(it, outputs->end()) << "missing output";
      const Tensor& got = it->second;
      std::vector<double> expected;
      std::vector<int64_t> dims;
      Flatten(expected_json, &expected, &dims, 0);
      ASSERT_EQ(got.dtype(), tensorflow::DT_FLOAT);
      ASSERT_EQ(got.shape(), TensorShape(dims)) << got.shape().DebugString();
      for (size_t i = 0; i < expected.size(); ++i) {
        const double a = got.flat<float>()[i];
        const double b = expected[i];
        const double err = std::abs(a - b);
        max_abs = std::max(max_abs, err);
        if (b != 0) max_rel = std::max(max_rel, err / std::abs(b));
        EXPECT_LE(err, 1e-5 + 1e-5 * std::abs(b))
            << "element " << i << ": got " << a << ", TensorFlow " << b;
        ++compared;
      }
    }
  }
  std::printf("compared %d values: max abs error %.3g, max rel error %.3g\n", compared, max_abs,
              max_rel);
  EXPECT_GT(compared, 0);
}

TEST_F(TaxiFareTest, BadInputIsAnErrorNotACrash) {
  ASSERT_NE(model_, nullptr);
  // Features of different batch sizes.
  std::map<std::string, Tensor> inputs;
  for (const char* name :
       {"pickup_longitude", "pickup_latitude", "dropoff_longitude", "dropoff_latitude"}) {
    inputs[name] = Tensor::FromVector<float>({-73.98f, -73.97f}, TensorShape{2});
  }
  inputs["passenger_count"] = Tensor::FromVector<float>({1.0f, 2.0f, 3.0f}, TensorShape{3});
  auto outputs = model_->RunSignature("serving_default", inputs, {}, RunOptions());
  EXPECT_FALSE(outputs.ok());
  // A string that is not a tf.Example.
  std::map<std::string, Tensor> bad;
  bad["inputs"] = Tensor::FromVector<std::string>({"not a proto \xff\xff"}, TensorShape{1});
  EXPECT_FALSE(model_->RunSignature("regression", bad, {}, RunOptions()).ok());
}

}  // namespace
}  // namespace tern
