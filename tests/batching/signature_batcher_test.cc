// SignatureBatcher on a real TensorFlow-exported MLP (tests/models/mlp): every batched answer is
// compared with the same request run alone, and with TensorFlow's own outputs.
#include "batching/signature_batcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <thread>

#include "runtime/saved_model/saved_model.h"

namespace tern {
namespace {

using ::testing::HasSubstr;

constexpr int kWidth = 256;
const char* const kModelDir = TERN_SOURCE_DIR "/tests/models/mlp/model/1";

std::shared_ptr<SavedModel> LoadMlp(const std::string& dir = kModelDir) {
  auto model = SavedModel::Load(dir, SavedModelLoadOptions{});
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? std::shared_ptr<SavedModel>(std::move(model).value()) : nullptr;
}

Tensor RandomRows(int64_t rows, int width, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist;
  std::vector<float> v(rows * width);
  for (auto& x : v) x = dist(gen);
  return Tensor::FromVector<float>(v, TensorShape{rows, width});
}

void ExpectNear(const Tensor& got, const Tensor& want, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    const float a = got.flat<float>()[i], b = want.flat<float>()[i];
    ASSERT_LE(std::fabs(a - b), 1e-5f + 1e-5f * std::fabs(b)) << what << " element " << i;
  }
}

// Collects an asynchronous answer.
struct Answer {
  std::optional<StatusOr<SignatureOutputs>> result;
  SignatureDone Callback() {
    return [this](StatusOr<SignatureOutputs> r) { result = std::move(r); };
  }
};

class SignatureBatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = LoadMlp();
    ASSERT_NE(model_, nullptr);
  }

  std::unique_ptr<SignatureBatcher> Make(
      BatchingOptions defaults, PerModelParameters per_model = PerModelParameters::kIgnore) {
    SignatureBatcher::Options options;
    options.defaults = defaults;
    options.per_model = per_model;
    options.stepping = Stepping::kManual;
    options.now = [this] { return start_ + std::chrono::microseconds(now_us_.load()); };
    auto batcher = SignatureBatcher::Create(options);
    EXPECT_TRUE(batcher.ok()) << batcher.status().ToString();
    return std::move(batcher).value();
  }

  SignatureRun Request(Tensor x, std::shared_ptr<SavedModel> model = nullptr) {
    if (!model) model = model_;
    SignatureRun run;
    run.model = model.get();
    run.keep_alive = model;
    run.model_name = "mlp";
    run.version = 1;
    run.signature_name = "serving_default";
    run.inputs = {{"x", std::move(x)}};
    return run;
  }

  Tensor Alone(const Tensor& x) {
    auto out = model_->RunSignature("serving_default", {{"x", x}}, {}, RunOptions{});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out->at("y");
  }

  std::shared_ptr<SavedModel> model_;
  const BatchClock::time_point start_ = BatchClock::now();
  std::atomic<int64_t> now_us_{0};
};

TEST_F(SignatureBatcherTest, MergedPaddedAndSplitOutputsEqualUnbatchedRuns) {
  BatchingOptions o;
  o.max_batch_size = 8;
  o.allowed_batch_sizes = {2, 4, 8};
  o.batch_timeout_micros = 1000;
  auto batcher = Make(o);
  std::vector<Tensor> inputs;
  std::vector<Answer> answers(4);
  const int rows[] = {1, 2, 3, 1};  // 7 rows, padded to 8
  for (int i = 0; i < 4; ++i) {
    inputs.push_back(RandomRows(rows[i], kWidth, 100 + i));
    batcher->RunAsync(Request(inputs.back()), answers[i].Callback());
    EXPECT_FALSE(answers[i].result.has_value()) << "request " << i << " answered before its batch";
  }
  now_us_ = 1000;
  EXPECT_EQ(batcher->scheduler().ProcessReadyBatches(), 1);  // one batch for all four
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(answers[i].result.has_value());
    ASSERT_TRUE(answers[i].result->ok()) << answers[i].result->status().ToString();
    ExpectNear((*answers[i].result)->at("y"), Alone(inputs[i]), "request " + std::to_string(i));
  }
}

TEST_F(SignatureBatcherTest, BatchedOutputsMatchTensorFlow) {
  std::ifstream in(TERN_SOURCE_DIR "/tests/models/mlp/golden.json");
  ASSERT_TRUE(in) << "run tests/models/mlp/export_mlp.py";
  const auto golden = nlohmann::json::parse(in);
  BatchingOptions o;
  o.max_batch_size = 16;
  o.batch_timeout_micros = 1000;
  auto batcher = Make(o);
  std::vector<Answer> answers(golden.size());
  std::vector<Tensor> want;
  for (size_t i = 0; i < golden.size(); ++i) {
    std::vector<float> x, y;
    for (const auto& row : golden[i]["x"])
      for (float v : row) x.push_back(v);
    for (const auto& row : golden[i]["y"])
      for (float v : row) y.push_back(v);
    const int64_t rows = static_cast<int64_t>(golden[i]["x"].size());
    want.push_back(Tensor::FromVector<float>(y, TensorShape{rows, 10}));
    batcher->RunAsync(Request(Tensor::FromVector<float>(x, TensorShape{rows, kWidth})),
                      answers[i].Callback());
  }
  now_us_ = 1000;
  EXPECT_EQ(batcher->scheduler().ProcessReadyBatches(), 1);
  for (size_t i = 0; i < golden.size(); ++i) {
    ASSERT_TRUE(answers[i].result.has_value() && answers[i].result->ok());
    ExpectNear((*answers[i].result)->at("y"), want[i], "golden case " + std::to_string(i));
  }
}

TEST_F(SignatureBatcherTest, RequestLargerThanMaxBatchIsSplitAndReassembled) {
  BatchingOptions o;
  o.max_batch_size = 4;
  o.max_enqueued_batches = 10;
  auto batcher = Make(o);
  Tensor x = RandomRows(11, kWidth, 7);
  Answer answer;
  batcher->RunAsync(Request(x), answer.Callback());
  EXPECT_EQ(batcher->scheduler().ProcessReadyBatches(), 3);
  ASSERT_TRUE(answer.result.has_value());
  ASSERT_TRUE(answer.result->ok()) << answer.result->status().ToString();
  ExpectNear((*answer.result)->at("y"), Alone(x), "11-row request");
}

TEST_F(SignatureBatcherTest, FullQueueAnswersUnavailableAtOnce) {
  BatchingOptions o;
  o.max_batch_size = 2;
  o.max_enqueued_batches = 1;
  o.batch_timeout_micros = 1000000;
  auto batcher = Make(o);
  Answer a, b, c;
  batcher->RunAsync(Request(RandomRows(1, kWidth, 1)), a.Callback());
  batcher->RunAsync(Request(RandomRows(1, kWidth, 2)), b.Callback());
  batcher->RunAsync(Request(RandomRows(1, kWidth, 3)), c.Callback());
  ASSERT_TRUE(c.result.has_value()) << "a full queue must answer at once";
  EXPECT_EQ(c.result->status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(c.result->status().message(), HasSubstr("is full"));
  EXPECT_THAT(c.result->status().message(), HasSubstr("model 'mlp' version 1"));
  EXPECT_EQ(batcher->scheduler().ProcessReadyBatches(), 1);
  EXPECT_TRUE(a.result.has_value() && a.result->ok());
  EXPECT_TRUE(b.result.has_value() && b.result->ok());
}

TEST_F(SignatureBatcherTest, RequestWhoseDeadlinePassesInTheQueueIsNotRun) {
  BatchingOptions o;
  o.max_batch_size = 8;
  o.batch_timeout_micros = 2000;
  auto batcher = Make(o);
  Answer late, fine;
  SignatureRun run = Request(RandomRows(1, kWidth, 1));
  run.options.deadline = start_ + std::chrono::microseconds(1000);
  batcher->RunAsync(std::move(run), late.Callback());
  Tensor x = RandomRows(2, kWidth, 2);
  batcher->RunAsync(Request(x), fine.Callback());
  now_us_ = 2000;
  EXPECT_EQ(batcher->scheduler().ProcessReadyBatches(), 1);
  ASSERT_TRUE(late.result.has_value());
  EXPECT_EQ(late.result->status().code(), StatusCode::kDeadlineExceeded);
  ASSERT_TRUE(fine.result.has_value() && fine.result->ok());
  ExpectNear((*fine.result)->at("y"), Alone(x), "the request that kept its deadline");
}

TEST_F(SignatureBatcherTest, UnloadWhileQueuedStillAnswersEveryRequest) {
  BatchingOptions o;
  o.max_batch_size = 64;
  o.batch_timeout_micros = 1000;
  auto batcher = Make(o);
  auto version = LoadMlp();  // the version the manager is about to unload
  std::weak_ptr<SavedModel> watch = version;
  std::vector<Answer> answers(5);
  std::vector<Tensor> inputs;
  for (int i = 0; i < 5; ++i) {
    inputs.push_back(RandomRows(1 + i, kWidth, 50 + i));
    batcher->RunAsync(Request(inputs.back(), version), answers[i].Callback());
  }
  version.reset();  // unloaded: the manager dropped its handle
  EXPECT_FALSE(watch.expired()) << "queued requests keep the version alive";
  now_us_ = 1000;
  EXPECT_EQ(batcher->scheduler().ProcessReadyBatches(), 1);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(answers[i].result.has_value() && answers[i].result->ok());
    ExpectNear((*answers[i].result)->at("y"), Alone(inputs[i]), "request " + std::to_string(i));
  }
  EXPECT_TRUE(watch.expired()) << "the version is freed once its last request is answered";
}

TEST_F(SignatureBatcherTest, ConcurrentRequestsOfDifferentShapesAreEachAnsweredCorrectly) {
  SignatureBatcher::Options options;
  options.defaults.max_batch_size = 16;
  options.defaults.batch_timeout_micros = 500;
  options.defaults.max_enqueued_batches = 1000;
  options.defaults.num_batch_threads = 2;
  auto batcher = SignatureBatcher::Create(options);
  ASSERT_TRUE(batcher.ok());
  constexpr int kThreads = 8, kPerThread = 12;
  std::atomic<int> wrong{0}, bad_width_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int rows = 1 + (t * 7 + i) % 20;                 // some above max_batch_size
        const int width = (i % 5 == 4) ? kWidth - 1 : kWidth;  // some malformed
        Tensor x = RandomRows(rows, width, t * 1000 + i);
        auto out = (*batcher)->Run(Request(x));
        if (width != kWidth) {
          if (!out.ok() && out.status().code() == StatusCode::kInvalidArgument)
            ++bad_width_errors;
          else
            ++wrong;
          continue;
        }
        if (!out.ok()) {
          ++wrong;
          continue;
        }
        const Tensor want = Alone(x);
        const Tensor& got = out->at("y");
        bool same = got.shape() == want.shape();
        for (int64_t e = 0; same && e < want.num_elements(); ++e) {
          same = std::fabs(got.flat<float>()[e] - want.flat<float>()[e]) <=
                 1e-5f + 1e-5f * std::fabs(want.flat<float>()[e]);
        }
        if (!same) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(bad_width_errors.load(), kThreads * 2);  // i = 4 and 9 in each thread
}

TEST_F(SignatureBatcherTest, LargeBatchSplittingRunsPiecesOfTheExecutionSize) {
  BatchingOptions o;
  o.max_batch_size = 12;
  o.enable_large_batch_splitting = true;
  o.max_execution_batch_size = 4;
  auto batcher = Make(o);
  Tensor x = RandomRows(10, kWidth, 9);
  Answer answer;
  batcher->RunAsync(Request(x), answer.Callback());
  EXPECT_EQ(batcher->scheduler().ProcessReadyBatches(), 3);  // 4 + 4 + 2 rows
  ASSERT_TRUE(answer.result.has_value());
  ASSERT_TRUE(answer.result->ok()) << answer.result->status().ToString();
  ExpectNear((*answer.result)->at("y"), Alone(x), "10-row request");
  // More rows than max_batch_size is refused, in TF Serving's words.
  Answer too_big;
  batcher->RunAsync(Request(RandomRows(13, kWidth, 3)), too_big.Callback());
  ASSERT_TRUE(too_big.result.has_value());
  ASSERT_FALSE(too_big.result->ok());
  EXPECT_THAT(too_big.result->status().message(),
              HasSubstr("Task size 13 is larger than maximum input batch size 12"));
}

TEST_F(SignatureBatcherTest, PerModelParametersFileTurnsBatchingOnForThatModelOnly) {
  const auto root =
      std::filesystem::temp_directory_path() / ("tern_batching_" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  const auto with = root / "with", without = root / "without";
  std::filesystem::create_directories(root);
  std::filesystem::copy(kModelDir, with, std::filesystem::copy_options::recursive);
  std::filesystem::copy(kModelDir, without, std::filesystem::copy_options::recursive);
  // TF Serving's place: the version directory itself.
  std::ofstream(with / "batching_params.pbtxt")
      << "max_batch_size { value: 4 } batch_timeout_micros { value: 1000 }\n";
  auto batcher = Make(BatchingOptions{}, PerModelParameters::kRead);
  auto batched_model = LoadMlp(with.string()), plain_model = LoadMlp(without.string());
  Answer batched, plain;
  batcher->RunAsync(Request(RandomRows(1, kWidth, 1), batched_model), batched.Callback());
  batcher->RunAsync(Request(RandomRows(1, kWidth, 2), plain_model), plain.Callback());
  EXPECT_TRUE(plain.result.has_value()) << "a model without batching_params.pbtxt runs alone";
  EXPECT_FALSE(batched.result.has_value()) << "the model with the file waits for its batch";
  now_us_ = 1000;
  EXPECT_EQ(batcher->scheduler().ProcessReadyBatches(), 1);
  EXPECT_TRUE(batched.result.has_value() && batched.result->ok());
  std::filesystem::remove_all(root);
}

TEST_F(SignatureBatcherTest, BadPerModelFileFailsThatModelsRequestsClearly) {
  const auto root =
      std::filesystem::temp_directory_path() / ("tern_batching_bad_" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::copy(kModelDir, root, std::filesystem::copy_options::recursive);
  std::filesystem::create_directories(root / "assets.extra");
  std::ofstream(root / "assets.extra" / "batching_params.pbtxt") << "max_batch_size { value: -3 }";
  auto batcher = Make(BatchingOptions{}, PerModelParameters::kRead);
  auto model = LoadMlp(root.string());
  Answer answer;
  batcher->RunAsync(Request(RandomRows(1, kWidth, 1), model), answer.Callback());
  ASSERT_TRUE(answer.result.has_value());
  EXPECT_EQ(answer.result->status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(answer.result->status().message(), HasSubstr("batching_params.pbtxt"));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace tern
