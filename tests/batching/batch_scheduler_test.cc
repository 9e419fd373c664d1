#include "batching/batch_scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace tern {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A task that records how it ended.
struct RecordingTask : BatchTask {
  RecordingTask(int id, int64_t n, std::vector<Status>* failures) : id(id), failures(failures) {
    rows = n;
  }
  void Fail(const Status& status) override { failures->push_back(status); }
  int id;
  std::vector<Status>* failures;
};

class BatchSchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BatchScheduler::Options options;
    options.stepping = Stepping::kManual;
    options.now = [this] { return start_ + std::chrono::microseconds(now_us_.load()); };
    scheduler_ = BatchScheduler::Create(options);
  }

  BatchQueueOptions Queue(int64_t max_batch, int64_t max_batches, int64_t timeout_us) {
    BatchQueueOptions q;
    q.max_batch_size = max_batch;
    q.max_enqueued_batches = max_batches;
    q.batch_timeout_micros = timeout_us;
    q.process = [this](BatchTasks tasks) {
      std::vector<int> ids;
      for (auto& t : tasks) ids.push_back(static_cast<RecordingTask*>(t.get())->id);
      batches_.push_back(ids);
      now_us_ += compute_us_;  // the batch "takes" this long
    };
    return q;
  }

  Status Add(const std::string& queue, const BatchQueueOptions& q, int id, int64_t rows,
             BatchClock::time_point deadline = BatchClock::time_point::max()) {
    BatchTasks tasks;
    tasks.push_back(std::make_unique<RecordingTask>(id, rows, &failures_));
    tasks.back()->deadline = deadline;
    return scheduler_->Schedule(queue, q, std::move(tasks));
  }

  const BatchClock::time_point start_ = BatchClock::now();
  std::atomic<int64_t> now_us_{0};
  int64_t compute_us_ = 0;
  std::vector<std::vector<int>> batches_;
  std::vector<Status> failures_;
  std::unique_ptr<BatchScheduler> scheduler_;
};

TEST_F(BatchSchedulerTest, FullBatchRunsAtOnceAndPartialWaitsForTimeout) {
  auto q = Queue(/*max_batch=*/4, /*max_batches=*/10, /*timeout_us=*/1000);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Add("m", q, i, 1).ok());
  EXPECT_EQ(scheduler_->ProcessReadyBatches(), 1);  // only the full one
  EXPECT_THAT(batches_, ElementsAre(ElementsAre(0, 1, 2, 3)));
  now_us_ = 999;
  EXPECT_EQ(scheduler_->ProcessReadyBatches(), 0);
  now_us_ = 1000;
  EXPECT_EQ(scheduler_->ProcessReadyBatches(), 1);
  EXPECT_THAT(batches_[1], ElementsAre(4));
}

TEST_F(BatchSchedulerTest, TaskThatDoesNotFitStartsANewBatch) {
  auto q = Queue(4, 10, 0);
  ASSERT_TRUE(Add("m", q, 0, 3).ok());
  ASSERT_TRUE(Add("m", q, 1, 2).ok());
  ASSERT_TRUE(Add("m", q, 2, 2).ok());
  EXPECT_EQ(scheduler_->ProcessReadyBatches(), 2);
  EXPECT_THAT(batches_, ElementsAre(ElementsAre(0), ElementsAre(1, 2)));
}

TEST_F(BatchSchedulerTest, FullQueueRefusesAtOnceAndChangesNothing) {
  auto q = Queue(2, /*max_batches=*/2, 1000);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Add("m", q, i, 1).ok());
  Status refused = Add("m", q, 99, 1);
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.message(), HasSubstr("'m' is full"));
  // All or nothing: two tasks that need a third batch are refused together.
  BatchTasks two;
  two.push_back(std::make_unique<RecordingTask>(100, 1, &failures_));
  two.push_back(std::make_unique<RecordingTask>(101, 1, &failures_));
  EXPECT_EQ(scheduler_->Schedule("m", q, std::move(two)).code(), StatusCode::kUnavailable);
  EXPECT_EQ(scheduler_->QueuedTasks("m"), 4);
  EXPECT_EQ(scheduler_->ProcessReadyBatches(), 2);
  EXPECT_THAT(batches_, ElementsAre(ElementsAre(0, 1), ElementsAre(2, 3)));
  EXPECT_TRUE(Add("m", q, 5, 1).ok());  // room again
}

TEST_F(BatchSchedulerTest, ExpiredTaskIsFailedAndNotRun) {
  auto q = Queue(4, 10, 1000);
  ASSERT_TRUE(Add("m", q, 0, 1, start_ + std::chrono::microseconds(500)).ok());
  ASSERT_TRUE(Add("m", q, 1, 1).ok());
  now_us_ = 1000;
  EXPECT_EQ(scheduler_->ProcessReadyBatches(), 1);
  EXPECT_THAT(batches_, ElementsAre(ElementsAre(1)));
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(failures_[0].message(), HasSubstr("not run"));
}

TEST_F(BatchSchedulerTest, ExpiredTaskIsAnsweredBeforeItsBatchIsReady) {
  auto q = Queue(4, 10, /*timeout_us=*/60000000);
  ASSERT_TRUE(Add("m", q, 0, 1, start_ + std::chrono::microseconds(500)).ok());
  ASSERT_TRUE(Add("m", q, 1, 1).ok());
  now_us_ = 1000;
  EXPECT_EQ(scheduler_->ProcessReadyBatches(), 0);  // the batch still waits for its timeout...
  ASSERT_EQ(failures_.size(), 1u);                  // ...but task 0 is answered now
  EXPECT_EQ(failures_[0].code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(scheduler_->QueuedTasks("m"), 1);
  now_us_ = 60000000;
  EXPECT_EQ(scheduler_->ProcessReadyBatches(), 1);
  EXPECT_THAT(batches_, ElementsAre(ElementsAre(1)));
}

TEST_F(BatchSchedulerTest, OversizedTaskIsRejected) {
  auto q = Queue(4, 10, 0);
  Status s = Add("m", q, 0, 5);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST_F(BatchSchedulerTest, QueuesAreServedRoundRobin) {
  auto q = Queue(1, 10, 0);
  ASSERT_TRUE(Add("a", q, 1, 1).ok());
  ASSERT_TRUE(Add("a", q, 2, 1).ok());
  ASSERT_TRUE(Add("b", q, 3, 1).ok());
  ASSERT_TRUE(Add("b", q, 4, 1).ok());
  EXPECT_EQ(scheduler_->ProcessReadyBatches(), 4);
  EXPECT_THAT(batches_,
              ElementsAre(ElementsAre(1), ElementsAre(3), ElementsAre(2), ElementsAre(4)));
}

TEST_F(BatchSchedulerTest, AutomaticTimeoutStartsWithoutWaiting) {
  auto q = Queue(8, 10, /*timeout_us=*/0);
  q.target_latency_micros = 10000;
  ASSERT_TRUE(Add("m", q, 0, 1).ok());
  EXPECT_EQ(scheduler_->EffectiveTimeoutMicros("m"), 0);
  EXPECT_EQ(scheduler_->ProcessReadyBatches(), 1) << "a lone request does not wait";
}

TEST_F(BatchSchedulerTest, AutomaticTimeoutCeilingShrinksWithComputeTime) {
  auto q = Queue(8, 10, /*timeout_us=*/0);
  q.target_latency_micros = 10000;
  compute_us_ = 6000;  // 2 x compute exceeds the budget: never wait
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(Add("m", q, i, 4).ok());
    ASSERT_TRUE(Add("m", q, 100 + i, 4).ok());
    now_us_ += scheduler_->EffectiveTimeoutMicros("m");
    scheduler_->ProcessReadyBatches();
  }
  EXPECT_EQ(scheduler_->EffectiveTimeoutMicros("m"), 0);
}

// A simulated server: one compute thread (ProcessReadyBatches on the test's thread) on simulated
// time, where a batch of n rows costs fixed_us + per_row_us x n. Clients are closed loop (each
// sends again think_us after its answer) or open loop (a request every interval_us).
// Deterministic: the same run gives the same figures.
class SimulatedServer {
 public:
  struct Traffic {
    int closed_loop_clients = 0;  // > 0: closed loop
    int64_t think_us = 300;       // closed loop: from an answer to the next request
    int64_t interval_us = 0;      // > 0: open loop, one request every interval_us
  };
  struct Result {
    int64_t rows = 0;
    int64_t batches = 0;
    int64_t max_latency_us = 0;
    int64_t max_timeout_us = 0;  // the largest timeout the queue used
    double RowsPerBatch() const { return batches ? static_cast<double>(rows) / batches : 0; }
  };

  static Result Run(int64_t timeout_us, int64_t target_us, Traffic traffic, int64_t seconds = 10) {
    SimulatedServer sim;
    return sim.Drive(timeout_us, target_us, traffic, seconds);
  }

 private:
  struct Request : BatchTask {
    Request(int client, int64_t sent) : client(client), sent(sent) { rows = 1; }
    void Fail(const Status&) override { ADD_FAILURE() << "a simulated request failed"; }
    int client;
    int64_t sent;
  };

  Result Drive(int64_t timeout_us, int64_t target_us, Traffic traffic, int64_t seconds) {
    BatchScheduler::Options options;
    options.stepping = Stepping::kManual;
    const auto epoch = BatchClock::time_point();
    options.now = [&] { return epoch + std::chrono::microseconds(now_); };
    auto scheduler = BatchScheduler::Create(options);
    BatchQueueOptions q;
    q.max_batch_size = 64;
    q.max_enqueued_batches = 100000;
    q.batch_timeout_micros = timeout_us;
    q.target_latency_micros = target_us;
    Result result;
    q.process = [&](BatchTasks tasks) {
      now_ += kFixedUs + kPerRowUs * static_cast<int64_t>(tasks.size());
      ++result.batches;
      for (auto& t : tasks) {
        auto& r = static_cast<Request&>(*t);
        ++result.rows;
        result.max_latency_us = std::max(result.max_latency_us, now_ - r.sent);
        if (traffic.closed_loop_clients > 0) sends_.emplace(now_ + Think(traffic), r.client);
      }
    };
    for (int c = 0; c < traffic.closed_loop_clients; ++c) sends_.emplace(c * 10, c);
    int64_t next_open_loop = 0;
    const int64_t end = seconds * 1000000;
    while (now_ < end) {
      if (traffic.interval_us > 0) {
        for (; next_open_loop <= now_; next_open_loop += traffic.interval_us) {
          sends_.emplace(next_open_loop, -1);
        }
      }
      while (!sends_.empty() && sends_.begin()->first <= now_) {
        auto [sent, client] = *sends_.begin();
        sends_.erase(sends_.begin());
        BatchTasks tasks;
        tasks.push_back(std::make_unique<Request>(client, sent));
        EXPECT_TRUE(scheduler->Schedule("m", q, std::move(tasks)).ok());
      }
      result.max_timeout_us =
          std::max(result.max_timeout_us, scheduler->EffectiveTimeoutMicros("m"));
      if (scheduler->ProcessReadyBatches() == 0) now_ += kStepUs;
    }
    return result;
  }

  // think_us give or take a quarter, from a fixed pseudo-random sequence: real clients drift
  // apart (in lockstep, one probe that merges two groups of clients into one batch would keep
  // them merged forever, which no real load does).
  int64_t Think(const Traffic& traffic) {
    jitter_state_ = jitter_state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    const int64_t spread = traffic.think_us / 2 + 1;
    return traffic.think_us - spread / 2 + static_cast<int64_t>((jitter_state_ >> 33) % spread);
  }

  static constexpr int64_t kFixedUs = 100;
  static constexpr int64_t kPerRowUs = 10;
  static constexpr int64_t kStepUs = 10;
  int64_t now_ = 0;
  uint64_t jitter_state_ = 1;
  std::multimap<int64_t, int> sends_;  // when -> client (-1: open loop)
};

// The case: closed-loop clients, where every wait is lost time. The automatic timeout
// must do as well as not waiting at all (within the cost of its rare probes), while a fixed
// 2 ms timeout loses most of the throughput.
TEST(AutomaticTimeoutSimulationTest, ClosedLoopDoesAsWellAsNoWait) {
  for (int clients : {1, 8, 32}) {
    SimulatedServer::Traffic traffic;
    traffic.closed_loop_clients = clients;
    const auto no_wait = SimulatedServer::Run(/*timeout_us=*/0, /*target_us=*/0, traffic);
    const auto fixed = SimulatedServer::Run(2000, 0, traffic);
    const auto automatic = SimulatedServer::Run(0, /*target_us=*/5000, traffic);
    EXPECT_GE(automatic.rows, no_wait.rows * 97 / 100) << clients << " clients";
    EXPECT_LT(fixed.rows, no_wait.rows * 80 / 100) << clients
                                                   << " clients: the simulation "
                                                      "must be able to tell a wait's cost";
  }
}

// Open loop at a high rate: a wait gathers rows at no cost in throughput, so the automatic
// timeout keeps one, cuts the batches (and so the compute per request), and stays in budget.
TEST(AutomaticTimeoutSimulationTest, OpenLoopKeepsAWaitWithinTheBudget) {
  SimulatedServer::Traffic traffic;
  traffic.interval_us = 100;
  const auto no_wait = SimulatedServer::Run(0, 0, traffic);
  const auto automatic = SimulatedServer::Run(0, /*target_us=*/5000, traffic);
  EXPECT_GE(automatic.rows, no_wait.rows * 99 / 100);
  EXPECT_GT(automatic.RowsPerBatch(), 2 * no_wait.RowsPerBatch());
  EXPECT_GT(automatic.max_timeout_us, 0);
  EXPECT_LE(automatic.max_latency_us, 5000 + 1000) << "the budget, plus one simulation step";
}

TEST(AutomaticTimeoutSimulationTest, IsCappedByTheFixedTimeout) {
  SimulatedServer::Traffic traffic;
  traffic.interval_us = 100;
  const auto automatic = SimulatedServer::Run(/*timeout_us=*/1000, /*target_us=*/50000, traffic);
  EXPECT_EQ(automatic.max_timeout_us, 1000);
}

TEST(BatchSchedulerThreadsTest, BackgroundThreadsAnswerEveryTask) {
  BatchScheduler::Options options;
  options.num_batch_threads = 2;
  auto scheduler = BatchScheduler::Create(options);
  std::atomic<int64_t> rows_run{0};
  std::atomic<int> batches{0};
  BatchQueueOptions q;
  q.max_batch_size = 16;
  q.max_enqueued_batches = 1000;
  q.batch_timeout_micros = 200;
  q.process = [&](BatchTasks tasks) {
    ++batches;
    for (auto& t : tasks) rows_run += t->rows;
  };
  std::vector<Status> failures;
  for (int i = 0; i < 500; ++i) {
    BatchTasks tasks;
    tasks.push_back(std::make_unique<RecordingTask>(i, 1 + i % 3, &failures));
    ASSERT_TRUE(scheduler->Schedule("m", q, std::move(tasks)).ok());
  }
  scheduler.reset();  // drains
  int64_t expected = 0;
  for (int i = 0; i < 500; ++i) expected += 1 + i % 3;
  EXPECT_EQ(rows_run.load(), expected);
  EXPECT_TRUE(failures.empty());
}

TEST(BatchSchedulerThreadsTest, WithAComputePoolBatchesRunOnItsThreads) {
  auto pool = ComputePool::Create({/*num_threads=*/1});
  std::promise<std::thread::id> pool_thread;
  pool->Schedule([&] { pool_thread.set_value(std::this_thread::get_id()); });
  const std::thread::id pool_id = pool_thread.get_future().get();

  BatchScheduler::Options options;
  options.num_batch_threads = 2;
  options.compute_pool = pool.get();
  auto scheduler = BatchScheduler::Create(options);
  std::mutex mu;
  std::set<std::thread::id> ran_on;
  int64_t rows_run = 0;
  BatchQueueOptions q;
  q.max_batch_size = 8;
  q.max_enqueued_batches = 1000;
  q.batch_timeout_micros = 100;
  q.process = [&](BatchTasks tasks) {
    std::lock_guard<std::mutex> lock(mu);
    ran_on.insert(std::this_thread::get_id());
    for (auto& t : tasks) rows_run += t->rows;
  };
  std::vector<Status> failures;
  for (int i = 0; i < 200; ++i) {
    BatchTasks tasks;
    tasks.push_back(std::make_unique<RecordingTask>(i, 1 + i % 2, &failures));
    ASSERT_TRUE(scheduler->Schedule("m", q, std::move(tasks)).ok());
  }
  scheduler.reset();  // answers everything queued; batches taken by the threads ran on the pool
  int64_t expected = 0;
  for (int i = 0; i < 200; ++i) expected += 1 + i % 2;
  EXPECT_EQ(rows_run, expected);
  EXPECT_TRUE(failures.empty());
  // The destructor answers leftovers on the destroying thread; every other batch ran on the pool.
  ran_on.erase(std::this_thread::get_id());
  EXPECT_THAT(ran_on, ::testing::ElementsAre(pool_id));
}

// An open batch queued behind a full one still runs at its timeout when the full one became
// ready while every runner was busy. The timer then left the full batch to the runners, and
// the runner that took it found the open one not ready yet: the timer must still be waiting
// for the open one's timeout (it once looked at the front batch of each queue only, and slept
// for good: a request lost about once in 50 runs of the signature batcher's concurrency test).
TEST(BatchSchedulerThreadsTest, AnOpenBatchBehindAFullOneRunsAtItsTimeoutAfterBusyRunners) {
  BatchScheduler::Options options;
  options.num_batch_threads = 1;
  auto scheduler = BatchScheduler::Create(options);
  std::promise<void> blocker_started, release_blocker, open_batch_ran;
  std::shared_future<void> release = release_blocker.get_future().share();
  std::mutex mu;
  std::vector<std::vector<int>> batches;
  BatchQueueOptions q;
  q.max_batch_size = 2;
  q.max_enqueued_batches = 10;
  q.batch_timeout_micros = 50 * 1000;
  q.process = [&](BatchTasks tasks) {
    std::vector<int> ids;
    for (auto& t : tasks) ids.push_back(static_cast<RecordingTask*>(t.get())->id);
    {
      std::lock_guard<std::mutex> lock(mu);
      batches.push_back(ids);
    }
    if (ids == std::vector<int>{0}) {
      blocker_started.set_value();
      release.wait();
    }
    if (ids == std::vector<int>{2}) open_batch_ran.set_value();
  };
  std::vector<Status> failures;
  auto add = [&](int id, int64_t rows) {
    BatchTasks tasks;
    tasks.push_back(std::make_unique<RecordingTask>(id, rows, &failures));
    ASSERT_TRUE(scheduler->Schedule("m", q, std::move(tasks)).ok());
  };
  add(0, 2);  // full: the only runner takes it and blocks
  blocker_started.get_future().wait();
  add(1, 2);  // full, ready at once, but no runner is free
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  add(2, 1);  // open behind it: ready 20 ms after the full one's timeout
  // Past the full batch's timeout, before the open one's: the timer has seen the full batch
  // ready with the runner busy.
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  release_blocker.set_value();
  ASSERT_EQ(open_batch_ran.get_future().wait_for(std::chrono::seconds(10)),
            std::future_status::ready)
      << "the open batch never ran";
  scheduler.reset();
  EXPECT_THAT(batches, ElementsAre(ElementsAre(0), ElementsAre(1), ElementsAre(2)));
  EXPECT_TRUE(failures.empty());
}

// A deadline is honoured at the deadline, not when the batch is released: the batch here waits
// a minute for company, the request only 20 ms.
TEST(BatchSchedulerThreadsTest, RequestIsAnsweredAtItsDeadlineNotAtBatchRelease) {
  BatchScheduler::Options options;
  auto scheduler = BatchScheduler::Create(options);
  std::atomic<int> ran{0};
  BatchQueueOptions q;
  q.max_batch_size = 8;
  q.max_enqueued_batches = 10;
  q.batch_timeout_micros = 60 * 1000 * 1000;
  q.process = [&](BatchTasks) { ++ran; };
  struct PromiseTask : BatchTask {
    std::promise<Status> answered;
    void Fail(const Status& status) override { answered.set_value(status); }
  };
  auto task = std::make_unique<PromiseTask>();
  task->rows = 1;
  task->deadline = BatchClock::now() + std::chrono::milliseconds(20);
  auto answer = task->answered.get_future();
  BatchTasks tasks;
  tasks.push_back(std::move(task));
  ASSERT_TRUE(scheduler->Schedule("m", q, std::move(tasks)).ok());
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(answer.get().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(scheduler->QueuedTasks("m"), 0);
  scheduler.reset();
  EXPECT_EQ(ran.load(), 0);
}

}  // namespace
}  // namespace tern

namespace tern {
namespace {

// Closed-loop clients (each sends its next request when the last is answered), with no timeout,
// a fixed one and the automatic one (which moves while batches wait): no batch may be left
// behind by the runners or the timer.
class ClosedLoopTest : public ::testing::TestWithParam<std::pair<int64_t, int64_t>> {};

TEST_P(ClosedLoopTest, EveryRequestIsAnswered) {
  BatchScheduler::Options options;
  options.num_batch_threads = 2;
  auto scheduler = BatchScheduler::Create(options);
  struct AnswerTask : BatchTask {
    std::promise<void> answered;
    void Fail(const Status&) override { answered.set_value(); }
  };
  BatchQueueOptions q;
  q.max_batch_size = 64;
  q.max_enqueued_batches = 1000;
  q.batch_timeout_micros = GetParam().first;
  q.target_latency_micros = GetParam().second;
  q.process = [](BatchTasks tasks) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    for (auto& t : tasks) static_cast<AnswerTask*>(t.get())->answered.set_value();
  };
  constexpr int kClients = 8;
  constexpr int kRequestsEach = 150;
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < kRequestsEach; ++i) {
        auto task = std::make_unique<AnswerTask>();
        task->rows = 1;
        auto done = task->answered.get_future();
        BatchTasks tasks;
        tasks.push_back(std::move(task));
        ASSERT_TRUE(scheduler->Schedule("m", q, std::move(tasks)).ok());
        // Bounded, so a batch left behind fails the test instead of hanging it.
        ASSERT_EQ(done.wait_for(std::chrono::seconds(20)), std::future_status::ready)
            << "request " << i << " was never answered";
        ++answered;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(answered.load(), kClients * kRequestsEach);
}

// (batch_timeout_micros, target_latency_micros)
INSTANTIATE_TEST_SUITE_P(Timeouts, ClosedLoopTest,
                         ::testing::Values(std::make_pair(0, 0), std::make_pair(300, 0),
                                           std::make_pair(0, 5000)));

}  // namespace
}  // namespace tern
