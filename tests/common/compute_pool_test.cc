#include "common/compute_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <set>
#include <thread>

namespace tern {
namespace {

TEST(ComputePoolTest, RunsWorkOnItsOwnThreads) {
  auto pool = ComputePool::Create({.num_threads = 2});
  EXPECT_EQ(pool->num_threads(), 2);
  std::promise<std::thread::id> ran_on;
  pool->Schedule([&] { ran_on.set_value(std::this_thread::get_id()); });
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
}

TEST(ComputePoolTest, DestructionRunsEverythingQueued) {
  std::atomic<int> ran{0};
  {
    auto pool = ComputePool::Create({.num_threads = 1});
    std::promise<void> release;
    auto gate = release.get_future().share();
    pool->Schedule([gate] { gate.wait(); });  // holds the only thread while we queue
    for (int i = 0; i < 100; ++i) pool->Schedule([&] { ++ran; });
    release.set_value();
  }
  EXPECT_EQ(ran.load(), 100);
}

TEST(ComputePoolTest, DefaultsToOneThreadPerCore) {
  auto pool = ComputePool::Create({});
  EXPECT_EQ(pool->num_threads(),
            static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

// Runs `count` items of about `each` one after the other on the pool. The pool records an item's
// run time after the item returns, so the last one may not be counted yet.
void RunItemsOneByOne(ComputePool& pool, int count, std::chrono::milliseconds each) {
  for (int i = 0; i < count; ++i) {
    std::promise<void> ran;
    pool.Schedule([&] {
      std::this_thread::sleep_for(each);
      ran.set_value();
    });
    ran.get_future().wait();
  }
}

// Holds the pool's only thread until the returned promise is set, then queues `count` no-ops.
std::promise<void> HoldThreadAndQueue(ComputePool& pool, int count) {
  std::promise<void> release;
  auto gate = release.get_future().share();
  pool.Schedule([gate] { gate.wait(); });
  while (pool.queued() != 0) std::this_thread::yield();
  for (int i = 0; i < count; ++i) pool.Schedule([] {});
  return release;
}

TEST(ComputePoolTest, EstimatesTheWaitFromQueueLengthAndRunTimes) {
  auto pool = ComputePool::Create({.num_threads = 1});
  EXPECT_EQ(pool->EstimatedWait().count(), 0);
  // Items of ~20 ms teach the pool its run time (one more than it needs: the last may still be
  // being counted).
  RunItemsOneByOne(*pool, ComputePool::kMinRunTimes + 1, std::chrono::milliseconds(20));
  EXPECT_GE(pool->typical_run_time(), std::chrono::milliseconds(15));
  EXPECT_EQ(pool->queued(), 0);
  EXPECT_EQ(pool->EstimatedWait().count(), 0);  // nothing queued: no wait
  std::promise<void> release = HoldThreadAndQueue(*pool, 10);
  EXPECT_EQ(pool->queued(), 10);
  EXPECT_GE(pool->EstimatedWait(), 10 * std::chrono::milliseconds(15));
  release.set_value();
}

TEST(ComputePoolTest, EstimatesTheWaitFromHowLongTheLastItemWaited) {
  // Items that run in no time, but wait 100 ms behind one that holds the only thread: the
  // mean run time alone would say the queue is short.
  auto pool = ComputePool::Create({.num_threads = 1});
  std::promise<void> release_first, release_second;
  auto first = release_first.get_future().share();
  auto second = release_second.get_future().share();
  std::promise<void> second_started;
  pool->Schedule([first] { first.wait(); });
  pool->Schedule([second, &second_started] {
    second_started.set_value();
    second.wait();
  });
  pool->Schedule([] {});
  pool->Schedule([] {});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  release_first.set_value();
  second_started.get_future().wait();  // it waited ~100 ms; two no-ops are queued behind it
  EXPECT_EQ(pool->queued(), 2);
  EXPECT_GE(pool->EstimatedWait(), std::chrono::milliseconds(90));
  release_second.set_value();
}

}  // namespace
}  // namespace tern
