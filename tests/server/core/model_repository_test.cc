// ModelRepository over a real ModelManager serving copies of the TensorFlow-exported MLP: the
// index follows the manager's states, unload takes a model out of service while a held handle
// keeps running, load by name brings it back, a base path serves a new model.
#include "server/core/model_repository.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace tern {
namespace {

namespace fs = std::filesystem;

const fs::path kMlpVersion = fs::path(TERN_SOURCE_DIR) / "tests/models/mlp/model/1";

class ModelRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("tern_repository_test_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    manager_ = ModelManager::Create({});
    repository_ = std::make_unique<ModelRepository>(manager_.get());
  }
  void TearDown() override {
    repository_.reset();
    manager_.reset();
    fs::remove_all(base_);
  }

  fs::path Copy(const std::string& name, int version) {
    const fs::path dir = base_ / name / std::to_string(version);
    fs::create_directories(dir.parent_path());
    fs::copy(kMlpVersion, dir, fs::copy_options::recursive);
    return base_ / name;
  }

  std::string Index() {
    std::string out;
    for (const auto& e : repository_->Index(false)) {
      out += e.name + ":" + (e.version ? std::to_string(*e.version) : "-") + ":" + e.state +
             (e.reason.empty() ? "" : ":" + e.reason) + " ";
    }
    return out;
  }

  fs::path base_;
  std::unique_ptr<ModelManager> manager_;
  std::unique_ptr<ModelRepository> repository_;
};

TEST_F(ModelRepositoryTest, UnloadKeepsAHeldVersionRunningAndLoadBringsTheModelBack) {
  manager_->SetConfig({{"a", Copy("a", 1).string(), {}, {}}, {"b", Copy("b", 4).string(), {}, {}}});
  manager_->Step();
  EXPECT_EQ(Index(), "a:1:READY b:4:READY ");

  auto held = manager_->GetHandle("b", std::nullopt);
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(repository_->Unload("b").ok());
  EXPECT_EQ(Index(), "a:1:READY b:4:UNAVAILABLE:unloaded ");
  EXPECT_EQ(manager_->GetHandle("b", std::nullopt).status().code(), StatusCode::kNotFound);
  ASSERT_EQ(repository_->Index(true).size(), 1u);
  // The request that held `b` before the unload still runs on it.
  auto out = (*held)->model->RunSignature(
      "serving_default",
      {{"x", Tensor::FromVector<float>(std::vector<float>(256, 0.5f), {1, 256})}}, {},
      RunOptions());
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  held = Status(NotFound("released"));

  EXPECT_TRUE(repository_->Unload("b").ok()) << "unloading twice is not an error";
  Status loaded = repository_->Load("b");
  ASSERT_TRUE(loaded.ok()) << loaded.ToString();
  EXPECT_EQ(Index(), "a:1:READY b:4:READY ");
  EXPECT_TRUE(manager_->GetHandle("b", std::nullopt).ok());
}

TEST_F(ModelRepositoryTest, LoadWithABasePathServesANewModelAndUnknownNamesAreNotFound) {
  manager_->SetConfig({{"a", Copy("a", 1).string(), {}, {}}});
  manager_->Step();
  Status unknown = repository_->Load("c");
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.message().find("base_path"), std::string::npos) << unknown.message();
  EXPECT_EQ(repository_->Unload("c").code(), StatusCode::kNotFound);

  ASSERT_TRUE(repository_->Load("c", {.base_path = Copy("c", 2).string()}).ok());
  EXPECT_EQ(Index(), "a:1:READY c:2:READY ");
  EXPECT_TRUE(manager_->GetHandle("c", 2).ok());

  const fs::path empty = base_ / "empty";
  fs::create_directories(empty);
  Status hollow = repository_->Load("d", {.base_path = empty.string()});
  EXPECT_FALSE(hollow.ok());
  EXPECT_NE(hollow.message().find("d"), std::string::npos) << hollow.message();
  EXPECT_EQ(repository_->Load("e", {.base_path = ""}).code(), StatusCode::kInvalidArgument);
}

TEST_F(ModelRepositoryTest, AReloadFromElsewhereStaysTheSourceOfTruth) {
  const std::string a = Copy("a", 1).string();
  manager_->SetConfig({{"a", a, {}, {}}});
  manager_->Step();
  ASSERT_TRUE(repository_->Unload("a").ok());
  // The config file (or HandleReloadConfigRequest) lists `a` again: it is served.
  ASSERT_TRUE(manager_->ReloadConfig({{"a", a, {}, {}}}).ok());
  EXPECT_EQ(Index(), "a:1:READY ");
}

}  // namespace
}  // namespace tern
