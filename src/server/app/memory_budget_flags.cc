#include "server/app/memory_budget_flags.h"

namespace tern {

MemoryBudgets MemoryBudgetsFromFlags(const ServerFlags& flags, int64_t available_bytes) {
  MemoryBudgets budgets;
  if (flags.memory_limit_mb > 0) {
    budgets.process_bytes = flags.memory_limit_mb << 20;
  } else if (flags.memory_limit_mb == 0 && available_bytes > 0) {
    // The rest is for what is not a tensor: code, gRPC and HTTP buffers, the allocator's slack.
    budgets.process_bytes = available_bytes / 5 * 4;
  }
  if (flags.max_request_memory_mb > 0) {
    budgets.request_bytes = flags.max_request_memory_mb << 20;
  } else if (flags.max_request_memory_mb == 0) {
    // Four requests at their limit fit at once; a fifth waits for memory or is refused.
    budgets.request_bytes = budgets.process_bytes / 4;
  }
  return budgets;
}

}  // namespace tern
