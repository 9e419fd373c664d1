#include "batching/batch_scheduler.h"

#include <algorithm>
#include <future>

namespace tern {
namespace {

// Beyond this many queues, empty ones are forgotten (queues are keyed by input shapes too, so
// a client sending many shapes must not grow the map without bound).
constexpr size_t kMaxIdleQueues = 256;
// Weight of the newest batch in the running average of compute time.
constexpr double kComputeEmaWeight = 0.2;
// The automatic timeout climbs to its ceiling in this many batches that gather company...
constexpr double kAutoStepFraction = 0.25;
// ...and a halved timeout below this is dropped to 0.
constexpr double kAutoMinMicros = 50;

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
  return std::min(static_cast<int64_t>(auto_timeout_micros), CeilingMicros());
}

void BatchScheduler::Queue::LearnFrom(size_t tasks, size_t late_joiners, bool timed_out) {
  if (options.target_latency_micros <= 0) return;
  const double ceiling = static_cast<double>(CeilingMicros());
  if (timed_out ? late_joiners > 0 : tasks >= 2) {
    // Requests do arrive together: waiting a little longer gathers more per batch.
    auto_timeout_micros = std::min(ceiling, auto_timeout_micros + ceiling * kAutoStepFraction);
  } else if (timed_out) {
    // The wait gathered nothing: halve it, down to not waiting at all.
    auto_timeout_micros /= 2;
    if (auto_timeout_micros < kAutoMinMicros) auto_timeout_micros = 0;
  }
}

std::unique_ptr<BatchScheduler> BatchScheduler::Create(Options options) {
  if (!options.now) options.now = [] { return BatchClock::now(); };
  std::unique_ptr<BatchScheduler> scheduler(new BatchScheduler(std::move(options)));
  if (scheduler->options_.stepping == Stepping::kBackgroundThreads) {
    const int threads = std::max(1, scheduler->options_.num_batch_threads);
    for (int i = 0; i < threads; ++i) {
      scheduler->threads_.emplace_back([s = scheduler.get()] { s->WorkerLoop(); });
    }
  }
  return scheduler;
}

BatchScheduler::BatchScheduler(Options options) : options_(std::move(options)) {}

BatchScheduler::~BatchScheduler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
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
}

Status BatchScheduler::Schedule(const std::string& name, const BatchQueueOptions& options,
                                BatchTasks tasks) {
  if (tasks.empty()) return Status::Ok();
  const auto now = options_.now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Unavailable("the batching queue '" + name + "' is shutting down");
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
    }
    Queue& q = *slot;
    const int64_t max_rows = q.options.max_batch_size;
    // Plan first so that a full queue refuses all the tasks and changes nothing.
    int64_t batches = static_cast<int64_t>(q.batches.size());
    int64_t open_rows = (!q.batches.empty() && !q.batches.back().closed) ? q.batches.back().rows : -1;
    for (const auto& task : tasks) {
      if (task->rows < 1 || task->rows > max_rows) {
        return InvalidArgument("a batch task has " + std::to_string(task->rows) +
                               " rows; queue '" + name + "' takes 1 to " +
                               std::to_string(max_rows));
      }
      if (open_rows >= 0 && open_rows + task->rows <= max_rows) {
        open_rows += task->rows;
      } else {
        ++batches;
        open_rows = task->rows;
      }
      if (open_rows == max_rows) open_rows = -1;  // that batch closes
    }
    if (batches > q.options.max_enqueued_batches) {
      return Unavailable("the batching queue '" + name + "' is full (" +
                         std::to_string(q.options.max_enqueued_batches) +
                         " batches of up to " + std::to_string(max_rows) +
                         " rows wait already); retry later or raise max_enqueued_batches");
    }
    for (auto& task : tasks) {
      task->enqueued = now;
      if (q.batches.empty() || q.batches.back().closed ||
          q.batches.back().rows + task->rows > max_rows) {
        if (!q.batches.empty()) q.batches.back().closed = true;
        q.batches.emplace_back();
      }
      Batch& b = q.batches.back();
      b.rows += task->rows;
      b.tasks.push_back(std::move(task));
      if (b.rows == max_rows) b.closed = true;
    }
  }
  cv_.notify_one();
  return Status::Ok();
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
    const auto ready_at =
        front.tasks.front()->enqueued + std::chrono::microseconds(q.TimeoutMicros());
    if (drain || front.closed || now >= ready_at) {
      const int64_t timeout = q.TimeoutMicros();
      taken->timed_out = !front.closed && timeout > 0;
      taken->late_joiners = 0;
      const auto half_way = front.tasks.front()->enqueued + std::chrono::microseconds(timeout / 2);
      for (const auto& task : front.tasks) taken->late_joiners += task->enqueued >= half_way;
      taken->queue = start->second;
      taken->batch = std::move(front);
      q.batches.pop_front();
      ++q.in_flight;
      cursor_ = start->first;
      return true;
    }
    *next_ready = std::min(*next_ready, ready_at);
  }
  return false;
}

void BatchScheduler::Run(Taken taken) {
  const auto start = options_.now();
  const size_t tasks = taken.batch.tasks.size();
  BatchTasks live;
  for (auto& task : taken.batch.tasks) {
    if (task->deadline <= start) {
      const auto waited = std::chrono::duration_cast<std::chrono::microseconds>(start - task->enqueued);
      task->Fail(DeadlineExceeded("the request's deadline passed after " +
                                  std::to_string(waited.count() / 1000.0) +
                                  " ms in the batching queue; it was not run"));
    } else {
      live.push_back(std::move(task));
    }
  }
  if (!live.empty()) taken.queue->options.process(std::move(live));
  const double micros =
      std::chrono::duration<double, std::micro>(options_.now() - start).count();
  std::lock_guard<std::mutex> lock(mu_);
  Queue& q = *taken.queue;
  --q.in_flight;
  q.LearnFrom(tasks, taken.late_joiners, taken.timed_out);
  q.ema_compute_micros = q.ema_compute_micros < 0
                             ? micros
                             : (1 - kComputeEmaWeight) * q.ema_compute_micros + kComputeEmaWeight * micros;
}

void BatchScheduler::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    Taken taken;
    BatchClock::time_point next_ready;
    if (TakeReadyBatchLocked(options_.now(), stopping_, &taken, &next_ready)) {
      lock.unlock();
      if (options_.compute_pool != nullptr) {
        std::promise<void> ran;
        options_.compute_pool->Schedule([this, &taken, &ran] {
          Run(std::move(taken));
          ran.set_value();
        });
        ran.get_future().wait();
      } else {
        Run(std::move(taken));
      }
      lock.lock();
      continue;
    }
    if (stopping_) return;
    if (next_ready == BatchClock::time_point::max()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, next_ready);
    }
  }
}

int BatchScheduler::ProcessReadyBatches() {
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
  if (it == queues_.end()) return 0;
  int64_t n = 0;
  for (const auto& b : it->second->batches) n += static_cast<int64_t>(b.tasks.size());
  return n;
}

}  // namespace tern
