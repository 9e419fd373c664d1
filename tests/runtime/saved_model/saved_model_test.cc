#include "runtime/saved_model/saved_model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace tern {
namespace {

const std::string kTfServing = std::string(TERN_SHARED_DIR) + "/testdata/tf_serving/";

class HalfPlusTwoTest : public ::testing::TestWithParam<std::string> {};

TEST_P(HalfPlusTwoTest, PredictAndRegressSignatures) {
  auto model = SavedModel::Load(kTfServing + GetParam() + "/00000123", SavedModelLoadOptions());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto out = (*model)->RunSignature("serving_default",
                                    {{"x", Tensor::FromVector<float>({1, 2, 5}, TensorShape{3})}},
                                    {}, RunOptions());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& y = out->at("y");
  ASSERT_EQ(y.num_elements(), 3);
  EXPECT_FLOAT_EQ(y.flat<float>()[0], 2.5f);
  EXPECT_FLOAT_EQ(y.flat<float>()[1], 3.0f);
  EXPECT_FLOAT_EQ(y.flat<float>()[2], 4.5f);

  auto y3 = (*model)->RunSignature("regress_x2_to_y3",
                                   {{"inputs", Tensor::FromVector<float>({1}, TensorShape{1})}}, {},
                                   RunOptions());
  ASSERT_TRUE(y3.ok()) << y3.status().ToString();
  EXPECT_FLOAT_EQ(y3->at("outputs").flat<float>()[0], 3.5f);
}

TEST_P(HalfPlusTwoTest, UnknownSignatureAndInputAreClearErrors) {
  auto model = SavedModel::Load(kTfServing + GetParam() + "/00000123", SavedModelLoadOptions());
  ASSERT_TRUE(model.ok());
  auto missing = (*model)->RunSignature("nope", {}, {}, RunOptions());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("serving_default"), std::string::npos);
  auto wrong = (*model)->RunSignature("serving_default", {{"z", Tensor::Scalar<float>(1)}}, {},
                                      RunOptions());
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find("'z'"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Exports, HalfPlusTwoTest,
                         ::testing::Values("saved_model_half_plus_two_cpu",
                                           "saved_model_half_plus_two_tf2_cpu"));

// A TF1 export (feature columns with a vocabulary file, TF 2.15's Estimator-style graph) lists
// its asset in the saved_model_assets collection, while the graph's constant still names the
// exporter's temporary file: the init op must read assets/ instead.
TEST(SavedModelTest, Tf1AssetsCollectionIsFedFromTheAssetsDirectory) {
  const std::string dir = std::string(TERN_SOURCE_DIR) + "/tests/models/zoo_tf2_15/tf1_dnn/1";
  ASSERT_FALSE(std::filesystem::exists("/tmp/tmphkebgdz_/cities.txt"));  // the exporter's
  auto model = SavedModel::Load(dir, SavedModelLoadOptions());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
}

TEST(SavedModelTest, TruncatedSavedModelIsDataLoss) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "tern_truncated_model";
  fs::remove_all(dir);
  fs::copy(kTfServing + "saved_model_half_plus_two_cpu/00000123", dir, fs::copy_options::recursive);
  fs::resize_file(dir / "saved_model.pb", fs::file_size(dir / "saved_model.pb") / 2);
  auto model = SavedModel::Load(dir.string(), SavedModelLoadOptions());
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(model.status().message().find("saved_model.pb"), std::string::npos);
  fs::remove_all(dir);
}

TEST(SavedModelTest, MissingTagsListTheAvailableOnes) {
  SavedModelLoadOptions options;
  options.tags = {"train"};
  auto model = SavedModel::Load(kTfServing + "saved_model_half_plus_two_cpu/00000123", options);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
  EXPECT_NE(model.status().message().find("serve"), std::string::npos);
}

}  // namespace
}  // namespace tern
