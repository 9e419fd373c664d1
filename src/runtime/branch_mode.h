// BranchMode: for one branch section of a plan (branch_sections.h), whether a run hands its
// branches to two threads or runs its steps in order, each op free to split over idle cores.
// Which is faster depends on the ops and the batch: at batch 1 an Inception block's small
// convolutions gain little from a second core each and much from running side by side; at
// batch 64 each splits well and the towers' unequal sizes would leave a thread idle. So each
// section measures both ways on its first runs at each batch size and keeps the faster (side by
// side only when clearly so: Options::min_side_by_side_gain).
// Thread-safe; one per section, owned by the plan.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

namespace tern {

enum class BranchPolicy {
  kMeasured,    // both ways timed on the first runs, then the faster (the default)
  kInOrder,     // never side by side
  kSideBySide,  // always side by side when a core is idle (tests)
};

enum class BranchWay { kInOrder = 0, kSideBySide = 1 };

class BranchMode {
 public:
  struct Options {
    // Runs timed each way before choosing, per batch size.
    int samples_per_way = 5;
    // Side by side must be at least this fraction faster: it takes a second core, and a gain
    // within a noisy machine's jitter is not worth that core (a tie runs in order).
    double min_side_by_side_gain = 0.03;
  };
  BranchMode() : BranchMode(Options()) {}
  explicit BranchMode(Options options) : options_(options) {}

  // Process-wide policy (BranchPolicy::kMeasured unless set).
  static void SetPolicy(BranchPolicy policy);
  static BranchPolicy Policy();

  // How this run, at batch `batch`, should run the section.
  BranchWay Choose(int64_t batch);
  // How long the section took, run that way.
  void Record(int64_t batch, BranchWay way, double seconds);

 private:
  struct Entry {
    int64_t batch = -1;
    std::array<int, 2> samples = {0, 0};  // by BranchWay
    std::array<double, 2> fastest_seconds = {0, 0};
    bool measuring = true;
    BranchWay chosen = BranchWay::kInOrder;
  };
  Entry* Find(int64_t batch);  // mu_ held; the entry for batch, made if there is room

  const Options options_;
  std::mutex mu_;
  std::array<Entry, 4> entries_;
};

}  // namespace tern
