// ModelManager against real TF Serving test SavedModels copied into a temp directory; the
// loader is stepped by hand and its clock is injected.
#include "loader/model_manager.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/metrics.h"

namespace tern {
namespace {

namespace fs = std::filesystem;

const std::string kTfServing = std::string(TERN_SHARED_DIR) + "/testdata/tf_serving";
const std::string kHalfPlusTwo = kTfServing + "/saved_model_half_plus_two_2_versions/00000123";
const std::string kHalfPlusThree = kTfServing + "/saved_model_half_plus_three/00000123";

VersionPolicy Policy(VersionPolicy::Kind kind, std::set<int64_t> versions = {}) {
  VersionPolicy policy;
  policy.kind = kind;
  policy.versions = std::move(versions);
  return policy;
}

class ModelManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("tern_manager_test_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_);
    ModelManager::Options options;
    options.clock = [this] { return now_; };
    manager_ = ModelManager::Create(options);
  }
  void TearDown() override {
    manager_.reset();
    fs::remove_all(base_);
  }

  void AddVersion(const std::string& source, int64_t version) {
    fs::copy(source, base_ / std::to_string(version), fs::copy_options::recursive);
  }
  std::string VersionDir(int64_t version) const { return base_ / std::to_string(version); }
  void Serve(VersionPolicy policy = {}, std::map<std::string, int64_t> labels = {}) {
    manager_->SetConfig({{"m", base_.string(), policy, labels}});
  }

  // y for x = 1: 2.5 from half_plus_two, 3.5 from half_plus_three.
  float Predict(const ServableHandle& handle) {
    auto out = handle->model->RunSignature(
        "serving_default", {{"x", Tensor::FromVector<float>({1.0f}, TensorShape{1, 1})}}, {},
        RunOptions());
    EXPECT_TRUE(out.ok()) << out.status().message();
    return out.ok() ? out->at("y").flat<float>()[0] : -1;
  }
  int64_t LatestVersion() {
    auto handle = manager_->GetHandle("m", std::nullopt);
    return handle.ok() ? (*handle)->version : -1;
  }
  VersionStatus StatusOf(int64_t version) {
    auto statuses = manager_->GetStatus("m");
    EXPECT_TRUE(statuses.ok());
    for (const auto& s : *statuses) {
      if (s.version == version) return s;
    }
    ADD_FAILURE() << "no status for version " << version;
    return {};
  }

  fs::path base_;
  std::chrono::steady_clock::time_point now_ = std::chrono::steady_clock::now();
  std::unique_ptr<ModelManager> manager_;
};

TEST_F(ModelManagerTest, NewVersionReplacesOldOnlyAfterItLoadsAndOldIsFreedWithLastHandle) {
  AddVersion(kHalfPlusTwo, 1);
  Serve();
  manager_->Step();
  auto v1 = manager_->GetHandle("m", std::nullopt);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ((*v1)->version, 1);
  EXPECT_FLOAT_EQ(Predict(*v1), 2.5f);

  AddVersion(kHalfPlusThree, 2);
  manager_->Step();
  auto latest = manager_->GetHandle("m", std::nullopt);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->version, 2);
  EXPECT_FLOAT_EQ(Predict(*latest), 3.5f);
  EXPECT_FALSE(manager_->GetHandle("m", 1).ok());
  // An in-flight request still holds version 1: it keeps working, and the version is
  // UNLOADING until the handle goes.
  EXPECT_EQ(StatusOf(1).state, VersionState::kUnloading);
  EXPECT_FLOAT_EQ(Predict(*v1), 2.5f);
  // The status names the runtime of the versions being served only.
  EXPECT_EQ(StatusOf(2).runtime, "tern");
  EXPECT_EQ(StatusOf(2).runtime_reason, "auto: Tern has every op");
  EXPECT_EQ(StatusOf(1).runtime, "");
  std::weak_ptr<const ServableVersion> weak = *v1;
  v1 = Status(NotFound("released"));
  EXPECT_TRUE(weak.expired());
  manager_->Step();
  EXPECT_EQ(StatusOf(1).state, VersionState::kEnd);
  EXPECT_EQ(StatusOf(2).state, VersionState::kAvailable);
}

class BrokenVersionTest : public ModelManagerTest,
                          public ::testing::WithParamInterface<std::string> {};

TEST_P(BrokenVersionTest, NeverReplacesAGoodVersionAndShowsTheError) {
  AddVersion(kHalfPlusTwo, 1);
  Serve();
  manager_->Step();
  AddVersion(kHalfPlusThree, 2);
  const std::string shard = VersionDir(2) + "/variables/variables.data-00000-of-00001";
  std::string expected;
  if (GetParam() == "truncated_saved_model") {
    fs::resize_file(VersionDir(2) + "/saved_model.pb",
                    fs::file_size(VersionDir(2) + "/saved_model.pb") / 2);
    expected = "saved_model.pb";
  } else if (GetParam() == "bad_checksum") {
    std::fstream f(shard, std::ios::in | std::ios::out | std::ios::binary);
    char c = 0;
    f.seekg(0);
    f.get(c);
    f.seekp(0);
    f.put(static_cast<char>(c ^ 0x5a));
    expected = "checksum";
  } else {
    fs::remove(shard);
    expected = "variables.data-00000-of-00001";
  }
  manager_->Step();
  auto latest = manager_->GetHandle("m", std::nullopt);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->version, 1);
  EXPECT_FLOAT_EQ(Predict(*latest), 2.5f);
  const VersionStatus broken = StatusOf(2);
  EXPECT_EQ(broken.state, VersionState::kEnd);
  EXPECT_FALSE(broken.status.ok());
  EXPECT_NE(broken.status.message().find(expected), std::string::npos) << broken.status.message();
  EXPECT_EQ(StatusOf(1).state, VersionState::kAvailable);

  // Repairing the files retries at once (the fingerprint changed), without waiting for backoff.
  fs::remove_all(VersionDir(2));
  AddVersion(kHalfPlusThree, 2);
  manager_->Step();
  latest = manager_->GetHandle("m", std::nullopt);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->version, 2);
  EXPECT_EQ(StatusOf(2).state, VersionState::kAvailable);
}

INSTANTIATE_TEST_SUITE_P(Breakage, BrokenVersionTest,
                         ::testing::Values("truncated_saved_model", "bad_checksum",
                                           "missing_shard"));

TEST_F(ModelManagerTest, UnchangedBrokenVersionWaitsForBackoff) {
  AddVersion(kHalfPlusTwo, 1);
  Serve();
  manager_->Step();
  fs::create_directories(VersionDir(2));
  std::ofstream(VersionDir(2) + "/saved_model.pb") << "not a protobuf";
  manager_->Step();
  EXPECT_EQ(StatusOf(2).state, VersionState::kEnd);
  // Within the backoff and with the same files, the version is not tried again.
  manager_->Step();
  EXPECT_EQ(StatusOf(2).state, VersionState::kEnd);
  EXPECT_EQ(StatusOf(1).state, VersionState::kAvailable);
  now_ += std::chrono::seconds(60);
  manager_->Step();
  EXPECT_EQ(StatusOf(2).state, VersionState::kEnd);
  auto latest = manager_->GetHandle("m", std::nullopt);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->version, 1);
}

TEST_F(ModelManagerTest, LoadRetriesStopAtTheLimitUntilTheFilesChange) {
  auto metrics = Metrics::Create({});
  ModelManager::Options options;
  options.clock = [this] { return now_; };
  options.max_load_retries = 1;
  options.min_retry_backoff_ms = options.max_retry_backoff_ms = 1000;
  options.metrics = metrics.get();
  manager_ = ModelManager::Create(options);
  auto failed_attempts = [&] {
    const std::string page = metrics->Render();
    const std::string key = "tern_model_load_failures_total{model=\"m\"} ";
    const auto at = page.find(key);
    return at == std::string::npos ? -1 : std::stoi(page.substr(at + key.size()));
  };
  fs::create_directories(VersionDir(1));
  std::ofstream(VersionDir(1) + "/saved_model.pb") << "not a protobuf";
  Serve();
  manager_->Step();  // the first attempt
  now_ += std::chrono::seconds(2);
  manager_->Step();  // the one retry
  EXPECT_EQ(StatusOf(1).state, VersionState::kEnd);
  EXPECT_EQ(failed_attempts(), 2);
  // Given up: no further attempt, however long it waits.
  now_ += std::chrono::hours(1);
  manager_->Step();
  EXPECT_EQ(failed_attempts(), 2);
  EXPECT_EQ(StatusOf(1).state, VersionState::kEnd);
  EXPECT_FALSE(manager_->GetHandle("m", std::nullopt).ok());
  // New files are a new chance.
  fs::remove_all(VersionDir(1));
  AddVersion(kHalfPlusTwo, 1);
  manager_->Step();
  EXPECT_EQ(StatusOf(1).state, VersionState::kAvailable);
}

TEST_F(ModelManagerTest, ReloadConfigReportsANewModelThatDidNotLoad) {
  AddVersion(kHalfPlusTwo, 1);
  Serve();
  manager_->Step();
  const fs::path broken = base_ / "broken";
  fs::create_directories(broken / "7");
  std::ofstream((broken / "7" / "saved_model.pb").string()) << "not a protobuf";
  Status status =
      manager_->ReloadConfig({{"m", base_.string(), {}, {}}, {"bad", broken.string(), {}, {}}});
  EXPECT_EQ(status.code(), StatusCode::kUnknown);
  EXPECT_NE(status.message().find("1 model(s) did not become available"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("name: bad version: 7 due to error"), std::string::npos)
      << status.message();
  // The good model keeps serving; a reload where every new model loads is OK.
  EXPECT_TRUE(manager_->GetHandle("m", std::nullopt).ok());
  const fs::path good = base_ / "good";
  fs::create_directories(good);
  fs::copy(kHalfPlusThree, good / "1", fs::copy_options::recursive);
  EXPECT_TRUE(
      manager_->ReloadConfig({{"m", base_.string(), {}, {}}, {"g", good.string(), {}, {}}}).ok());
}

TEST_F(ModelManagerTest, DeletingTheNewestVersionFallsBackToThePreviousOne) {
  AddVersion(kHalfPlusTwo, 1);
  AddVersion(kHalfPlusThree, 2);
  Serve();
  manager_->Step();
  EXPECT_EQ(LatestVersion(), 2);
  fs::remove_all(VersionDir(2));
  manager_->Step();
  auto latest = manager_->GetHandle("m", std::nullopt);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->version, 1);
  EXPECT_FLOAT_EQ(Predict(*latest), 2.5f);
}

TEST_F(ModelManagerTest, AllAndSpecificPoliciesAndLabels) {
  AddVersion(kHalfPlusTwo, 1);
  AddVersion(kHalfPlusThree, 2);
  AddVersion(kHalfPlusTwo, 3);
  Serve(Policy(VersionPolicy::Kind::kAll), {{"stable", 1}, {"canary", 2}});
  manager_->Step();
  for (int64_t v : {1, 2, 3}) EXPECT_TRUE(manager_->GetHandle("m", v).ok()) << v;
  auto canary = manager_->GetHandleByLabel("m", "canary");
  ASSERT_TRUE(canary.ok());
  EXPECT_EQ((*canary)->version, 2);
  EXPECT_FLOAT_EQ(Predict(*canary), 3.5f);
  auto unknown = manager_->GetHandleByLabel("m", "beta");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("canary"), std::string::npos);

  Serve(Policy(VersionPolicy::Kind::kSpecific, {1}), {{"stable", 1}, {"canary", 2}});
  manager_->Step();
  EXPECT_TRUE(manager_->GetHandle("m", 1).ok());
  EXPECT_FALSE(manager_->GetHandle("m", 3).ok());
  auto dangling = manager_->GetHandleByLabel("m", "canary");
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.status().message().find("not available"), std::string::npos);
}

TEST_F(ModelManagerTest, RemovingAModelFromTheConfigUnloadsIt) {
  AddVersion(kHalfPlusTwo, 1);
  Serve();
  manager_->Step();
  ASSERT_TRUE(manager_->GetHandle("m", std::nullopt).ok());
  manager_->SetConfig({});
  manager_->Step();
  EXPECT_EQ(manager_->GetHandle("m", std::nullopt).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(StatusOf(1).state, VersionState::kEnd);
  EXPECT_TRUE(manager_->ModelNames().empty());
}

TEST_F(ModelManagerTest, IncompleteVersionDirectoryIsNotLoaded) {
  AddVersion(kHalfPlusTwo, 1);
  Serve();
  manager_->Step();
  // A copy in progress: saved_model.pb is there, the variables are not yet.
  fs::create_directories(VersionDir(2) + "/variables");
  fs::copy(kHalfPlusThree + "/saved_model.pb", VersionDir(2) + "/saved_model.pb");
  manager_->Step();
  EXPECT_EQ(LatestVersion(), 1);
  EXPECT_NE(StatusOf(2).status.message().find("incomplete"), std::string::npos)
      << StatusOf(2).status.message();
  fs::copy(kHalfPlusThree + "/variables", VersionDir(2) + "/variables",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::copy(kHalfPlusThree + "/assets", VersionDir(2) + "/assets", fs::copy_options::recursive);
  manager_->Step();
  EXPECT_EQ(LatestVersion(), 2);
}

}  // namespace
}  // namespace tern
