// The loader's side of memory accounting. A loaded version holds tensors (weights, constants,
// tables) charged to the same process budget (--memory_limit_mb, runtime/memory_account.h) as
// every request; the loader measures them per version and keeps loads under that budget and
// under --model_memory_budget_mb by scaling idle on-demand models to zero. Stateless functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace tern {

// Before a load: the bytes of the version's files that a loaded version holds in memory (the
// graph with its constants and the variables' shards), give or take per-run buffers.
int64_t EstimateVersionBytes(const std::string& version_dir);

// "12 MB", "300 KB".
std::string Megabytes(int64_t bytes);

// Why loading `bytes` more would not fit: against the loaded versions' bytes under
// `model_budget_bytes` (0: no such budget), then against the process tensor budget. Empty
// when it fits both.
std::string BudgetShortfall(int64_t bytes, int64_t loaded_bytes, int64_t model_budget_bytes);

}  // namespace tern
