#include "batching/batching_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace tern {
namespace {

using ::testing::HasSubstr;

TEST(BatchingOptionsTest, UnsetFieldsKeepTfServingDefaults) {
  auto params = ParseBatchingParametersText("max_batch_size { value: 32 }", "test");
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  auto options = MergeBatchingParameters(*params, BatchingOptions{}, "test");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->max_batch_size, 32);
  EXPECT_EQ(options->batch_timeout_micros, 0);
  EXPECT_EQ(options->max_enqueued_batches, 10);
  EXPECT_TRUE(options->allowed_batch_sizes.empty());
  EXPECT_FALSE(options->pad_variable_length_inputs);
}

TEST(BatchingOptionsTest, ReadsEveryFieldOfTheTfServingExampleFile) {
  // The batching config shipped with TF Serving's test data.
  auto params =
      ReadBatchingParametersFile(TERN_SHARED_DIR "/testdata/tf_serving/batching_config.txt");
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  auto options = MergeBatchingParameters(*params, BatchingOptions{}, "file");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->max_batch_size, 128);
  EXPECT_EQ(options->batch_timeout_micros, 0);
  EXPECT_EQ(options->max_enqueued_batches, 1000000);
  EXPECT_EQ(options->num_batch_threads, 8);
}

TEST(BatchingOptionsTest, AllFields) {
  auto params = ParseBatchingParametersText(R"(
    max_batch_size { value: 8 }
    batch_timeout_micros { value: 500 }
    max_enqueued_batches { value: 3 }
    num_batch_threads { value: 2 }
    thread_pool_name { value: "pool" }
    allowed_batch_sizes: 2
    allowed_batch_sizes: 4
    allowed_batch_sizes: 8
    pad_variable_length_inputs: true
  )",
                                            "test");
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  auto options = MergeBatchingParameters(*params, BatchingOptions{}, "test");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->batch_timeout_micros, 500);
  EXPECT_EQ(options->max_enqueued_batches, 3);
  EXPECT_EQ(options->num_batch_threads, 2);
  EXPECT_THAT(options->allowed_batch_sizes, ::testing::ElementsAre(2, 4, 8));
  EXPECT_TRUE(options->pad_variable_length_inputs);
  EXPECT_EQ(options->PaddedBatchSize(1), 2);
  EXPECT_EQ(options->PaddedBatchSize(3), 4);
  EXPECT_EQ(options->PaddedBatchSize(8), 8);
}

TEST(BatchingOptionsTest, SyntaxErrorNamesLine) {
  auto params = ParseBatchingParametersText("max_batch_size { value: 8 }\nbogus: 1\n", "'f.txt'");
  ASSERT_FALSE(params.ok());
  EXPECT_THAT(params.status().message(), HasSubstr("'f.txt'"));
  EXPECT_THAT(params.status().message(), HasSubstr("BatchingParameters: 2:"));  // line:column
}

TEST(BatchingOptionsTest, LargeBatchSplittingFieldsAsTfServing) {
  auto params = ParseBatchingParametersText(
      "max_batch_size { value: 64 } enable_large_batch_splitting { value: true }\n"
      "max_execution_batch_size { value: 16 } allowed_batch_sizes: 8 allowed_batch_sizes: 16",
      "t");
  ASSERT_TRUE(params.ok()) << params.status().message();
  auto options = MergeBatchingParameters(*params, BatchingOptions{}, "t");
  ASSERT_TRUE(options.ok()) << options.status().message();
  EXPECT_TRUE(options->enable_large_batch_splitting);
  EXPECT_EQ(options->ExecutionBatchSize(), 16);
  // With splitting, the allowed sizes end at the execution size, not at max_batch_size.
  auto wrong_end = ParseBatchingParametersText(
      "max_batch_size { value: 64 } enable_large_batch_splitting { value: true }\n"
      "max_execution_batch_size { value: 16 } allowed_batch_sizes: 64",
      "t");
  ASSERT_TRUE(wrong_end.ok());
  auto refused = MergeBatchingParameters(*wrong_end, BatchingOptions{}, "t");
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("must equal max_execution_batch_size (16)"));
  // Without splitting, max_execution_batch_size does not change the batch size.
  auto off = ParseBatchingParametersText(
      "max_batch_size { value: 64 } max_execution_batch_size { value: 16 }", "t");
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(MergeBatchingParameters(*off, BatchingOptions{}, "t")->ExecutionBatchSize(), 64);
}

TEST(BatchingOptionsTest, AllowedSizesMustEndAtMax) {
  auto params = ParseBatchingParametersText(
      "max_batch_size { value: 8 } allowed_batch_sizes: 2 allowed_batch_sizes: 4", "t");
  ASSERT_TRUE(params.ok());
  auto options = MergeBatchingParameters(*params, BatchingOptions{}, "t");
  ASSERT_FALSE(options.ok());
  EXPECT_THAT(options.status().message(), HasSubstr("must equal max_batch_size (8)"));
}

TEST(BatchingOptionsTest, AllowedSizesMustIncrease) {
  auto params = ParseBatchingParametersText(
      "max_batch_size { value: 4 } allowed_batch_sizes: 4 allowed_batch_sizes: 4", "t");
  ASSERT_TRUE(params.ok());
  auto options = MergeBatchingParameters(*params, BatchingOptions{}, "t");
  ASSERT_FALSE(options.ok());
  EXPECT_THAT(options.status().message(), HasSubstr("strictly increasing"));
}

TEST(BatchingOptionsTest, RejectsNonPositiveSizes) {
  auto params = ParseBatchingParametersText("max_batch_size { value: 0 }", "t");
  ASSERT_TRUE(params.ok());
  EXPECT_FALSE(MergeBatchingParameters(*params, BatchingOptions{}, "t").ok());
}

TEST(BatchingOptionsTest, MissingFileIsNotFound) {
  auto params = ReadBatchingParametersFile("/nonexistent/batching.txt");
  ASSERT_FALSE(params.ok());
  EXPECT_EQ(params.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tern
