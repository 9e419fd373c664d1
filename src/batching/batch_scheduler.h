// BatchScheduler: named queues of tasks, each task some rows of work, grouped into batches of at
// most max_batch_size rows and handed to a per-queue process function on a compute pool
// (round-robin over the queues, at most num_batch_threads batches at once). A batch is run when
// it is full, or when its oldest task has waited the queue's timeout. Waiting tasks hold no
// thread: the caller gets its answer through the task. A full queue refuses new tasks at once
// (UNAVAILABLE); a task whose deadline passes while it waits is answered DEADLINE_EXCEEDED at
// that moment and never run.
// A ready batch goes straight from Schedule (or from the batch that just finished) to the pool;
// one timer thread only wakes for timeouts and deadlines, so a batch costs no thread handoffs
// beyond the pool's own.
// With Stepping::kManual there are no threads; tests call ProcessReadyBatches() and inject the
// clock. Destruction runs every queued batch, then returns. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "batching/auto_timeout.h"
#include "common/compute_pool.h"
#include "common/status.h"

namespace tern {

using BatchClock = std::chrono::steady_clock;

// One caller's share of a batch. Subclasses carry the payload and deliver the answer.
class BatchTask {
 public:
  virtual ~BatchTask() = default;
  // Answers the caller with an error; the task is then dropped without being run.
  virtual void Fail(const Status& status) = 0;

  int64_t rows = 0;
  BatchClock::time_point deadline = BatchClock::time_point::max();
  BatchClock::time_point enqueued;  // set by Schedule
};

using BatchTasks = std::vector<std::unique_ptr<BatchTask>>;

struct BatchQueueOptions {
  int64_t max_batch_size = 1000;
  int64_t max_enqueued_batches = 10;
  int64_t batch_timeout_micros = 0;
  // > 0: the timeout is chosen automatically (AutoTimeout): no wait unless measuring shows that
  // a wait gathers more rows per batch without costing throughput. Its ceiling is what the
  // budget leaves after 2 x the observed compute time of a batch (capped by
  // batch_timeout_micros when that is > 0).
  int64_t target_latency_micros = 0;
  AutoTimeout::Options auto_timeout;  // how the automatic timeout measures (tests shorten it)
  // Runs one batch (on a batch thread) and answers every task in it.
  std::function<void(BatchTasks)> process;
};

enum class Stepping { kBackgroundThreads, kManual };

class BatchScheduler {
 public:
  struct Options {
    // At most this many batches run at once (over all queues).
    int num_batch_threads = 1;
    Stepping stepping = Stepping::kBackgroundThreads;
    std::function<BatchClock::time_point()> now;  // default: steady_clock::now
    // Not owned; must outlive the scheduler. Batches run on this pool (the one the unbatched
    // requests use), so batched and unbatched work share the cores. Null: the scheduler makes
    // its own pool of num_batch_threads threads.
    ComputePool* compute_pool = nullptr;
  };
  static std::unique_ptr<BatchScheduler> Create(Options options);
  ~BatchScheduler();

  // Enqueues all `tasks` into the queue named `queue`, or none of them (UNAVAILABLE naming the
  // queue when it is full). The queue is created on first use with `options`; later calls'
  // options are ignored. Each task must have 1 <= rows <= max_batch_size.
  Status Schedule(const std::string& queue, const BatchQueueOptions& options, BatchTasks tasks);

  // kManual: answers the tasks whose deadline has passed, then runs every batch that is ready
  // now on the calling thread; returns how many batches ran.
  int ProcessReadyBatches();

  // The timeout the queue uses now (its fixed one, or the automatic one), or -1 if no queue.
  int64_t EffectiveTimeoutMicros(const std::string& queue) const;
  // Tasks waiting in the queue (for tests and metrics).
  int64_t QueuedTasks(const std::string& queue) const;

 private:
  struct Batch {
    BatchTasks tasks;
    int64_t rows = 0;
    bool closed = false;            // full: no task joins any more
    BatchClock::time_point opened;  // when its first task arrived
    // opened + the queue's timeout at that moment. Fixed per batch, so a batch once ready stays
    // ready while the automatic timeout moves (the timer leaves ready batches to the runners).
    BatchClock::time_point ready_at;
    uint64_t window = 0;  // the automatic timeout's measuring window it was opened in
  };
  struct Queue {
    BatchQueueOptions options;
    std::deque<Batch> batches;
    double ema_compute_micros = -1;  // of the batches run so far; -1: none yet
    AutoTimeout automatic;           // used when options.target_latency_micros > 0
    int64_t in_flight = 0;
    int64_t queued_tasks = 0;
    int64_t CeilingMicros() const;
    int64_t TimeoutMicros() const;
    // OK if every task has a valid row count and all fit without exceeding
    // max_enqueued_batches; `name` is for the messages.
    Status Admits(const std::string& name, const BatchTasks& tasks) const;
    // Moves the tasks into the open batch or new ones; returns their earliest deadline.
    BatchClock::time_point Append(BatchTasks* tasks, BatchClock::time_point now);
    // When the open batch (only the last can be open) times out, if that is after `now`; max
    // otherwise (no open batch, or it is ready already: timed out or full, for the runners).
    BatchClock::time_point OpenBatchTimesOutAfter(BatchClock::time_point now) const;
  };
  struct Taken {
    std::shared_ptr<Queue> queue;
    Batch batch;
  };

  explicit BatchScheduler(Options options);
  // The queue named `name`, created with `options` (forgetting idle queues beyond a bound).
  Queue& FindOrCreateQueueLocked(const std::string& name, const BatchQueueOptions& options);
  // Moves the timer's wake-up to `wake_at` if that is earlier; true if the timer must be woken.
  bool AdvanceTimerWakeLocked(BatchClock::time_point wake_at);
  // Takes the next ready batch (round-robin), or returns false and the time the next open
  // batch becomes ready. `drain` treats every batch as ready.
  bool TakeReadyBatchLocked(BatchClock::time_point now, bool drain, Taken* taken,
                            BatchClock::time_point* next_ready);
  // Moves the queued tasks whose deadline is <= now into `expired` (to be failed unlocked);
  // returns the earliest deadline still queued.
  BatchClock::time_point ExpireLocked(BatchClock::time_point now, BatchTasks* expired);
  static void FailExpired(BatchTasks expired, BatchClock::time_point now);
  // Background: hands one runner to the pool when a batch is ready and fewer than
  // num_batch_threads run. Called with mu_ held; returns true when the caller must post one.
  bool ClaimRunnerLocked(BatchClock::time_point now);
  void PostRunner();
  // A pool job: runs one ready batch, then passes the turn on (re-posts itself) while batches
  // are ready, so queued unbatched work on the pool is not starved.
  void RunnerStep();
  void Run(Taken taken);
  void TimerLoop();

  Options options_;
  std::unique_ptr<ComputePool> own_pool_;  // when options_.compute_pool was null
  ComputePool* pool_ = nullptr;
  mutable std::mutex mu_;
  std::condition_variable timer_cv_;
  std::condition_variable idle_cv_;  // runners_ reached 0
  std::map<std::string, std::shared_ptr<Queue>> queues_;
  std::string cursor_;  // last queue served
  bool stopping_ = false;
  int runners_ = 0;  // runner jobs posted or running
  BatchClock::time_point timer_wakes_at_ = BatchClock::time_point::max();
  std::thread timer_;
};

}  // namespace tern
