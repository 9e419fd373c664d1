// The tensor memory budgets the flags ask for, from the memory the machine or container offers.
// Pure; thread-safe.
#pragma once

#include <cstdint>

#include "server/app/flags.h"

namespace tern {

struct MemoryBudgets {
  int64_t process_bytes = 0;  // 0: none
  int64_t request_bytes = 0;  // 0: none
};

// --memory_limit_mb: 0 -> 80% of available_bytes (none when that is unknown, 0); -1 -> none.
// --max_request_memory_mb: 0 -> a quarter of the process budget (none without one); -1 -> none.
MemoryBudgets MemoryBudgetsFromFlags(const ServerFlags& flags, int64_t available_bytes);

}  // namespace tern
