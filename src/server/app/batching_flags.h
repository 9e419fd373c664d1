// Builds the SignatureBatcher the batching flags ask for (null when --enable_batching is off).
// Stateless; thread-compatible.
#pragma once

#include <memory>

#include "batching/signature_batcher.h"
#include "server/app/flags.h"

namespace tern {

// metrics (not owned, may be null) receives batch size, padding, queue latency and depth;
// compute_pool (not owned, may be null) is where batches run.
StatusOr<std::unique_ptr<SignatureBatcher>> MakeBatcherFromFlags(const ServerFlags& flags,
                                                                 Metrics* metrics,
                                                                 ComputePool* compute_pool);

}  // namespace tern
