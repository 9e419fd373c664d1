#include "loader/model_loader.h"

#include <gtest/gtest.h>

#include "runtime/tensorflow/tensorflow_runtime.h"

namespace tern {
namespace {

const std::string kHalfPlusTwo =
    std::string(TERN_SHARED_DIR) + "/testdata/tf_serving/saved_model_half_plus_two_cpu/00000123";

std::vector<float> RunHalfPlusTwo(const ServableModel& model) {
  auto out = model.RunSignature("serving_default",
                                {{"x", Tensor::FromVector<float>({1, 2, 5}, TensorShape{3})}}, {},
                                RunOptions());
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  if (!out.ok()) return {};
  const Tensor& y = out->at("y");
  return std::vector<float>(y.flat<float>(), y.flat<float>() + y.num_elements());
}

TEST(ModelLoaderTest, AutoPicksTernWhenItHasEveryOp) {
  auto loaded = LoadServableModel(kHalfPlusTwo, RuntimeChoice::kAuto, SavedModelLoadOptions());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_STREQ(loaded->model->runtime_name(), "tern");
  EXPECT_EQ(loaded->reason, "auto: Tern has every op");
  EXPECT_EQ(RunHalfPlusTwo(*loaded->model), (std::vector<float>{2.5f, 3.0f, 4.5f}));
}

TEST(ModelLoaderTest, OtherLoadErrorsDoNotFallBackToTensorflow) {
  auto loaded = LoadServableModel("/nonexistent/1", RuntimeChoice::kAuto, SavedModelLoadOptions());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message().find("TensorFlow"), std::string::npos)
      << loaded.status().message();
}

TEST(ModelLoaderTest, UnsupportedOpsErrorIsRecognised) {
  EXPECT_TRUE(IsUnsupportedOpsError(Unimplemented("unsupported ops: Foo (node 'f')")));
  EXPECT_FALSE(IsUnsupportedOpsError(Unimplemented("the graph has a cycle")));
  EXPECT_FALSE(IsUnsupportedOpsError(InvalidArgument("unsupported ops: Foo")));
}

// With the wheel present (CI), the same model through TensorFlow's C API: the same signatures
// and answers, strings included. Without it, the error says why.
TEST(ModelLoaderTest, TensorflowRuntimeRunsTheSameModel) {
  auto loaded =
      LoadServableModel(kHalfPlusTwo, RuntimeChoice::kTensorflow, SavedModelLoadOptions());
  if (!TensorflowAvailable().ok()) {
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.status().message().find("TensorFlow is not available"), std::string::npos)
        << loaded.status().message();
    GTEST_SKIP() << TensorflowAvailable().message();
  }
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_STREQ(loaded->model->runtime_name(), "tensorflow");
  EXPECT_EQ(loaded->reason, "runtime: tensorflow");
  auto own = LoadServableModel(kHalfPlusTwo, RuntimeChoice::kTern, SavedModelLoadOptions());
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(loaded->model->meta_graph().signature_def_size(),
            (*own).model->meta_graph().signature_def_size());
  EXPECT_EQ(loaded->model->signatures().size(), own->model->signatures().size());
  EXPECT_EQ(RunHalfPlusTwo(*loaded->model), (std::vector<float>{2.5f, 3.0f, 4.5f}));
  // Strings cross the API both ways (the classify signature takes serialized tf.Examples).
  auto wrong = loaded->model->RunSignature("serving_default", {{"z", Tensor::Scalar<float>(1)}}, {},
                                           RunOptions());
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  auto classify = loaded->model->RunSignature(
      "classify_x_to_y", {{"inputs", Tensor::FromVector<std::string>({""}, TensorShape{1})}}, {},
      RunOptions());
  // An empty Example lacks feature x: TensorFlow's own parse error, passed through.
  EXPECT_FALSE(classify.ok());
}

TEST(ModelLoaderTest, CustomOpLibraryErrorsAreClear) {
  Status loaded = LoadCustomOpLibraries({"/nonexistent/lib.so"});
  ASSERT_FALSE(loaded.ok());
  if (TensorflowAvailable().ok()) {
    EXPECT_NE(loaded.message().find("/nonexistent/lib.so"), std::string::npos) << loaded.message();
  } else {
    EXPECT_NE(loaded.message().find("--custom_op_libraries needs"), std::string::npos);
  }
}

// A TensorFlow output is adopted, not copied (Tensor::AdoptBuffer): it is charged to the
// request's account while held, and the charge goes with its last reference.
TEST(ModelLoaderTest, TensorflowOutputsAreChargedToTheRequest) {
  if (!TensorflowAvailable().ok()) GTEST_SKIP() << TensorflowAvailable().message();
  auto loaded =
      LoadServableModel(kHalfPlusTwo, RuntimeChoice::kTensorflow, SavedModelLoadOptions());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  RunOptions options;
  options.memory = RunMemory::Create(0);
  std::vector<float> x(1000, 2.f);
  auto out = loaded->model->RunSignature(
      "serving_default", {{"x", Tensor::FromVector<float>(x, TensorShape{1000})}}, {}, options);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& y = out->at("y");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(y.raw_data()) % 64, 0u);
  EXPECT_EQ(y.flat<float>()[999], 3.f);
  EXPECT_EQ(options.memory->in_use_bytes(), 4000);
  out->clear();
  EXPECT_EQ(options.memory->in_use_bytes(), 0);
  // Over the request's budget, the output is refused like one of Tern's own allocations.
  options.memory = RunMemory::Create(100);
  auto refused = loaded->model->RunSignature(
      "serving_default", {{"x", Tensor::FromVector<float>(x, TensorShape{1000})}}, {}, options);
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace tern
