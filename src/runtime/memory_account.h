// Tensor memory accounting: every tensor buffer is charged to the process and, while a run is in
// scope on the allocating thread, to that run. Budgets are checked before the allocation, so a
// request that would need more than its share is answered RESOURCE_EXHAUSTED instead of taking
// the process into the OOM killer (or std::bad_alloc). Model weights are tensors too, so loads
// count against the same process budget. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "common/status.h"

namespace tern {

// The tensors of one run (a request, or a batch of them). Shared by the buffers charged to it,
// which may outlive the run (its outputs). Thread-safe.
class RunMemory {
 public:
  // limit_bytes: the most this run's live tensors may hold; 0: no limit of its own.
  static std::shared_ptr<RunMemory> Create(int64_t limit_bytes);

  int64_t limit_bytes() const { return limit_bytes_; }
  int64_t in_use_bytes() const { return in_use_.load(std::memory_order_relaxed); }
  int64_t peak_bytes() const { return peak_.load(std::memory_order_relaxed); }

 private:
  friend class TensorMemory;
  explicit RunMemory(int64_t limit_bytes) : limit_bytes_(limit_bytes) {}
  const int64_t limit_bytes_;
  std::atomic<int64_t> in_use_{0};
  std::atomic<int64_t> peak_{0};
};

// Makes `run` the account that tensors allocated on this thread are charged to until the scope
// ends. A null `run` keeps the enclosing scope's (a function call inside a run stays in it).
class RunMemoryScope {
 public:
  explicit RunMemoryScope(std::shared_ptr<RunMemory> run);
  ~RunMemoryScope();
  RunMemoryScope(const RunMemoryScope&) = delete;
  RunMemoryScope& operator=(const RunMemoryScope&) = delete;

  // The account in scope on this thread (null outside any run).
  static const std::shared_ptr<RunMemory>& Current();

 private:
  std::shared_ptr<RunMemory> previous_;
  bool active_ = false;
};

// The process-wide side.
class TensorMemory {
 public:
  // Budgets; 0: none. Set once at start (tests may change them).
  static void SetProcessLimitBytes(int64_t bytes);
  static void SetRunLimitBytes(int64_t bytes);  // each request's share (RunMemory::Create default)
  static int64_t ProcessLimitBytes();
  static int64_t RunLimitBytes();
  static int64_t InUseBytes();
  static int64_t PeakBytes();
  static int64_t RefusedAllocations();

  // Charges `bytes` to the process and to `run` (nullable). RESOURCE_EXHAUSTED, charging
  // nothing, when either budget would be exceeded; the message says which, and by how much.
  static Status Charge(int64_t bytes, RunMemory* run);
  // Charges without checking the budgets (allocations that cannot fail by contract).
  static void ChargeUnchecked(int64_t bytes, RunMemory* run);
  static void Release(int64_t bytes, RunMemory* run);

  // The memory this machine or container offers: cgroup v2 memory.max, cgroup v1
  // memory.limit_in_bytes, else MemTotal of /proc/meminfo; 0 when none can be read.
  static int64_t DetectAvailableBytes();
};

}  // namespace tern
