// ComputePool: a fixed set of threads (one per core by default) that runs queued work in FIFO
// order; the asynchronous front ends hand unbatched model runs to it so that a gRPC or REST
// event thread never computes and the cores are not oversubscribed by one thread per request.
// Destruction runs everything already queued, then joins. Thread-safe.
//
// The pool also estimates how long new work would wait before a thread takes it (the queue's
// length times a typical recent run time, over the threads), which admission control reads to
// refuse requests at once rather than queue them past any useful answer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/recent_run_times.h"

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

  // Work queued and not yet taken by a thread.
  int64_t queued() const { return queued_.load(std::memory_order_relaxed); }
  static constexpr int kMinRunTimes = RecentRunTimes::kMinSamples;
  // A typical recent run time (RecentRunTimes), 0 until kMinRunTimes items have run: a model's
  // slow first run does not make admission control refuse the requests queued behind it.
  std::chrono::nanoseconds typical_run_time() const { return run_times_.Typical(); }
  // How long work scheduled now would wait for a thread: queued() * typical_run_time() / threads,
  // or, when work is queued, how long the last item taken had waited, if that is longer (the
  // typical run time misses what else slows the threads down, e.g. other processes on the cores).
  std::chrono::nanoseconds EstimatedWait() const;

 private:
  ComputePool() = default;
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable cv_;
  struct Item {
    std::function<void()> work;
    std::chrono::steady_clock::time_point queued_at;
  };
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::atomic<int64_t> queued_{0};
  RecentRunTimes run_times_;
  std::atomic<int64_t> last_wait_ns_{0};  // how long the last item taken had been queued
  std::vector<std::thread> threads_;
};

}  // namespace tern
