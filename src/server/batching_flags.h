// Builds the SignatureBatcher the batching flags ask for (null when --enable_batching is off).
// Stateless; thread-compatible.
#pragma once

#include <memory>

#include "batching/signature_batcher.h"
#include "server/flags.h"

namespace tern {

StatusOr<std::unique_ptr<SignatureBatcher>> MakeBatcherFromFlags(const ServerFlags& flags);

}  // namespace tern
