#include "batching/auto_timeout.h"

#include <algorithm>

namespace tern {

AutoTimeout::AutoTimeout(Options options) : options_(options) { StartWindow(Phase::kBaseline); }

int64_t AutoTimeout::TimeoutMicros(int64_t ceiling_micros) const {
  const int64_t ceiling = std::max<int64_t>(0, ceiling_micros);
  switch (phase_) {
    case Phase::kBaseline: return 0;
    case Phase::kProbe: return std::min(candidate_, ceiling);
    case Phase::kExploit: return std::min(kept_, ceiling);
  }
  return 0;
}

void AutoTimeout::StartWindow(Phase phase) {
  phase_ = phase;
  ++window_;
  current_ = Measure();
}

void AutoTimeout::OnBatchDone(uint64_t window, TimePoint at, int64_t rows, int64_t ceiling_micros) {
  if (window != window_) return;  // opened under an earlier window's timeout
  if (!current_.started) {
    // The first completion marks the start: before it the threads were finishing batches of the
    // previous window.
    current_.started = true;
    current_.start = at;
    return;
  }
  const auto elapsed = at - current_.start;
  if (elapsed > options_.max_window) {
    // Traffic paused: the rate would measure the pause. Measure this window again.
    current_ = Measure();
    current_.started = true;
    current_.start = at;
    return;
  }
  ++current_.batches;
  current_.rows += rows;
  if (current_.batches < options_.window_batches || elapsed < options_.min_window) return;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  current_.rate = seconds > 0 ? static_cast<double>(current_.rows) / seconds : 0;
  current_.rows_per_batch =
      static_cast<double>(current_.rows) / static_cast<double>(current_.batches);
  FinishWindow(ceiling_micros);
}

void AutoTimeout::FinishWindow(int64_t ceiling_micros) {
  switch (phase_) {
    case Phase::kBaseline: {
      baseline_ = current_;
      const int64_t ceiling = std::max<int64_t>(0, ceiling_micros);
      if (candidate_ <= 0) candidate_ = std::max(options_.min_wait_micros, ceiling / 8);
      candidate_ = std::min(candidate_, ceiling);
      if (candidate_ < options_.min_wait_micros) {
        // The budget leaves no room to wait: nothing to probe.
        kept_ = 0;
        exploit_left_ = options_.max_backoff_rounds;
        StartWindow(Phase::kExploit);
        return;
      }
      StartWindow(Phase::kProbe);
      return;
    }
    case Phase::kProbe:
      Judge(ceiling_micros);
      StartWindow(Phase::kExploit);
      return;
    case Phase::kExploit:
      if (--exploit_left_ > 0) {
        StartWindow(Phase::kExploit);
      } else {
        StartWindow(Phase::kBaseline);
      }
      return;
  }
}

void AutoTimeout::Judge(int64_t ceiling_micros) {
  const int64_t ceiling = std::max<int64_t>(0, ceiling_micros);
  const bool keeps_throughput = current_.rate >= baseline_.rate * (1 - options_.tolerance);
  const bool gathers = current_.rows_per_batch >= baseline_.rows_per_batch * options_.min_row_gain;
  int rounds = 1;
  if (keeps_throughput && gathers) {
    const bool at_ceiling = candidate_ >= ceiling;
    kept_ = std::min(candidate_, ceiling);
    candidate_ = std::min(candidate_ * 2, ceiling);
    failed_probes_ = 0;
    // At the ceiling there is nothing more to find: probe rarely, to notice a change of traffic.
    if (at_ceiling) rounds = options_.max_backoff_rounds / 2;
  } else {
    kept_ /= 2;
    if (kept_ < options_.min_wait_micros) kept_ = 0;
    // With nothing kept, try a shorter wait next time: a small one may still gather company.
    candidate_ = kept_ > 0 ? kept_ * 2 : std::max(options_.min_wait_micros, candidate_ / 2);
    ++failed_probes_;
    // A failed probe cost throughput: the next one waits 4, 8, ... windows (at most
    // max_backoff_rounds), so steady closed-loop traffic spends a few percent of its time probing.
    rounds = 1 << std::min(failed_probes_ + 1, 6);
  }
  exploit_left_ = std::clamp(rounds, 1, options_.max_backoff_rounds);
}

}  // namespace tern
