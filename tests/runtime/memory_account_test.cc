#include "runtime/memory_account.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "runtime/memory_wait.h"
#include "runtime/tensor.h"

namespace tern {
namespace {

// The budgets are process-wide: every test puts them back.
class MemoryAccountTest : public ::testing::Test {
 protected:
  void TearDown() override {
    TensorMemory::SetProcessLimitBytes(0);
    TensorMemory::SetRunLimitBytes(0);
    SetTensorMemoryWaitMs(0);
  }
};

TEST_F(MemoryAccountTest, TensorsAreChargedWhileTheyLive) {
  const int64_t before = TensorMemory::InUseBytes();
  {
    auto t = Tensor::Create(tensorflow::DT_FLOAT, TensorShape{1000});
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(TensorMemory::InUseBytes(), before + 4000);
    Tensor copy = *t;  // shares the buffer: no second charge
    EXPECT_EQ(TensorMemory::InUseBytes(), before + 4000);
    Tensor unchecked(tensorflow::DT_INT64, TensorShape{10});
    EXPECT_EQ(TensorMemory::InUseBytes(), before + 4080);
  }
  EXPECT_EQ(TensorMemory::InUseBytes(), before);
}

TEST_F(MemoryAccountTest, ARunsBudgetRefusesWithTheShapeAndTheBudget) {
  auto run = RunMemory::Create(int64_t{1} << 20);
  RunMemoryScope scope(run);
  auto fits = Tensor::Create(tensorflow::DT_FLOAT, TensorShape{128, 1024});  // 512 KiB
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(run->in_use_bytes(), 512 * 1024);
  const int64_t refused_before = TensorMemory::RefusedAllocations();
  auto too_much = Tensor::Create(tensorflow::DT_FLOAT, TensorShape{256, 1024});  // 1 MiB more
  ASSERT_FALSE(too_much.ok());
  EXPECT_EQ(too_much.status().code(), StatusCode::kResourceExhausted);
  const std::string& message = too_much.status().message();
  EXPECT_NE(message.find("float[256,1024] (1048576 bytes)"), std::string::npos) << message;
  EXPECT_NE(message.find("over its budget of 1.0 MiB"), std::string::npos) << message;
  EXPECT_EQ(TensorMemory::RefusedAllocations(), refused_before + 1);
  EXPECT_EQ(run->in_use_bytes(), 512 * 1024);  // the refused one charged nothing
}

TEST_F(MemoryAccountTest, TheProcessBudgetCoversEveryRun) {
  TensorMemory::SetProcessLimitBytes(TensorMemory::InUseBytes() + (int64_t{1} << 20));
  auto a = Tensor::Create(tensorflow::DT_UINT8, TensorShape{700 * 1024});
  ASSERT_TRUE(a.ok());
  auto b = Tensor::Create(tensorflow::DT_UINT8, TensorShape{700 * 1024});
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("--memory_limit_mb"), std::string::npos);
  *a = Tensor();  // freed: room again
  EXPECT_TRUE(Tensor::Create(tensorflow::DT_UINT8, TensorShape{700 * 1024}).ok());
}

TEST_F(MemoryAccountTest, AnAllocationOverTheProcessBudgetWaitsBrieflyForMemory) {
  TensorMemory::SetProcessLimitBytes(TensorMemory::InUseBytes() + (int64_t{1} << 20));
  SetTensorMemoryWaitMs(5000);
  auto held = Tensor::Create(tensorflow::DT_UINT8, TensorShape{700 * 1024});
  ASSERT_TRUE(held.ok());
  // Another request gives its memory back 100 ms from now: the allocation waits for it. It can
  // only succeed once that memory is back, so it must see the release flagged.
  std::atomic<bool> released{false};
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    released = true;
    *held = Tensor();
  });
  auto waited = Tensor::Create(tensorflow::DT_UINT8, TensorShape{700 * 1024});
  const bool after_release = released;
  releaser.join();
  EXPECT_TRUE(waited.ok()) << waited.status().message();
  EXPECT_TRUE(after_release);
}

TEST_F(MemoryAccountTest, AnAllocationThatNoReleaseWouldFitIsRefusedAfterTheWait) {
  TensorMemory::SetProcessLimitBytes(TensorMemory::InUseBytes() + (int64_t{1} << 20));
  SetTensorMemoryWaitMs(100);
  auto held = Tensor::Create(tensorflow::DT_UINT8, TensorShape{700 * 1024});
  ASSERT_TRUE(held.ok());
  auto refused = Tensor::Create(tensorflow::DT_UINT8, TensorShape{700 * 1024});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("after waiting 100 ms for memory (--memory_wait_ms)"),
            std::string::npos)
      << refused.status().message();
  // Bigger than the whole budget: no release could make room, so it is refused without waiting.
  auto too_big = Tensor::Create(tensorflow::DT_UINT8, TensorShape{4 << 20});
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().message().find("after waiting"), std::string::npos)
      << too_big.status().message();
}

TEST_F(MemoryAccountTest, AnImpossibleAllocationIsAnErrorNotACrash) {
  // 160 GB: more than this machine has. The budget the server sets from the machine's memory
  // refuses it before malloc is asked (with overcommit on, malloc might say yes and the memset
  // would then bring in the OOM killer).
  TensorMemory::SetProcessLimitBytes(TensorMemory::DetectAvailableBytes());
  auto huge = Tensor::Create(tensorflow::DT_FLOAT, TensorShape{200000, 200000});
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(huge.status().message().find("float[200000,200000]"), std::string::npos);
}

TEST_F(MemoryAccountTest, NestedScopesKeepTheOuterRunWhenGivenNull) {
  auto outer = RunMemory::Create(0);
  RunMemoryScope scope(outer);
  {
    RunMemoryScope inner(nullptr);
    EXPECT_EQ(RunMemoryScope::Current(), outer);
  }
  EXPECT_EQ(RunMemoryScope::Current(), outer);
}

TEST_F(MemoryAccountTest, DetectsTheMachinesMemory) {
  EXPECT_GT(TensorMemory::DetectAvailableBytes(), int64_t{64} << 20);
}

}  // namespace
}  // namespace tern
