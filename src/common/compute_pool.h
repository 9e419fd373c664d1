// ComputePool: a fixed set of threads (one per core by default) that runs queued work in FIFO
// order; the asynchronous front ends hand unbatched model runs to it so that a gRPC or REST
// event thread never computes and the cores are not oversubscribed by one thread per request.
// Destruction runs everything already queued, then joins. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tern {

class ComputePool {
 public:
  struct Options {
    int num_threads = 0;  // 0: one per core
  };
  static std::unique_ptr<ComputePool> Create(Options options);
  ~ComputePool();
  ComputePool(const ComputePool&) = delete;
  ComputePool& operator=(const ComputePool&) = delete;

  void Schedule(std::function<void()> work);
  int num_threads() const { return static_cast<int>(threads_.size()); }

 private:
  ComputePool() = default;
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tern
