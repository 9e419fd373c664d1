// AutoTimeout: the batch timeout one queue uses under --batching_target_latency_ms, chosen by
// measurement rather than guessed. By default the queue does not wait (timeout 0: a free batch
// thread takes whatever is queued, and batches form from the backlog while the threads are
// busy). Every so often it measures, in alternating windows, the queue's throughput with no wait
// (the baseline) and with a candidate wait. The wait is kept only when it gathered more rows per
// batch AND did not cost throughput against the baseline measured just before; then the next
// candidate is twice as long. A candidate that fails halves the wait kept so far, and the
// rounds between probes grow while probes keep failing, so closed-loop clients (for whom every
// wait is lost time) pay for a short probe now and then, while open-loop traffic at a high
// rate (for whom a wait saves CPU per request at no cost in throughput) keeps the wait.
// Batches carry the window they were opened in; only completions of the current window's
// batches count, so a window is not judged by batches opened under the previous timeout.
// Pure logic with an explicit clock; not thread-safe (the scheduler holds its lock).
#pragma once

#include <chrono>
#include <cstdint>

namespace tern {

class AutoTimeout {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Options {
    // A window is judged after this many counted batches and at least min_window long: long
    // enough that a shared machine's noise does not pass for a tie with the baseline.
    int64_t window_batches = 32;
    std::chrono::microseconds min_window{100000};
    // A window longer than this (traffic stopped) is discarded and measured again.
    std::chrono::microseconds max_window{2000000};
    // A candidate may lose at most this fraction of the baseline's throughput (noise margin).
    double tolerance = 0.03;
    // ...and must gather at least this many times the baseline's rows per batch.
    double min_row_gain = 1.1;
    // Waits below this are not worth a wake-up: the first candidate, and the floor of halving.
    int64_t min_wait_micros = 50;
    // The most windows between two probes (reached after failed probes in a row).
    int max_backoff_rounds = 64;
  };

  AutoTimeout() : AutoTimeout(Options()) {}
  explicit AutoTimeout(Options options);

  // The timeout, in microseconds, for a batch opened now; never above ceiling_micros (what the
  // latency budget allows). Call when a batch is opened, and tag the batch with Window().
  int64_t TimeoutMicros(int64_t ceiling_micros) const;
  // The window a batch opened now belongs to.
  uint64_t Window() const { return window_; }

  // A batch opened in `window` finished at `at` after running `rows` rows.
  void OnBatchDone(uint64_t window, TimePoint at, int64_t rows, int64_t ceiling_micros);

  // For tests and logs.
  int64_t KeptWaitMicros() const { return kept_; }
  int64_t CandidateWaitMicros() const { return candidate_; }
  bool Probing() const { return phase_ == Phase::kProbe; }

 private:
  enum class Phase { kExploit, kBaseline, kProbe };
  struct Measure {
    bool started = false;
    TimePoint start;
    int64_t batches = 0;
    int64_t rows = 0;
    double rate = 0;            // rows per second
    double rows_per_batch = 0;  // of the counted batches
  };

  void StartWindow(Phase phase);
  void FinishWindow(int64_t ceiling_micros);
  void Judge(int64_t ceiling_micros);

  Options options_;
  Phase phase_ = Phase::kBaseline;
  uint64_t window_ = 0;
  Measure current_;
  Measure baseline_;
  int64_t kept_ = 0;       // the wait used outside probes
  int64_t candidate_ = 0;  // the wait the next probe tries; 0 until a ceiling is known
  int exploit_left_ = 0;   // exploit windows before the next baseline + probe pair
  int failed_probes_ = 0;  // in a row
};

}  // namespace tern
