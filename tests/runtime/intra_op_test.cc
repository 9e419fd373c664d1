// IntraOpThreads: an op borrows only cores that no run and no other op holds, never more than
// the limit, and gives them back; denormals are flushed inside a run's scope.
#include "runtime/intra_op.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/flush_denormals.h"

namespace tern {
namespace {

class IntraOpThreadsTest : public ::testing::Test {
 protected:
  void TearDown() override { IntraOpThreads::SetLimit(1); }
};

TEST_F(IntraOpThreadsTest, LimitOfOneKeepsEveryOpOnItsThread) {
  IntraOpThreads::SetLimit(1);
  const IntraOpThreads::RunScope run;
  EXPECT_EQ(IntraOpThreads::AvailableNow(), 1);
  const IntraOpThreads::OpScope op;
  EXPECT_EQ(op.threads(), 1);
}

TEST_F(IntraOpThreadsTest, AnOpBorrowsTheIdleCoresAndGivesThemBack) {
  const int cores = IntraOpThreads::Cores();
  if (cores < 2) GTEST_SKIP() << "borrowing needs a second core; this machine reports one";
  IntraOpThreads::SetLimit(0);  // one per core
  EXPECT_EQ(IntraOpThreads::Limit(), cores);
  const IntraOpThreads::RunScope run;
  {
    EXPECT_EQ(IntraOpThreads::AvailableNow(), cores);
    const IntraOpThreads::OpScope first;
    EXPECT_EQ(first.threads(), cores);  // every other core is idle
    EXPECT_EQ(IntraOpThreads::AvailableNow(), 1);
    const IntraOpThreads::OpScope second;
    EXPECT_EQ(second.threads(), 1);  // nothing left to lend
  }
  const IntraOpThreads::OpScope again;
  EXPECT_EQ(again.threads(), cores);
}

TEST_F(IntraOpThreadsTest, RunsInProgressHoldTheirCores) {
  const int cores = IntraOpThreads::Cores();
  if (cores < 2) GTEST_SKIP() << "borrowing needs a second core; this machine reports one";
  IntraOpThreads::SetLimit(0);
  // Other runs on other threads: simulated by scopes held on this one (a nested scope on the
  // same thread counts nothing, so each is opened as the outermost by a thread of its own).
  std::vector<std::thread> others;
  std::mutex mu;
  std::condition_variable cv;
  int started = 0;
  bool release = false;
  for (int i = 0; i < cores - 1; ++i) {
    others.emplace_back([&] {
      const IntraOpThreads::RunScope run;
      std::unique_lock<std::mutex> lock(mu);
      ++started;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return started == cores - 1; });
  }
  {
    const IntraOpThreads::RunScope run;
    EXPECT_EQ(IntraOpThreads::AvailableNow(), 1);
    const IntraOpThreads::OpScope op;
    EXPECT_EQ(op.threads(), 1);             // every core runs a request
    const IntraOpThreads::RunScope nested;  // a function call inside the run holds nothing more
    const IntraOpThreads::OpScope nested_op;
    EXPECT_EQ(nested_op.threads(), 1);
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  for (auto& t : others) t.join();
  const IntraOpThreads::RunScope run;
  const IntraOpThreads::OpScope op;
  EXPECT_EQ(op.threads(), cores);
}

TEST(FlushDenormalsTest, DenormalResultsAreZeroInScopeAndNotAfter) {
  volatile float tiny = std::numeric_limits<float>::min();  // smallest normal
  {
    const FlushDenormals scope;
    const float half = tiny / 2;  // denormal: flushed
    EXPECT_EQ(half, 0.f);
  }
  const float half = tiny / 2;
  EXPECT_GT(half, 0.f);
}

}  // namespace
}  // namespace tern
