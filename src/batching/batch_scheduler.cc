#include "batching/batch_scheduler.h"

#include <algorithm>
#include <iterator>

#include "common/thread_name.h"

namespace tern {
namespace {

// Beyond this many queues, empty ones are forgotten (queues are keyed by input shapes too, so
// a client sending many shapes must not grow the map without bound).
constexpr size_t kMaxIdleQueues = 256;
// Weight of the newest batch in the running average of compute time.
constexpr double kComputeEmaWeight = 0.2;

}  // namespace

int64_t BatchScheduler::Queue::CeilingMicros() const {
  const int64_t cap = options.batch_timeout_micros > 0 ? options.batch_timeout_micros
                                                       : options.target_latency_micros;
  if (ema_compute_micros < 0) return cap;
  // A request can arrive just as a batch starts: it waits for that batch, its own timeout and
  // its own batch's compute, so the budget is timeout + 2 x compute.
  const double left = static_cast<double>(options.target_latency_micros) - 2 * ema_compute_micros;
  return std::clamp<int64_t>(static_cast<int64_t>(left), 0, cap);
}

int64_t BatchScheduler::Queue::TimeoutMicros() const {
  if (options.target_latency_micros <= 0) return options.batch_timeout_micros;
  return automatic.TimeoutMicros(CeilingMicros());
}

std::unique_ptr<BatchScheduler> BatchScheduler::Create(Options options) {
  if (!options.now) options.now = [] { return BatchClock::now(); };
  options.num_batch_threads = std::max(1, options.num_batch_threads);
  std::unique_ptr<BatchScheduler> scheduler(new BatchScheduler(std::move(options)));
  BatchScheduler& s = *scheduler;
  if (s.options_.stepping == Stepping::kBackgroundThreads) {
    s.pool_ = s.options_.compute_pool;
    if (s.pool_ == nullptr) {
      s.own_pool_ = ComputePool::Create({s.options_.num_batch_threads});
      s.pool_ = s.own_pool_.get();
    }
    s.timer_ = std::thread([&s] {
      SetCurrentThreadName("tern-batch-time");
      s.TimerLoop();
    });
  }
  return scheduler;
}

BatchScheduler::BatchScheduler(Options options) : options_(std::move(options)) {}

BatchScheduler::~BatchScheduler() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_ = true;
    // Runners treat every batch as ready now; wait for them to finish what is queued.
    if (pool_ != nullptr && ClaimRunnerLocked(options_.now())) {
      lock.unlock();
      PostRunner();
      lock.lock();
    }
    idle_cv_.wait(lock, [&] { return runners_ == 0; });
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  // Manual mode (or tasks that raced the stop): answer what is left.
  Taken taken;
  BatchClock::time_point next;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!TakeReadyBatchLocked(options_.now(), /*drain=*/true, &taken, &next)) break;
    }
    Run(std::move(taken));
  }
  own_pool_.reset();
}

Status BatchScheduler::Schedule(const std::string& name, const BatchQueueOptions& options,
                                BatchTasks tasks) {
  if (tasks.empty()) return Status::Ok();
  const auto now = options_.now();
  bool post_runner = false;
  bool wake_timer = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Unavailable("the batching queue '" + name + "' is shutting down");
    Queue& q = FindOrCreateQueueLocked(name, options);
    // Check first so that a full queue refuses all the tasks and changes nothing.
    TERN_RETURN_IF_ERROR(q.Admits(name, tasks));
    const auto earliest = q.Append(&tasks, now);
    if (pool_ != nullptr) {
      post_runner = ClaimRunnerLocked(now);
      // The timer sleeps until the earliest timeout or deadline it knows of; wake it only when
      // this call brings an earlier one.
      wake_timer = AdvanceTimerWakeLocked(std::min(earliest, q.OpenBatchTimesOutAfter(now)));
    }
  }
  if (post_runner) PostRunner();
  if (wake_timer) timer_cv_.notify_one();
  return Status::Ok();
}

BatchScheduler::Queue& BatchScheduler::FindOrCreateQueueLocked(const std::string& name,
                                                               const BatchQueueOptions& options) {
  auto& slot = queues_[name];
  if (!slot) {
    if (queues_.size() > kMaxIdleQueues) {
      for (auto it = queues_.begin(); it != queues_.end();) {
        if (it->second && it->second->batches.empty() && it->second->in_flight == 0) {
          it = queues_.erase(it);
        } else {
          ++it;
        }
      }
    }
    slot = queues_[name] = std::make_shared<Queue>();
    slot->options = options;
    slot->automatic = AutoTimeout(options.auto_timeout);
  }
  return *slot;
}

Status BatchScheduler::Queue::Admits(const std::string& name, const BatchTasks& tasks) const {
  const int64_t max_rows = options.max_batch_size;
  int64_t count = static_cast<int64_t>(batches.size());
  int64_t open_rows = (!batches.empty() && !batches.back().closed) ? batches.back().rows : -1;
  for (const auto& task : tasks) {
    if (task->rows < 1 || task->rows > max_rows) {
      return InvalidArgument("a batch task has " + std::to_string(task->rows) + " rows; queue '" +
                             name + "' takes 1 to " + std::to_string(max_rows));
    }
    if (open_rows >= 0 && open_rows + task->rows <= max_rows) {
      open_rows += task->rows;
    } else {
      ++count;
      open_rows = task->rows;
    }
    if (open_rows == max_rows) open_rows = -1;  // that batch closes
  }
  if (count > options.max_enqueued_batches) {
    return Unavailable("the batching queue '" + name + "' is full (" +
                       std::to_string(options.max_enqueued_batches) + " batches of up to " +
                       std::to_string(max_rows) +
                       " rows wait already); retry later or raise max_enqueued_batches");
  }
  return Status::Ok();
}

BatchClock::time_point BatchScheduler::Queue::Append(BatchTasks* tasks,
                                                     BatchClock::time_point now) {
  const int64_t max_rows = options.max_batch_size;
  auto earliest = BatchClock::time_point::max();
  for (auto& task : *tasks) {
    task->enqueued = now;
    earliest = std::min(earliest, task->deadline);
    if (batches.empty() || batches.back().closed || batches.back().rows + task->rows > max_rows) {
      if (!batches.empty()) batches.back().closed = true;
      batches.emplace_back();
      batches.back().opened = now;
      batches.back().ready_at = now + std::chrono::microseconds(TimeoutMicros());
      batches.back().window = automatic.Window();
    }
    Batch& b = batches.back();
    b.rows += task->rows;
    b.tasks.push_back(std::move(task));
    ++queued_tasks;
    if (b.rows == max_rows) b.closed = true;
  }
  return earliest;
}

BatchClock::time_point BatchScheduler::Queue::OpenBatchTimesOutAfter(
    BatchClock::time_point now) const {
  if (batches.empty() || batches.back().closed || batches.back().ready_at <= now) {
    return BatchClock::time_point::max();
  }
  return batches.back().ready_at;
}

bool BatchScheduler::AdvanceTimerWakeLocked(BatchClock::time_point wake_at) {
  if (wake_at >= timer_wakes_at_) return false;
  timer_wakes_at_ = wake_at;
  return true;
}

bool BatchScheduler::TakeReadyBatchLocked(BatchClock::time_point now, bool drain, Taken* taken,
                                          BatchClock::time_point* next_ready) {
  *next_ready = BatchClock::time_point::max();
  if (queues_.empty()) return false;
  // Round-robin: start after the queue served last.
  auto start = queues_.upper_bound(cursor_);
  for (size_t i = 0; i < queues_.size(); ++i, ++start) {
    if (start == queues_.end()) start = queues_.begin();
    Queue& q = *start->second;
    if (q.batches.empty()) continue;
    Batch& front = q.batches.front();
    const auto ready_at = front.ready_at;
    if (drain || front.closed || now >= ready_at) {
      taken->queue = start->second;
      taken->batch = std::move(front);
      q.batches.pop_front();
      q.queued_tasks -= static_cast<int64_t>(taken->batch.tasks.size());
      ++q.in_flight;
      cursor_ = start->first;
      return true;
    }
    *next_ready = std::min(*next_ready, ready_at);
  }
  return false;
}

BatchClock::time_point BatchScheduler::ExpireLocked(BatchClock::time_point now,
                                                    BatchTasks* expired) {
  auto earliest = BatchClock::time_point::max();
  for (auto& [name, queue] : queues_) {
    Queue& q = *queue;
    for (auto batch = q.batches.begin(); batch != q.batches.end();) {
      auto& tasks = batch->tasks;
      for (auto task = tasks.begin(); task != tasks.end();) {
        if ((*task)->deadline <= now) {
          batch->rows -= (*task)->rows;
          --q.queued_tasks;
          expired->push_back(std::move(*task));
          task = tasks.erase(task);
        } else {
          earliest = std::min(earliest, (*task)->deadline);
          ++task;
        }
      }
      batch = tasks.empty() ? q.batches.erase(batch) : std::next(batch);
    }
  }
  return earliest;
}

void BatchScheduler::FailExpired(BatchTasks expired, BatchClock::time_point now) {
  for (auto& task : expired) {
    const auto waited = std::chrono::duration_cast<std::chrono::microseconds>(now - task->enqueued);
    task->Fail(DeadlineExceeded("the request's deadline passed after " +
                                std::to_string(waited.count() / 1000.0) +
                                " ms in the batching queue; it was not run"));
  }
}

bool BatchScheduler::ClaimRunnerLocked(BatchClock::time_point now) {
  if (runners_ >= options_.num_batch_threads) return false;
  bool ready = false;
  for (const auto& [name, queue] : queues_) {
    const Queue& q = *queue;
    if (q.batches.empty()) continue;
    const Batch& front = q.batches.front();
    if (stopping_ || front.closed || now >= front.ready_at) {
      ready = true;
      break;
    }
  }
  if (ready) ++runners_;
  return ready;
}

void BatchScheduler::PostRunner() {
  pool_->Schedule([this] { RunnerStep(); });
}

void BatchScheduler::RunnerStep() {
  Taken taken;
  bool took = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    BatchClock::time_point next;
    took = TakeReadyBatchLocked(options_.now(), stopping_, &taken, &next);
  }
  if (took) Run(std::move(taken));
  bool again = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    --runners_;
    // Even when this runner found nothing (another took it), a batch that became ready while
    // the runners were all claimed is this runner's to pass on: the timer leaves ready batches
    // to the runners.
    again = ClaimRunnerLocked(options_.now());
    if (runners_ == 0) idle_cv_.notify_all();
  }
  if (again) PostRunner();
}

void BatchScheduler::Run(Taken taken) {
  const auto start = options_.now();
  BatchTasks live;
  BatchTasks expired;
  for (auto& task : taken.batch.tasks) {
    (task->deadline <= start ? expired : live).push_back(std::move(task));
  }
  FailExpired(std::move(expired), start);
  if (!live.empty()) taken.queue->options.process(std::move(live));
  const auto end = options_.now();
  const double micros = std::chrono::duration<double, std::micro>(end - start).count();
  std::lock_guard<std::mutex> lock(mu_);
  Queue& q = *taken.queue;
  --q.in_flight;
  q.ema_compute_micros = q.ema_compute_micros < 0 ? micros
                                                  : (1 - kComputeEmaWeight) * q.ema_compute_micros +
                                                        kComputeEmaWeight * micros;
  if (q.options.target_latency_micros > 0) {
    q.automatic.OnBatchDone(taken.batch.window, end, taken.batch.rows, q.CeilingMicros());
  }
}

void BatchScheduler::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const auto now = options_.now();
    BatchTasks expired;
    const auto next_deadline = ExpireLocked(now, &expired);
    if (!expired.empty()) {
      lock.unlock();
      FailExpired(std::move(expired), now);
      lock.lock();
      continue;  // the queues may have changed meanwhile
    }
    const bool post = ClaimRunnerLocked(now);
    // The earliest moment an open batch times out (batches already ready are the runners').
    // Only a queue's last batch can be open, and it is the one to watch even when others wait
    // before it: a runner that takes the ones before it does not wake the timer.
    auto next_ready = BatchClock::time_point::max();
    for (const auto& [name, queue] : queues_) {
      next_ready = std::min(next_ready, queue->OpenBatchTimesOutAfter(now));
    }
    timer_wakes_at_ = std::min(next_deadline, next_ready);
    if (post) {
      lock.unlock();
      PostRunner();
      lock.lock();
      continue;
    }
    if (timer_wakes_at_ == BatchClock::time_point::max()) {
      timer_cv_.wait(lock);
    } else {
      timer_cv_.wait_until(lock, timer_wakes_at_);
    }
  }
}

int BatchScheduler::ProcessReadyBatches() {
  const auto now = options_.now();
  BatchTasks expired;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ExpireLocked(now, &expired);
  }
  FailExpired(std::move(expired), now);
  int ran = 0;
  while (true) {
    Taken taken;
    BatchClock::time_point next;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!TakeReadyBatchLocked(options_.now(), /*drain=*/false, &taken, &next)) return ran;
    }
    Run(std::move(taken));
    ++ran;
  }
}

int64_t BatchScheduler::EffectiveTimeoutMicros(const std::string& queue) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = queues_.find(queue);
  return it == queues_.end() ? -1 : it->second->TimeoutMicros();
}

int64_t BatchScheduler::QueuedTasks(const std::string& queue) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = queues_.find(queue);
  return it == queues_.end() ? 0 : it->second->queued_tasks;
}

}  // namespace tern
