// RecentRunTimes: a typical duration of recent work items, robust to a few outliers: the mean of
// the middle half of the last kWindow recorded durations, none before kMinSamples. A model's first
// run (which prepares its weights) or a run preempted by another process moves it little, while a
// real change of load moves it within kMinSamples items. ComputePool keeps one to estimate its
// queue's wait. Thread-safe: Record takes a short lock, Typical reads an atomic.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace tern {

class RecentRunTimes {
 public:
  static constexpr int kWindow = 16;
  static constexpr int kMinSamples = 8;

  void Record(std::chrono::nanoseconds duration);
  // 0 until kMinSamples durations have been recorded.
  std::chrono::nanoseconds Typical() const {
    return std::chrono::nanoseconds(typical_ns_.load(std::memory_order_relaxed));
  }

 private:
  std::mutex mu_;
  std::array<int64_t, kWindow> ring_ns_{};  // guarded by mu_
  int64_t recorded_ = 0;                    // guarded by mu_
  std::atomic<int64_t> typical_ns_{0};
};

}  // namespace tern
