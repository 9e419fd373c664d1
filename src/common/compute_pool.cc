#include "common/compute_pool.h"

#include <algorithm>

namespace tern {

std::unique_ptr<ComputePool> ComputePool::Create(Options options) {
  std::unique_ptr<ComputePool> pool(new ComputePool);
  const int n = options.num_threads > 0
                    ? options.num_threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) pool->threads_.emplace_back([p = pool.get()] { p->WorkerLoop(); });
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
    queue_.push_back(std::move(work));
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
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();
  }
}

}  // namespace tern
