// Classify and ClassificationLabels: Triton's "value:index[:label]" strings, per row for a
// batched output and over the whole tensor otherwise; label files looked up in assets.extra.
#include "server/kserve/kserve_classification.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tern {
namespace {

std::vector<std::string> Strings(const Tensor& t) {
  return {t.flat<std::string>(), t.flat<std::string>() + t.num_elements()};
}

TEST(ClassifyTest, BatchedRowsAreClassifiedOneByOneWithLabels) {
  const std::vector<std::string> labels = {"cat", "dog"};  // index 2 has none
  auto out = Classify(Tensor::FromVector<float>({0.1f, 0.7f, 0.2f, 0.5f, 0.25f, 0.25f}, {2, 3}), 2,
                      true, &labels, "probs");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->shape(), TensorShape({2, 2}));
  EXPECT_EQ(Strings(*out), (std::vector<std::string>{"0.700000:1:dog", "0.200000:2",
                                                     "0.500000:0:cat", "0.250000:1:dog"}));
}

TEST(ClassifyTest, AnUnbatchedTensorIsOneRowAndKIsCappedAtItsSize) {
  auto out = Classify(Tensor::FromVector<int32_t>({3, -1, 9, 4}, {2, 2}), 10, false, nullptr, "o");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->shape(), TensorShape({4}));
  EXPECT_EQ(Strings(*out), (std::vector<std::string>{"9:2", "4:3", "3:0", "-1:1"}));
}

TEST(ClassifyTest, RefusesWhatHasNoOrderAndABadK) {
  auto strings = Classify(Tensor::FromVector<std::string>({"a"}, {1, 1}), 1, true, nullptr, "s");
  EXPECT_EQ(strings.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(strings.status().message().find("'s'"), std::string::npos);
  EXPECT_EQ(
      Classify(Tensor::FromVector<float>({1.0f}, {1}), 0, false, nullptr, "o").status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(Classify(Tensor::Scalar<float>(1.0f), 1, true, nullptr, "o").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ClassificationLabelsTest, AnOutputsOwnFileWinsOverTheModelsAndNoneIsNull) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("tern_labels_" + std::to_string(getpid()));
  fs::remove_all(dir);
  ClassificationLabels labels;
  auto none = labels.For(dir.string(), "y");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  fs::create_directories(dir / "assets.extra");
  std::ofstream(dir / "assets.extra/labels.txt") << "a\r\nb\n";
  std::ofstream(dir / "assets.extra/y_labels.txt") << "only-y\n";
  ClassificationLabels fresh;
  auto y = fresh.For(dir.string(), "y");
  auto z = fresh.For(dir.string(), "z");
  ASSERT_TRUE(y.ok() && z.ok());
  ASSERT_NE(*y, nullptr);
  ASSERT_NE(*z, nullptr);
  EXPECT_EQ(**y, (std::vector<std::string>{"only-y"}));
  EXPECT_EQ(**z, (std::vector<std::string>{"a", "b"}));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tern
