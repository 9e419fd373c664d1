// Branch sections: runs of a plan's steps that fall apart into independent branches, such as an
// Inception block's towers between the tensor they all read and the concatenation that joins
// them, or a residual block's shortcut beside its main path. A run may hand the branches of a
// section to two threads (Plan::Run); this file only finds them. Pure functions, thread-safe.
#pragma once

#include <vector>

namespace tern {

struct BranchSection {
  int first_step = 0;  // the steps [first_step, end_step), every one in exactly one branch
  int end_step = 0;
  // The steps by branch: branch b is steps[branch_begin[b], branch_begin[b + 1]), in step
  // order. Branches with more steps come first, so two threads taking them in turn finish close
  // together.
  std::vector<int> steps;
  std::vector<int> branch_begin;
  int num_branches() const { return static_cast<int>(branch_begin.size()) - 1; }
};

struct BranchSectionOptions {
  // A section is looked for back from each step that joins two or more steps' outputs, over at
  // most this many steps (a long single chain, DenseNet's, is not scanned to the start for each
  // of its joins).
  int max_scan_steps = 512;
  // A section whose largest branch holds more than this share of its computing steps is not
  // kept (a whole model beside a little shape arithmetic), so the sections inside it are looked
  // for instead.
  double max_largest_branch_share = 0.9;
};

// `dependencies[s]`: the earlier steps step s reads from or waits for (data and control edges;
// steps in order, every dependency < s). `computes[s]`: step s does work worth a thread (not a
// variable read that only binds a tensor); a section needs two branches that compute. Sections
// do not overlap; where sections nest (a tower that itself splits), the outer one is kept.
std::vector<BranchSection> FindBranchSections(const std::vector<std::vector<int>>& dependencies,
                                              const std::vector<bool>& computes,
                                              const BranchSectionOptions& options);

}  // namespace tern
