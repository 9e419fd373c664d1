#include "runtime/intra_op.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "common/cpu_count.h"

namespace tern {
namespace {

std::atomic<int> limit{1};
// Cores held by runs and by ops' borrowed threads. Threads computing outside any RunScope (a
// benchmark calling a kernel directly) are not counted; they only make OpScope a little generous.
std::atomic<int> busy{0};
thread_local int run_depth = 0;

int CoreCount() { return SchedulableCores(); }

}  // namespace

void IntraOpThreads::SetLimit(int threads) {
  limit.store(threads <= 0 ? CoreCount() : threads, std::memory_order_relaxed);
}

int IntraOpThreads::Limit() { return limit.load(std::memory_order_relaxed); }

int IntraOpThreads::Cores() { return CoreCount(); }

IntraOpThreads::RunScope::RunScope() : outermost_(run_depth++ == 0) {
  if (outermost_) busy.fetch_add(1, std::memory_order_relaxed);
}

IntraOpThreads::RunScope::~RunScope() {
  --run_depth;
  if (outermost_) busy.fetch_sub(1, std::memory_order_relaxed);
}

int IntraOpThreads::AvailableNow() {
  const int wanted = std::min(Limit(), CoreCount()) - 1;
  if (wanted <= 0) return 1;
  const int own = run_depth > 0 ? 0 : 1;
  const int idle = CoreCount() - busy.load(std::memory_order_relaxed) - own;
  return 1 + std::max(0, std::min(wanted, idle));
}

IntraOpThreads::OpScope::OpScope() {
  const int wanted = std::min(Limit(), CoreCount()) - 1;
  if (wanted <= 0) return;
  int held = busy.load(std::memory_order_relaxed);
  // The calling thread is counted in `held` when it is inside a run, so the idle cores are
  // CoreCount() - held; outside any run, the caller holds one core not counted yet.
  const int own = run_depth > 0 ? 0 : 1;
  for (;;) {
    const int idle = CoreCount() - held - own;
    const int take = std::min(wanted, idle);
    if (take <= 0) return;
    if (busy.compare_exchange_weak(held, held + take, std::memory_order_relaxed)) {
      borrowed_ = take;
      return;
    }
  }
}

IntraOpThreads::OpScope::~OpScope() {
  if (borrowed_ > 0) busy.fetch_sub(borrowed_, std::memory_order_relaxed);
}

}  // namespace tern
