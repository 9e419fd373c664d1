// How long a tensor allocation that would pass the process budget (TensorMemory::Charge, see
// memory_account.h) waits for other runs to give memory back before its run fails with
// RESOURCE_EXHAUSTED. Only an allocation that fits the budget on its own waits; 0 (the default):
// it fails at once. Set once at start (tests may change it); thread-safe.
#pragma once

#include <cstdint>

namespace tern {

void SetTensorMemoryWaitMs(int64_t ms);

}  // namespace tern
