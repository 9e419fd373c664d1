#include "batching/auto_timeout.h"

#include <gtest/gtest.h>

namespace tern {
namespace {

using std::chrono::microseconds;

// Feeds an AutoTimeout batches of a given size at a given spacing, as the scheduler would.
class AutoTimeoutTest : public ::testing::Test {
 protected:
  AutoTimeoutTest() : auto_(Small()) {}

  static AutoTimeout::Options Small() {
    AutoTimeout::Options o;
    o.window_batches = 4;
    o.min_window = microseconds(1000);
    return o;
  }

  // Completes batches of the current window until the window changes.
  void FinishWindow(int64_t rows_per_batch, int64_t micros_per_batch) {
    const uint64_t window = auto_.Window();
    for (int i = 0; i < 100 && auto_.Window() == window; ++i) {
      now_ += microseconds(micros_per_batch);
      auto_.OnBatchDone(window, now_, rows_per_batch, kCeiling);
    }
    ASSERT_NE(auto_.Window(), window) << "the window never finished";
  }

  static constexpr int64_t kCeiling = 4000;
  AutoTimeout auto_;
  AutoTimeout::TimePoint now_{};
};

TEST_F(AutoTimeoutTest, StartsWithoutWaiting) {
  EXPECT_EQ(auto_.TimeoutMicros(kCeiling), 0);
  EXPECT_FALSE(auto_.Probing());
}

TEST_F(AutoTimeoutTest, KeepsAWaitThatGathersRowsAtTheSameThroughput) {
  FinishWindow(/*rows=*/1, /*micros=*/500);  // baseline: 2000 rows/s, 1 row per batch
  ASSERT_TRUE(auto_.Probing());
  EXPECT_EQ(auto_.TimeoutMicros(kCeiling), kCeiling / 8);
  FinishWindow(/*rows=*/4, /*micros=*/2000);  // probe: 2000 rows/s, 4 rows per batch
  EXPECT_FALSE(auto_.Probing());
  EXPECT_EQ(auto_.KeptWaitMicros(), kCeiling / 8);
  EXPECT_EQ(auto_.TimeoutMicros(kCeiling), kCeiling / 8);
  EXPECT_EQ(auto_.CandidateWaitMicros(), kCeiling / 4);
}

TEST_F(AutoTimeoutTest, DropsAWaitThatCostsThroughput) {
  FinishWindow(1, 500);   // baseline
  FinishWindow(4, 2000);  // probe kept
  ASSERT_EQ(auto_.KeptWaitMicros(), kCeiling / 8);
  FinishWindow(1, 500);  // exploit
  // Closed-loop clients: the longer wait gathers rows but each batch now takes longer than the
  // rows it adds; the throughput falls 20% below the baseline measured just before.
  FinishWindow(2, 500);  // baseline: 4000 rows/s
  ASSERT_TRUE(auto_.Probing());
  FinishWindow(4, 1250);  // probe: 3200 rows/s
  EXPECT_EQ(auto_.KeptWaitMicros(), kCeiling / 16) << "halved";
  EXPECT_EQ(auto_.TimeoutMicros(kCeiling), kCeiling / 16);
}

TEST_F(AutoTimeoutTest, AWaitThatGathersNothingIsNotKept) {
  // Light open-loop traffic: same throughput, but every batch still has one row.
  FinishWindow(1, 500);
  FinishWindow(1, 500);
  EXPECT_EQ(auto_.KeptWaitMicros(), 0);
  EXPECT_EQ(auto_.TimeoutMicros(kCeiling), 0);
}

TEST_F(AutoTimeoutTest, ProbesGrowRarerWhileTheyFail) {
  int windows_between_probes = 0;
  std::vector<int> gaps;
  for (int window = 0; window < 200 && gaps.size() < 5; ++window) {
    const bool probing = auto_.Probing();
    if (probing) {
      gaps.push_back(windows_between_probes);
      windows_between_probes = 0;
      FinishWindow(4, 4000);  // loses half the throughput
    } else {
      ++windows_between_probes;
      FinishWindow(2, 1000);
    }
    EXPECT_EQ(auto_.KeptWaitMicros(), 0);
  }
  // Baseline only before the first probe; then 4, 8, 16, 32 exploit windows and a baseline.
  EXPECT_EQ(gaps, (std::vector<int>{1, 5, 9, 17, 33}));
}

TEST_F(AutoTimeoutTest, NoProbeWhenTheBudgetLeavesNoRoom) {
  const uint64_t window = auto_.Window();
  for (int i = 0; i < 10; ++i) {
    now_ += microseconds(500);
    auto_.OnBatchDone(window, now_, 1, /*ceiling_micros=*/0);
  }
  EXPECT_FALSE(auto_.Probing());
  EXPECT_EQ(auto_.TimeoutMicros(0), 0);
}

TEST_F(AutoTimeoutTest, BatchesOfAnEarlierWindowAreNotCounted) {
  const uint64_t old_window = auto_.Window();
  FinishWindow(1, 500);  // baseline done: probing now
  ASSERT_TRUE(auto_.Probing());
  const uint64_t probe = auto_.Window();
  for (int i = 0; i < 50; ++i) {
    now_ += microseconds(10);
    auto_.OnBatchDone(old_window, now_, 64, kCeiling);  // stragglers of the baseline
  }
  EXPECT_EQ(auto_.Window(), probe);
  EXPECT_TRUE(auto_.Probing());
}

TEST_F(AutoTimeoutTest, APauseInTrafficRestartsTheWindow) {
  const uint64_t window = auto_.Window();
  now_ += microseconds(500);
  auto_.OnBatchDone(window, now_, 1, kCeiling);  // start marker
  now_ += std::chrono::seconds(10);              // nobody sends
  for (int i = 0; i < 3; ++i) {
    now_ += microseconds(500);
    auto_.OnBatchDone(window, now_, 1, kCeiling);
  }
  // Without the restart these 4 batches over 10 s would close the window with a tiny rate.
  EXPECT_EQ(auto_.Window(), window);
}

TEST_F(AutoTimeoutTest, TheCeilingCapsTheWait) {
  FinishWindow(1, 500);
  FinishWindow(4, 2000);
  ASSERT_EQ(auto_.KeptWaitMicros(), kCeiling / 8);
  EXPECT_EQ(auto_.TimeoutMicros(/*ceiling_micros=*/100), 100);
}

}  // namespace
}  // namespace tern
