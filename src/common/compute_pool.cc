#include "common/compute_pool.h"

#include <algorithm>

#include "common/cpu_count.h"
#include "common/thread_name.h"

namespace tern {

std::unique_ptr<ComputePool> ComputePool::Create(Options options) {
  std::unique_ptr<ComputePool> pool(new ComputePool);
  const int n = options.num_threads > 0 ? options.num_threads : SchedulableCores();
  for (int i = 0; i < n; ++i) {
    pool->threads_.emplace_back([p = pool.get()] {
      SetCurrentThreadName("tern-compute");
      p->WorkerLoop();
    });
  }
  return pool;
}

ComputePool::~ComputePool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void ComputePool::Schedule(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back({std::move(work), std::chrono::steady_clock::now()});
    queued_.fetch_add(1, std::memory_order_relaxed);
  }
  cv_.notify_one();
}

void ComputePool::WorkerLoop() {
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      work = std::move(queue_.front().work);
      const auto queued_at = queue_.front().queued_at;
      queue_.pop_front();
      queued_.fetch_sub(1, std::memory_order_relaxed);
      last_wait_ns_.store((std::chrono::steady_clock::now() - queued_at).count(),
                          std::memory_order_relaxed);
    }
    const auto start = std::chrono::steady_clock::now();
    work();
    run_times_.Record(std::chrono::steady_clock::now() - start);
  }
}

std::chrono::nanoseconds ComputePool::EstimatedWait() const {
  const int64_t queued_now = queued();
  if (queued_now == 0) return std::chrono::nanoseconds(0);
  const int64_t by_run_time =
      queued_now * run_times_.Typical().count() / std::max(1, num_threads());
  return std::chrono::nanoseconds(
      std::max(by_run_time, last_wait_ns_.load(std::memory_order_relaxed)));
}

}  // namespace tern
