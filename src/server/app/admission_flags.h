// The admission control the flags ask for (--max_inflight_requests, --max_queue_wait_ms).
// Pure; thread-safe.
#pragma once

#include "common/compute_pool.h"
#include "common/metrics.h"
#include "server/app/flags.h"
#include "server/core/admission_control.h"

namespace tern {

// --max_inflight_requests: 0 -> 128 per thread of `pool`, at least 256 (none with
// --enable_batching); -1 -> none.
// --max_queue_wait_ms: 0 -> none. pool and metrics are not owned (nullable).
AdmissionControl::Options AdmissionOptionsFromFlags(const ServerFlags& flags,
                                                    const ComputePool* pool, Metrics* metrics);

}  // namespace tern
