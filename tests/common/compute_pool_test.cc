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

}  // namespace
}  // namespace tern
