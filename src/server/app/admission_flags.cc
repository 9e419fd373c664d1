#include "server/app/admission_flags.h"

#include <algorithm>

namespace tern {

AdmissionControl::Options AdmissionOptionsFromFlags(const ServerFlags& flags,
                                                    const ComputePool* pool, Metrics* metrics) {
  AdmissionControl::Options options;
  options.pool = pool;
  options.metrics = metrics;
  if (flags.max_inflight_requests > 0) {
    options.max_in_flight = flags.max_inflight_requests;
  } else if (flags.max_inflight_requests == 0 && !flags.enable_batching) {
    // Generous: the limit bounds the memory held by requests in flight; how long they wait is
    // bounded by --max_queue_wait_ms. A closed-loop client with a few hundred connections
    // stays under it. With batching, the batching parameters say how many requests may wait
    // (max_enqueued_batches batches of max_batch_size, refused beyond), so no second bound.
    const int threads = pool != nullptr ? pool->num_threads() : 1;
    options.max_in_flight = std::max<int64_t>(256, int64_t{128} * threads);
  }
  if (flags.max_queue_wait_ms > 0) {
    options.max_queue_wait = std::chrono::milliseconds(flags.max_queue_wait_ms);
  }
  return options;
}

}  // namespace tern
