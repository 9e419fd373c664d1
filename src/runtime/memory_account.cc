#include "runtime/memory_account.h"

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>

#include "runtime/memory_wait.h"

namespace tern {
namespace {

std::atomic<int64_t> process_limit{0};
std::atomic<int64_t> run_limit{0};
std::atomic<int64_t> in_use{0};
std::atomic<int64_t> peak{0};
std::atomic<int64_t> refused{0};
std::atomic<int64_t> process_wait_ms{0};

// Allocations waiting for the process budget sleep on `released`; Release wakes them only when
// someone waits, so the common path takes no lock.
std::mutex wait_mu;
std::condition_variable released;
std::atomic<int> waiters{0};

thread_local std::shared_ptr<RunMemory> current_run;

void RaisePeak(std::atomic<int64_t>& peak_value, int64_t now) {
  int64_t seen = peak_value.load(std::memory_order_relaxed);
  while (now > seen && !peak_value.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
}

std::string Mib(int64_t bytes) {
  std::ostringstream out;
  out.precision(1);
  out << std::fixed << static_cast<double>(bytes) / (1 << 20) << " MiB";
  return out.str();
}

// Adds `bytes` to `counter` unless that passes `limit` (0: no limit); false then.
bool TryAdd(std::atomic<int64_t>& counter, int64_t bytes, int64_t limit, int64_t* after) {
  int64_t seen = counter.load(std::memory_order_relaxed);
  do {
    if (limit > 0 && (bytes > limit || seen > limit - bytes)) {
      *after = seen;
      return false;
    }
  } while (!counter.compare_exchange_weak(seen, seen + bytes, std::memory_order_relaxed));
  *after = seen + bytes;
  return true;
}

int64_t ReadNumber(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return 0;
  try {
    return std::stoll(text);
  } catch (...) {
    return 0;
  }
}

// TryAdd against the process budget, retried as memory is released until `wait` passes.
bool WaitToAdd(int64_t bytes, int64_t limit, std::chrono::milliseconds wait, int64_t* after) {
  const auto until = std::chrono::steady_clock::now() + wait;
  std::unique_lock<std::mutex> lock(wait_mu);
  waiters.fetch_add(1, std::memory_order_acq_rel);
  bool added = TryAdd(in_use, bytes, limit, after);
  while (!added && released.wait_until(lock, until) == std::cv_status::no_timeout) {
    added = TryAdd(in_use, bytes, limit, after);
  }
  if (!added) added = TryAdd(in_use, bytes, limit, after);
  waiters.fetch_sub(1, std::memory_order_acq_rel);
  return added;
}

}  // namespace

std::shared_ptr<RunMemory> RunMemory::Create(int64_t limit_bytes) {
  return std::shared_ptr<RunMemory>(new RunMemory(limit_bytes));
}

RunMemoryScope::RunMemoryScope(std::shared_ptr<RunMemory> run) {
  if (run == nullptr) return;
  previous_ = std::move(current_run);
  current_run = std::move(run);
  active_ = true;
}

RunMemoryScope::~RunMemoryScope() {
  if (active_) current_run = std::move(previous_);
}

const std::shared_ptr<RunMemory>& RunMemoryScope::Current() { return current_run; }

void TensorMemory::SetProcessLimitBytes(int64_t bytes) { process_limit = bytes; }
void TensorMemory::SetRunLimitBytes(int64_t bytes) { run_limit = bytes; }
void SetTensorMemoryWaitMs(int64_t ms) { process_wait_ms = ms; }
int64_t TensorMemory::ProcessLimitBytes() { return process_limit; }
int64_t TensorMemory::RunLimitBytes() { return run_limit; }
int64_t TensorMemory::InUseBytes() { return in_use; }
int64_t TensorMemory::PeakBytes() { return peak; }
int64_t TensorMemory::RefusedAllocations() { return refused; }

Status TensorMemory::Charge(int64_t bytes, RunMemory* run) {
  int64_t after = 0;
  if (run != nullptr && !TryAdd(run->in_use_, bytes, run->limit_bytes_, &after)) {
    ++refused;
    return ResourceExhausted("it would take the request's tensors to " + Mib(after + bytes) +
                             ", over its budget of " + Mib(run->limit_bytes_) +
                             " (--max_request_memory_mb)");
  }
  const int64_t limit = process_limit.load(std::memory_order_relaxed);
  int64_t process_after = 0;
  const int64_t wait_ms = process_wait_ms.load(std::memory_order_relaxed);
  if (!TryAdd(in_use, bytes, limit, &process_after) &&
      (wait_ms <= 0 || bytes > limit ||
       !WaitToAdd(bytes, limit, std::chrono::milliseconds(wait_ms), &process_after))) {
    if (run != nullptr) run->in_use_.fetch_sub(bytes, std::memory_order_relaxed);
    ++refused;
    return ResourceExhausted(
        "the server's tensors would take " + Mib(process_after + bytes) + ", over its budget of " +
        Mib(limit) + " (--memory_limit_mb)" +
        (wait_ms > 0 && bytes <= limit
             ? " after waiting " + std::to_string(wait_ms) + " ms for memory (--memory_wait_ms)"
             : std::string()));
  }
  if (run != nullptr) RaisePeak(run->peak_, after);
  RaisePeak(peak, process_after);
  return Status::Ok();
}

void TensorMemory::ChargeUnchecked(int64_t bytes, RunMemory* run) {
  if (run != nullptr) RaisePeak(run->peak_, run->in_use_.fetch_add(bytes) + bytes);
  RaisePeak(peak, in_use.fetch_add(bytes) + bytes);
}

void TensorMemory::Release(int64_t bytes, RunMemory* run) {
  if (run != nullptr) run->in_use_.fetch_sub(bytes, std::memory_order_relaxed);
  in_use.fetch_sub(bytes, std::memory_order_relaxed);
  if (waiters.load(std::memory_order_acquire) > 0) {
    std::lock_guard<std::mutex> lock(wait_mu);
    released.notify_all();
  }
}

int64_t TensorMemory::DetectAvailableBytes() {
  if (int64_t v2 = ReadNumber("/sys/fs/cgroup/memory.max"); v2 > 0) return v2;
  // cgroup v1 reports "no limit" as a huge number (about 2^63 rounded to pages).
  if (int64_t v1 = ReadNumber("/sys/fs/cgroup/memory/memory.limit_in_bytes");
      v1 > 0 && v1 < (int64_t{1} << 60)) {
    return v1;
  }
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemTotal:") return kib * 1024;
  }
  return 0;
}

}  // namespace tern
