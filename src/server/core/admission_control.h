// AdmissionControl: decides, the moment a request reaches the core, whether the server takes it.
// Under load beyond what the cores can compute, queueing every request only makes each one wait
// longer, until all of them time out; refusing the excess at once (UNAVAILABLE: HTTP 503, gRPC
// UNAVAILABLE) keeps the answered ones fast and tells the rest to retry elsewhere or later.
//
// A request is refused when
//  - max_in_flight requests are already in the core (queued, batching or running), or
//  - it would run alone on the compute pool and the pool's estimated wait
//    (ComputePool::EstimatedWait) is over max_queue_wait, or past the request's deadline.
// Batched requests wait in the batcher's queues, which refuse on their own when full
// (max_enqueued_batches), so only the in-flight limit applies to them here.
//
// Admit returns a ticket that holds the request's place until it is destroyed. Thread-safe;
// the pool and metrics (both nullable, not owned) must outlive it and every ticket.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/compute_pool.h"
#include "common/metrics.h"
#include "common/status.h"

namespace tern {

class AdmissionControl {
 public:
  struct Options {
    int64_t max_in_flight = 0;                    // 0: no limit
    std::chrono::milliseconds max_queue_wait{0};  // 0: no limit
    const ComputePool* pool = nullptr;            // whose wait unbatched requests would join
    Metrics* metrics = nullptr;                   // refusals counted by reason
  };
  explicit AdmissionControl(Options options) : options_(options) {}

  // Held by an admitted request until its answer is written; releasing it frees the place.
  using Ticket = std::shared_ptr<void>;

  // `model` labels the refusal metric; `unbatched`: the request would queue on the pool.
  StatusOr<Ticket> Admit(std::string_view model, bool unbatched,
                         std::chrono::steady_clock::time_point deadline);

  int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  const Options& options() const { return options_; }

 private:
  Status Refuse(std::string_view model, std::string_view reason, std::string message);

  const Options options_;
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace tern
