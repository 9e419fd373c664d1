#include "server/core/admission_control.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace tern {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
constexpr auto kNoDeadline = Clock::time_point::max();

TEST(AdmissionControlTest, RefusesPastTheInFlightLimitUntilATicketIsReleased) {
  auto metrics = Metrics::Create({});
  AdmissionControl admission({.max_in_flight = 2, .metrics = metrics.get()});
  auto first = admission.Admit("m", false, kNoDeadline);
  auto second = admission.Admit("m", false, kNoDeadline);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(admission.in_flight(), 2);
  auto third = admission.Admit("m", false, kNoDeadline);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(third.status().message().find("--max_inflight_requests"), std::string::npos)
      << third.status().message();
  EXPECT_NE(third.status().message().find("model m"), std::string::npos);
  EXPECT_EQ(admission.in_flight(), 2);  // a refusal holds no place
  first->reset();
  EXPECT_EQ(admission.in_flight(), 1);
  EXPECT_TRUE(admission.Admit("m", false, kNoDeadline).ok());
  EXPECT_NE(metrics->Render().find(
                "tern_requests_refused_total{model=\"m\",reason=\"in_flight_limit\"} 1"),
            std::string::npos)
      << metrics->Render();
}

// A pool with one thread held by a gate and `queued` items of ~`run_time` behind it.
struct BusyPool {
  BusyPool(int queued, milliseconds run_time) : pool(ComputePool::Create({.num_threads = 1})) {
    // Teach the pool its run time (one item more: the last may still be being counted).
    for (int i = 0; i < ComputePool::kMinRunTimes + 1; ++i) {
      std::promise<void> ran;
      pool->Schedule([&] {
        std::this_thread::sleep_for(run_time);
        ran.set_value();
      });
      ran.get_future().wait();
    }
    auto gate = release.get_future().share();
    pool->Schedule([gate] { gate.wait(); });
    while (pool->queued() != 0) std::this_thread::yield();
    for (int i = 0; i < queued; ++i) pool->Schedule([] {});
  }
  ~BusyPool() { release.set_value(); }
  std::unique_ptr<ComputePool> pool;
  std::promise<void> release;
};

TEST(AdmissionControlTest, RefusesUnbatchedRequestsWhenTheQueueWaitIsTooLong) {
  BusyPool busy(20, milliseconds(10));  // about 200 ms of queue
  AdmissionControl admission({.max_queue_wait = milliseconds(50), .pool = busy.pool.get()});
  auto refused = admission.Admit("m", true, kNoDeadline);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("--max_queue_wait_ms"), std::string::npos)
      << refused.status().message();
  // A batched request does not join the pool's queue, so only the in-flight limit applies.
  EXPECT_TRUE(admission.Admit("m", false, kNoDeadline).ok());
  // Under a generous limit, it is taken.
  AdmissionControl patient({.max_queue_wait = milliseconds(10000), .pool = busy.pool.get()});
  EXPECT_TRUE(patient.Admit("m", true, kNoDeadline).ok());
}

TEST(AdmissionControlTest, RefusesWhenTheQueueWouldOutlastTheDeadline) {
  BusyPool busy(20, milliseconds(10));
  AdmissionControl admission({.pool = busy.pool.get()});  // no wait limit of its own
  auto refused = admission.Admit("m", true, Clock::now() + milliseconds(20));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("deadline"), std::string::npos);
  EXPECT_TRUE(admission.Admit("m", true, Clock::now() + std::chrono::seconds(30)).ok());
  EXPECT_TRUE(admission.Admit("m", true, kNoDeadline).ok());
}

TEST(AdmissionControlTest, AnIdlePoolAdmitsEverything) {
  auto pool = ComputePool::Create({.num_threads = 1});
  AdmissionControl admission({.max_queue_wait = milliseconds(1), .pool = pool.get()});
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(admission.Admit("m", true, kNoDeadline).ok());
}

}  // namespace
}  // namespace tern
