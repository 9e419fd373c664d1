// KServeService over a real ModelManager serving the TensorFlow-exported MLP (tests/models/mlp):
// the v2 model config follows the batching options, and InferAsync answers from the batch,
// holding no thread while the request waits (the batcher is stepped by hand).
#include "server/kserve/kserve_service.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

namespace tern {
namespace {

namespace fs = std::filesystem;

const fs::path kMlpVersion = fs::path(TERN_SOURCE_DIR) / "tests/models/mlp/model/1";

class KServeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("tern_kserve_test_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    manager_ = ModelManager::Create({});
    metrics_ = Metrics::Create({});
  }
  void TearDown() override {
    kserve_.reset();
    service_.reset();
    batcher_.reset();
    manager_.reset();
    metrics_.reset();
    fs::remove_all(base_);
  }

  // Serves a copy of the MLP as `name`; `per_model_params` (if any) goes into its assets.extra.
  void AddModel(const std::string& name, const std::string& per_model_params = "") {
    const fs::path version = base_ / name / "1";
    fs::create_directories(version.parent_path());
    fs::copy(kMlpVersion, version, fs::copy_options::recursive);
    if (!per_model_params.empty()) {
      fs::create_directories(version / "assets.extra");
      std::ofstream(version / "assets.extra/batching_params.pbtxt") << per_model_params;
    }
    configs_.push_back({name, (base_ / name).string(), {}, {}});
  }

  void Start(std::optional<BatchingOptions> batching,
             PerModelParameters per_model = PerModelParameters::kIgnore) {
    manager_->SetConfig(configs_);
    manager_->Step();
    if (batching) {
      SignatureBatcher::Options options;
      options.defaults = *batching;
      options.per_model = per_model;
      options.stepping = Stepping::kManual;
      options.metrics = metrics_.get();
      auto batcher = SignatureBatcher::Create(options);
      ASSERT_TRUE(batcher.ok()) << batcher.status().ToString();
      batcher_ = std::move(batcher).value();
    }
    service_ = std::make_unique<InferenceCore>(manager_.get(), metrics_.get(), batcher_.get());
    kserve_ = std::make_unique<KServeService>(service_.get());
  }

  V2ModelConfig Config(const std::string& name) {
    auto config = kserve_->ModelConfig(ModelRef{name, std::nullopt, std::nullopt});
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return config.ok() ? *config : V2ModelConfig{};
  }

  fs::path base_;
  std::vector<ServedModelConfig> configs_;
  std::unique_ptr<ModelManager> manager_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<SignatureBatcher> batcher_;
  std::unique_ptr<InferenceCore> service_;
  std::unique_ptr<KServeService> kserve_;
};

TEST_F(KServeServiceTest, ConfigWithoutBatchingKeepsTheDefaultLimitAndNoDynamicBatching) {
  AddModel("mlp");
  Start(std::nullopt);
  const V2ModelConfig config = Config("mlp");
  EXPECT_EQ(config.max_batch_size, 1000);
  EXPECT_FALSE(config.dynamic_batching.has_value());
  ASSERT_EQ(config.inputs.size(), 1u);
  EXPECT_EQ(config.inputs[0].shape, std::vector<int64_t>{256});
}

TEST_F(KServeServiceTest, ConfigReportsTheServersBatchingParameters) {
  AddModel("mlp");
  BatchingOptions batching;
  batching.max_batch_size = 16;
  batching.allowed_batch_sizes = {4, 8, 16};
  batching.batch_timeout_micros = 1234;
  Start(batching);
  const V2ModelConfig config = Config("mlp");
  EXPECT_EQ(config.max_batch_size, 16);
  ASSERT_TRUE(config.dynamic_batching.has_value());
  EXPECT_EQ(config.dynamic_batching->preferred_batch_size, (std::vector<int64_t>{4, 8, 16}));
  EXPECT_EQ(config.dynamic_batching->max_queue_delay_microseconds, 1234);
}

TEST_F(KServeServiceTest, PerModelParametersApplyOnlyToVersionsThatHaveThem) {
  AddModel("plain");
  AddModel("tuned",
           "max_batch_size { value: 6 } batch_timeout_micros { value: 700 } "
           "allowed_batch_sizes: 3 allowed_batch_sizes: 6");
  Start(BatchingOptions{}, PerModelParameters::kRead);
  const V2ModelConfig plain = Config("plain");
  EXPECT_EQ(plain.max_batch_size, 1000);
  EXPECT_FALSE(plain.dynamic_batching.has_value());
  const V2ModelConfig tuned = Config("tuned");
  EXPECT_EQ(tuned.max_batch_size, 6);
  ASSERT_TRUE(tuned.dynamic_batching.has_value());
  EXPECT_EQ(tuned.dynamic_batching->preferred_batch_size, (std::vector<int64_t>{3, 6}));
  EXPECT_EQ(tuned.dynamic_batching->max_queue_delay_microseconds, 700);
}

TEST_F(KServeServiceTest, InferAsyncWaitsForItsBatchWithoutHoldingTheCaller) {
  AddModel("mlp");
  BatchingOptions batching;
  batching.max_batch_size = 2;
  batching.batch_timeout_micros = 60'000'000;  // only a full batch runs
  Start(batching);
  auto row = [](float seed) {
    std::vector<float> v(256);
    for (int i = 0; i < 256; ++i) v[i] = std::sin(seed + 0.1f * i);
    return Tensor::FromVector<float>(v, TensorShape{1, 256});
  };
  std::optional<StatusOr<V2InferResult>> answers[2];
  for (int i = 0; i < 2; ++i) {
    V2InferRequest request;
    request.model.name = "mlp";
    request.inputs.emplace("x", row(static_cast<float>(i)));
    kserve_->InferAsync(std::move(request), RunOptions(),
                        [&answers, i](StatusOr<V2InferResult> r) { answers[i] = std::move(r); });
    // The first request waits in the queue; InferAsync has returned without an answer.
    if (i == 0) {
      EXPECT_FALSE(answers[0].has_value());
    }
  }
  EXPECT_EQ(batcher_->scheduler().ProcessReadyBatches(), 1);  // both rows in one batch
  auto handle = manager_->GetHandle("mlp", std::nullopt);
  ASSERT_TRUE(handle.ok());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(answers[i].has_value()) << "request " << i << " was never answered";
    ASSERT_TRUE(answers[i]->ok()) << answers[i]->status().ToString();
    const V2InferResult& result = **answers[i];
    EXPECT_EQ(result.model_name, "mlp");
    EXPECT_EQ(result.version, 1);
    ASSERT_EQ(result.outputs.size(), 1u);
    EXPECT_EQ(result.outputs[0].first, "y");
    auto alone = (*handle)->model->RunSignature(
        "serving_default", {{"x", row(static_cast<float>(i))}}, {}, RunOptions());
    ASSERT_TRUE(alone.ok());
    const Tensor& got = result.outputs[0].second;
    const Tensor& want = alone->at("y");
    ASSERT_EQ(got.shape(), want.shape());
    for (int64_t k = 0; k < want.num_elements(); ++k) {
      EXPECT_NEAR(got.flat<float>()[k], want.flat<float>()[k],
                  1e-5 + 1e-5 * std::fabs(want.flat<float>()[k]));
    }
  }
}

Tensor MlpRow(float seed) {
  std::vector<float> v(256);
  for (int i = 0; i < 256; ++i) v[i] = std::cos(seed + 0.2f * i);
  return Tensor::FromVector<float>(v, TensorShape{1, 256});
}

// Two requests run as one batch of two: each is a success charged the batch's phases, the batch
// is one execution of size 2, and both waited in the queue.
TEST_F(KServeServiceTest, StatisticsCountABatchOnceAndEachRequestInIt) {
  AddModel("mlp");
  BatchingOptions batching;
  batching.max_batch_size = 2;
  batching.batch_timeout_micros = 60'000'000;
  Start(batching);
  int answered = 0;
  for (int i = 0; i < 2; ++i) {
    V2InferRequest request;
    request.model.name = "mlp";
    request.inputs.emplace("x", MlpRow(static_cast<float>(i)));
    kserve_->InferAsync(std::move(request), RunOptions(), [&answered](StatusOr<V2InferResult> r) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      ++answered;
    });
  }
  ASSERT_EQ(batcher_->scheduler().ProcessReadyBatches(), 1);
  ASSERT_EQ(answered, 2);
  auto stats = kserve_->ModelStatistics("mlp", "");
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ASSERT_EQ(stats->size(), 1u);
  const V2ModelStatistics& m = (*stats)[0];
  EXPECT_EQ(m.name, "mlp");
  EXPECT_EQ(m.version, 1);
  EXPECT_EQ(m.stats.success.count, 2u);
  EXPECT_EQ(m.stats.fail.count, 0u);
  EXPECT_EQ(m.stats.inference_count, 2u);
  EXPECT_EQ(m.stats.execution_count, 1u);
  EXPECT_EQ(m.stats.queue.count, 2u);
  EXPECT_GT(m.stats.queue.ns, 0u);
  EXPECT_GT(m.stats.compute_infer.ns, 0u);
  ASSERT_EQ(m.stats.batch_stats.size(), 1u);
  ASSERT_EQ(m.stats.batch_stats.count(2), 1u);
  // Each request is charged the batch's run: twice the batch's own infer time.
  EXPECT_EQ(m.stats.compute_infer.ns, 2 * m.stats.batch_stats.at(2).compute_infer.ns);

  EXPECT_EQ(kserve_->ModelStatistics("mlp", "9").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(kserve_->ModelStatistics("nope", "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(kserve_->ModelStatistics("", "1").status().code(), StatusCode::kInvalidArgument);
  auto every = kserve_->ModelStatistics("", "");
  ASSERT_TRUE(every.ok());
  EXPECT_EQ(every->size(), 1u);
}

TEST_F(KServeServiceTest, InferAsyncRefusesABadRequestAtOnceAndQueuesNothing) {
  AddModel("mlp");
  BatchingOptions batching;
  batching.max_batch_size = 2;
  Start(batching);
  std::optional<StatusOr<V2InferResult>> answer;
  V2InferRequest request;
  request.model.name = "mlp";
  request.inputs.emplace("nope", Tensor::FromVector<float>({1.0f}, TensorShape{1, 1}));
  kserve_->InferAsync(std::move(request), RunOptions(),
                      [&answer](StatusOr<V2InferResult> r) { answer = std::move(r); });
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(answer->status().message().find("'nope'"), std::string::npos);
  EXPECT_EQ(batcher_->scheduler().ProcessReadyBatches(), 0);
}

}  // namespace
}  // namespace tern
