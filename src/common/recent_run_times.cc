#include "common/recent_run_times.h"

#include <algorithm>

namespace tern {

void RecentRunTimes::Record(std::chrono::nanoseconds duration) {
  std::array<int64_t, kWindow> recent;
  int n = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ring_ns_[recorded_ % kWindow] = duration.count();
    ++recorded_;
    n = static_cast<int>(std::min<int64_t>(recorded_, kWindow));
    if (n < kMinSamples) return;
    std::copy_n(ring_ns_.begin(), n, recent.begin());
  }
  // The middle half: robust to a quarter of the window being outliers either way, and still a
  // mean (not a median) so that a mix of short and long items is weighed by both.
  std::sort(recent.begin(), recent.begin() + n);
  const int trimmed = n / 4;
  int64_t sum = 0;
  for (int i = trimmed; i < n - trimmed; ++i) sum += recent[i];
  typical_ns_.store(sum / (n - 2 * trimmed), std::memory_order_relaxed);
}

}  // namespace tern
