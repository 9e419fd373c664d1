// Plan's branch sections at run time: a section's steps in order, or its branches side by side
// on a borrowed core (see branch_sections.h, branch_mode.h). Part of Plan (plan.h).
#include <atomic>
#include <chrono>
#include <optional>

#include "runtime/intra_op.h"
#include "runtime/plan.h"
#include "runtime/side_by_side.h"

namespace tern {
namespace {

// The batch a section runs at, as its first step sees it: what its best way depends on.
int64_t BatchOf(const Tensor* first_input) {
  if (first_input == nullptr || !first_input->initialized() || first_input->shape().rank() == 0) {
    return 0;
  }
  return first_input->shape().dim(0);
}

}  // namespace

Status Plan::RunSection(const Section& section, const RunState& run,
                        std::vector<const Tensor*>* inputs) const {
  const BranchSection& branches = section.branches;
  const int64_t batch = BatchOf(section.batch_slot >= 0 ? run.values[section.batch_slot] : nullptr);
  // Side by side only on a core no other run holds (under load every core runs its own
  // request), and not while ops are timed one by one.
  const bool core_idle = run.options->op_timings == nullptr && IntraOpThreads::AvailableNow() >= 2;
  BranchWay way = core_idle ? section.mode->Choose(batch) : BranchWay::kInOrder;
  bool timed = core_idle;  // a run of the way chosen, with the core it was chosen for
  std::optional<IntraOpThreads::OpScope> cores;
  if (way == BranchWay::kSideBySide) {
    cores.emplace(branches.num_branches());
    if (cores->threads() < 2) {  // another run took the core meanwhile
      way = BranchWay::kInOrder;
      timed = false;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  Status status;
  if (way == BranchWay::kSideBySide) {
    status = RunBranches(section, run, cores->threads());
  } else {
    for (int s = branches.first_step; s < branches.end_step && status.ok(); ++s) {
      status = RunStep(steps_[s], run, inputs);
    }
  }
  if (status.ok() && timed) {
    section.mode->Record(
        batch, way,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  for (int slot : section.deferred_releases) {
    run.slots[slot] = Tensor();
    run.values[slot] = &run.slots[slot];
  }
  return status;
}

Status Plan::RunBranches(const Section& section, const RunState& run, int threads) const {
  const BranchSection& branches = section.branches;
  std::atomic<int> next_branch{0};
  std::atomic<bool> failed{false};
  std::vector<Status> statuses(static_cast<size_t>(threads));
  // Each thread takes the next branch not yet taken (the longest come first) until none is left.
  RunSideBySide(threads, [&](int thread) {
    std::vector<const Tensor*> inputs;
    try {
      for (;;) {
        const int b = next_branch.fetch_add(1, std::memory_order_relaxed);
        if (b >= branches.num_branches()) return;
        for (int k = branches.branch_begin[b]; k < branches.branch_begin[b + 1]; ++k) {
          if (failed.load(std::memory_order_relaxed)) return;
          Status status = RunStep(steps_[branches.steps[k]], run, &inputs);
          if (!status.ok()) {
            statuses[thread] = std::move(status);
            failed.store(true, std::memory_order_relaxed);
            return;
          }
        }
      }
    } catch (const std::exception& error) {
      statuses[thread] =
          Internal(std::string("a branch of a plan section failed: ") + error.what());
      failed.store(true, std::memory_order_relaxed);
    }
  });
  for (Status& status : statuses) {
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace tern
