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

namespace {

// The cores an op on this thread may borrow while `held` are held: idle ones, up to the limit.
int Lendable(int held) {
  const int wanted = std::min(IntraOpThreads::Limit(), CoreCount()) - 1;
  // The calling thread is counted in `held` when it is inside a run, so the idle cores are
  // CoreCount() - held; outside any run, the caller holds one core not counted yet.
  const int own = run_depth > 0 ? 0 : 1;
  return std::max(0, std::min(wanted, CoreCount() - held - own));
}

}  // namespace

int IntraOpThreads::AvailableNow() { return 1 + Lendable(busy.load(std::memory_order_relaxed)); }

IntraOpThreads::OpScope::OpScope(int max_threads) {
  int held = busy.load(std::memory_order_relaxed);
  for (;;) {
    const int take = std::min(Lendable(held), max_threads - 1);
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

IntraOpThreads::LentCoreScope::LentCoreScope() { ++run_depth; }

IntraOpThreads::LentCoreScope::~LentCoreScope() { --run_depth; }

}  // namespace tern
