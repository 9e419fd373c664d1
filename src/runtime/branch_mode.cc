#include "runtime/branch_mode.h"

#include <atomic>

namespace tern {
namespace {
std::atomic<BranchPolicy> policy{BranchPolicy::kMeasured};
}  // namespace

void BranchMode::SetPolicy(BranchPolicy p) { policy.store(p, std::memory_order_relaxed); }

BranchPolicy BranchMode::Policy() { return policy.load(std::memory_order_relaxed); }

BranchMode::Entry* BranchMode::Find(int64_t batch) {
  for (Entry& entry : entries_) {
    if (entry.batch == batch) return &entry;
  }
  for (Entry& entry : entries_) {
    if (entry.batch < 0) {
      entry.batch = batch;
      return &entry;
    }
  }
  return nullptr;
}

BranchWay BranchMode::Choose(int64_t batch) {
  switch (Policy()) {
    case BranchPolicy::kInOrder: return BranchWay::kInOrder;
    case BranchPolicy::kSideBySide: return BranchWay::kSideBySide;
    case BranchPolicy::kMeasured: break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  const Entry* entry = Find(batch);
  if (entry == nullptr) return BranchWay::kInOrder;  // more batch sizes than entries
  if (!entry->measuring) return entry->chosen;
  // Alternate, so both ways see the same stretch of machine load.
  return entry->samples[1] < entry->samples[0] ? BranchWay::kSideBySide : BranchWay::kInOrder;
}

void BranchMode::Record(int64_t batch, BranchWay way, double seconds) {
  if (Policy() != BranchPolicy::kMeasured) return;
  std::lock_guard<std::mutex> lock(mu_);
  Entry* entry = Find(batch);
  if (entry == nullptr || !entry->measuring) return;
  const int w = static_cast<int>(way);
  if (entry->samples[w] == 0 || seconds < entry->fastest_seconds[w]) {
    entry->fastest_seconds[w] = seconds;
  }
  ++entry->samples[w];
  if (entry->samples[0] >= options_.samples_per_way &&
      entry->samples[1] >= options_.samples_per_way) {
    entry->measuring = false;
    const double side_by_side_bar =
        entry->fastest_seconds[0] * (1.0 - options_.min_side_by_side_gain);
    entry->chosen =
        entry->fastest_seconds[1] < side_by_side_bar ? BranchWay::kSideBySide : BranchWay::kInOrder;
  }
}

}  // namespace tern
