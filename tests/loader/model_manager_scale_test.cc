// Scale 0..N in the ModelManager: on-demand load, waiters, idle unload, the memory budget and
// instance lanes, against real TF Serving test SavedModels. The loader is stepped by hand (a
// helper thread plays the background loop where a request must wait) and its clock injected.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "loader/memory_budget.h"
#include "loader/model_manager.h"
#include "runtime/memory_account.h"

namespace tern {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kTfServing = std::string(TERN_SHARED_DIR) + "/testdata/tf_serving";
const std::string kHalfPlusTwo = kTfServing + "/saved_model_half_plus_two_2_versions/00000123";
const std::string kHalfPlusThree = kTfServing + "/saved_model_half_plus_three/00000123";

class ScaleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("tern_scale_test_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    manager_.reset();
    fs::remove_all(root_);
  }
  void Start(int64_t budget_bytes = 0, int64_t wait_ms = 10000) {
    ModelManager::Options options;
    options.clock = [this] { return std::chrono::steady_clock::time_point(now_.load()); };
    options.model_load_wait_timeout_ms = wait_ms;
    options.memory_budget_bytes = budget_bytes;
    manager_ = ModelManager::Create(options);
  }
  std::string AddModel(const std::string& name, const std::string& source) {
    const fs::path base = root_ / name;
    fs::create_directories(base);
    fs::copy(source, base / "1", fs::copy_options::recursive);
    return base.string();
  }
  ServedModelConfig OnDemand(const std::string& name, const std::string& base,
                             int64_t idle_seconds = 0) {
    ServedModelConfig c;
    c.name = name;
    c.base_path = base;
    c.min_instances = 0;
    c.idle_unload_seconds = idle_seconds;
    return c;
  }
  void Advance(std::chrono::seconds by) { now_.store(now_.load() + by); }
  VersionState StateOf(const std::string& model) {
    auto statuses = manager_->GetStatus(model);
    EXPECT_TRUE(statuses.ok() && !statuses->empty());
    return statuses.ok() && !statuses->empty() ? statuses->front().state : VersionState::kEnd;
  }
  // Steps the loader until `done` is ready, as the background loop would.
  template <typename T>
  T StepUntil(std::future<T>& done) {
    while (done.wait_for(5ms) != std::future_status::ready) manager_->Step();
    return done.get();
  }
  static float Predict(const ServableHandle& handle) {
    auto out = handle->model->RunSignature(
        "serving_default", {{"x", Tensor::FromVector<float>({1.0f}, TensorShape{1, 1})}}, {},
        RunOptions());
    return out.ok() ? out->at("y").flat<float>()[0] : -1;
  }

  using Nanos = std::chrono::steady_clock::duration;
  fs::path root_;
  std::atomic<Nanos> now_{std::chrono::steady_clock::now().time_since_epoch()};
  std::unique_ptr<ModelManager> manager_;
};

TEST_F(ScaleTest, ZeroModelLoadsOnFirstRequestAndScalesBackToZeroWhenIdle) {
  Start();
  manager_->SetConfig({OnDemand("m", AddModel("m", kHalfPlusTwo), /*idle_seconds=*/60)});
  manager_->Step();
  // Known and loadable, not loaded: START (what TF Serving reports before a load begins).
  EXPECT_EQ(StateOf("m"), VersionState::kStart);
  EXPECT_EQ(manager_->ModelNames(), std::vector<std::string>{"m"});
  EXPECT_EQ(manager_->LoadedMemoryBytes(), 0);

  auto first =
      std::async(std::launch::async, [&] { return manager_->GetHandle("m", std::nullopt); });
  auto handle = StepUntil(first);
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  EXPECT_FLOAT_EQ(Predict(*handle), 2.5f);
  EXPECT_EQ(StateOf("m"), VersionState::kAvailable);
  EXPECT_GT(manager_->LoadedMemoryBytes(), 0);
  EXPECT_EQ((*handle)->instances->instances(), 1);

  // Idle long enough, but a request still holds the version: it stays.
  Advance(61s);
  manager_->Step();
  EXPECT_EQ(StateOf("m"), VersionState::kAvailable);
  std::weak_ptr<const ServableVersion> weak = *handle;
  handle = Status(NotFound("released"));
  manager_->Step();
  EXPECT_TRUE(weak.expired());
  EXPECT_EQ(StateOf("m"), VersionState::kStart);  // back at zero, loadable again
  EXPECT_EQ(manager_->LoadedMemoryBytes(), 0);
  EXPECT_EQ(manager_->ModelNames(), std::vector<std::string>{"m"});

  auto again =
      std::async(std::launch::async, [&] { return manager_->GetHandle("m", std::nullopt); });
  auto reloaded = StepUntil(again);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().message();
  EXPECT_FLOAT_EQ(Predict(*reloaded), 2.5f);
}

TEST_F(ScaleTest, RecentRequestsKeepAModelLoaded) {
  Start();
  manager_->SetConfig({OnDemand("m", AddModel("m", kHalfPlusTwo), 60)});
  manager_->Step();
  auto first =
      std::async(std::launch::async, [&] { return manager_->GetHandle("m", std::nullopt); });
  ASSERT_TRUE(StepUntil(first).ok());
  for (int i = 0; i < 3; ++i) {
    Advance(40s);
    ASSERT_TRUE(manager_->GetHandle("m", std::nullopt).ok());  // loaded: no wait, no Step
    manager_->Step();
    EXPECT_EQ(StateOf("m"), VersionState::kAvailable);
  }
}

TEST_F(ScaleTest, ConcurrentFirstRequestsShareOneLoad) {
  Start();
  manager_->SetConfig({OnDemand("m", AddModel("m", kHalfPlusTwo))});
  manager_->Step();
  std::vector<std::future<StatusOr<ServableHandle>>> requests;
  for (int i = 0; i < 8; ++i) {
    requests.push_back(
        std::async(std::launch::async, [&] { return manager_->GetHandle("m", std::nullopt); }));
  }
  std::set<const ServableVersion*> versions;
  for (auto& r : requests) {
    auto handle = StepUntil(r);
    ASSERT_TRUE(handle.ok()) << handle.status().message();
    versions.insert(handle->get());
  }
  EXPECT_EQ(versions.size(), 1u);  // one load, every request got the same version
}

TEST_F(ScaleTest, FailedLoadAnswersWaitersClearlyAndOtherModelsServe) {
  Start();
  const std::string broken = AddModel("broken", kHalfPlusTwo);
  fs::remove(broken + "/1/variables/variables.data-00000-of-00001");
  manager_->SetConfig(
      {OnDemand("broken", broken), OnDemand("good", AddModel("good", kHalfPlusThree))});
  manager_->Step();
  auto bad =
      std::async(std::launch::async, [&] { return manager_->GetHandle("broken", std::nullopt); });
  auto result = StepUntil(bad);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("model 'broken'"), std::string::npos)
      << result.status().message();
  EXPECT_NE(result.status().message().find("variables.data-00000-of-00001"), std::string::npos)
      << result.status().message();
  auto good =
      std::async(std::launch::async, [&] { return manager_->GetHandle("good", std::nullopt); });
  auto handle = StepUntil(good);
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  EXPECT_FLOAT_EQ(Predict(*handle), 3.5f);
}

TEST_F(ScaleTest, WaiterGivesUpAtItsBoundWhenNothingLoadsIt) {
  Start(/*budget_bytes=*/0, /*wait_ms=*/50);
  manager_->SetConfig({OnDemand("m", AddModel("m", kHalfPlusTwo))});
  manager_->Step();
  // Nobody steps the loader: the request waits 50 ms, then fails naming the model and bound.
  auto result = manager_->GetHandle("m", std::nullopt);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("model_load_wait_timeout_ms"), std::string::npos)
      << result.status().message();
  // The request's own deadline wins when it is sooner.
  auto early = manager_->GetHandle("m", std::nullopt, std::chrono::steady_clock::now() + 1ms);
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.status().message().find("deadline"), std::string::npos);
  // The demand stays: the next pass loads it.
  manager_->Step();
  EXPECT_EQ(StateOf("m"), VersionState::kAvailable);
}

TEST_F(ScaleTest, MemoryBudgetUnloadsLeastRecentlyUsedIdleModel) {
  const std::string a = AddModel("a", kHalfPlusTwo);
  const std::string b = AddModel("b", kHalfPlusTwo);
  const std::string c = AddModel("c", kHalfPlusThree);
  // Room for two of these small models, not three.
  Start();
  manager_->SetConfig({OnDemand("a", a)});
  manager_->Step();
  auto probe =
      std::async(std::launch::async, [&] { return manager_->GetHandle("a", std::nullopt); });
  ASSERT_TRUE(StepUntil(probe).ok());
  const int64_t one = manager_->LoadedMemoryBytes();
  ASSERT_GT(one, 0);

  Start(/*budget_bytes=*/2 * one + one / 2);
  manager_->SetConfig({OnDemand("a", a), OnDemand("b", b), OnDemand("c", c)});
  manager_->Step();
  auto load = [&](const std::string& model) {
    auto f = std::async(std::launch::async,
                        [&, model] { return manager_->GetHandle(model, std::nullopt); });
    return StepUntil(f);
  };
  ASSERT_TRUE(load("a").ok());
  Advance(1s);
  auto held_b = load("b");  // b stays in flight
  ASSERT_TRUE(held_b.ok());
  Advance(1s);
  ASSERT_TRUE(load("a").ok());  // a is now the most recently used, but idle
  Advance(1s);
  // c needs room: b is least recently used but in flight, so a goes.
  auto handle_c = load("c");
  ASSERT_TRUE(handle_c.ok()) << handle_c.status().message();
  EXPECT_FLOAT_EQ(Predict(*handle_c), 3.5f);
  EXPECT_EQ(StateOf("a"), VersionState::kStart);
  EXPECT_EQ(StateOf("b"), VersionState::kAvailable);
  EXPECT_LE(manager_->LoadedMemoryBytes(), 2 * one + one / 2);

  // Nothing idle is left to unload (b and c held): a cannot load and says why.
  auto refused = load("a");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("--model_memory_budget_mb"), std::string::npos)
      << refused.status().message();
  EXPECT_FLOAT_EQ(Predict(*held_b), 2.5f);  // the in-flight model kept serving
}

// Loads and requests share one account: a load that would pass the process tensor budget
// (--memory_limit_mb) first scales idle on-demand models to zero, as the model budget does.
TEST_F(ScaleTest, ProcessBudgetUnloadsIdleModelToMakeRoom) {
  const std::string a = AddModel("a", kHalfPlusTwo);
  const std::string b = AddModel("b", kHalfPlusThree);
  Start();
  manager_->SetConfig({OnDemand("a", a), OnDemand("b", b)});
  manager_->Step();
  auto load = [&](const std::string& model) {
    auto f = std::async(std::launch::async,
                        [&, model] { return manager_->GetHandle(model, std::nullopt); });
    return StepUntil(f);
  };
  const int64_t before = TensorMemory::InUseBytes();
  int64_t held_by_a = 0;
  {
    auto handle_a = load("a");
    ASSERT_TRUE(handle_a.ok());
    // What a loaded version holds is measured, and it is what the process account holds for it.
    held_by_a = (*handle_a)->memory->in_use_bytes();
    EXPECT_GT(held_by_a, 0);
    EXPECT_EQ(TensorMemory::InUseBytes() - before, held_by_a);
    EXPECT_EQ(manager_->LoadedMemoryBytes("a"),
              std::max(held_by_a, EstimateVersionBytes(a + "/1")));
  }

  // Room for b only once a is gone.
  const int64_t b_estimate = EstimateVersionBytes(b + "/1");
  const int64_t previous_limit = TensorMemory::ProcessLimitBytes();
  TensorMemory::SetProcessLimitBytes(TensorMemory::InUseBytes() - held_by_a + b_estimate);
  Advance(1s);
  auto handle_b = load("b");
  TensorMemory::SetProcessLimitBytes(previous_limit);
  ASSERT_TRUE(handle_b.ok()) << handle_b.status().message();
  EXPECT_FLOAT_EQ(Predict(*handle_b), 3.5f);
  EXPECT_EQ(StateOf("a"), VersionState::kStart);
  EXPECT_EQ(manager_->LoadedMemoryBytes("a"), 0);

  // With b held and no room at all, a is refused naming the process budget.
  TensorMemory::SetProcessLimitBytes(TensorMemory::InUseBytes() + 1);
  Advance(1s);
  auto refused = load("a");
  TensorMemory::SetProcessLimitBytes(previous_limit);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("--memory_limit_mb"), std::string::npos)
      << refused.status().message();
  EXPECT_FLOAT_EQ(Predict(*handle_b), 3.5f);  // the held model kept serving
}

TEST_F(ScaleTest, MaxInstancesBoundsParallelRunsAndQueuesTheRest) {
  auto pool = InstancePool::Create({"m", nullptr});
  pool->SetLimits(/*min_instances=*/1, /*max_instances=*/2);
  pool->SetLoaded(true);
  EXPECT_EQ(pool->instances(), 1);
  const auto far = std::chrono::steady_clock::now() + 10s;
  auto first = pool->Acquire(far);
  auto second = pool->Acquire(far);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(pool->instances(), 2);  // a lane was added as requests came in
  // A third waits in line; it gets a lane when one frees.
  auto third = std::async(std::launch::async, [&] { return pool->Acquire(far); });
  while (pool->queued() == 0) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(third.wait_for(20ms), std::future_status::timeout);
  first = Status(NotFound("released"));
  auto got = third.get();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(pool->busy(), 2);
  // Past its deadline a queued request fails clearly instead.
  auto late = pool->Acquire(std::chrono::steady_clock::now() + 10ms);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(late.status().message().find("max_instances"), std::string::npos);
  // Lanes are removed as the queue drains, down to the floor; none at zero.
  second = Status(NotFound("released"));
  got = Status(NotFound("released"));
  EXPECT_EQ(pool->instances(), 1);
  pool->SetLoaded(false);
  EXPECT_EQ(pool->instances(), 0);
}

}  // namespace
}  // namespace tern
