#include "runtime/branch_sections.h"

#include <algorithm>

namespace tern {
namespace {

// Union-find over step indices; only the steps added so far take part. Counts the branches
// with a step that computes.
class Branches {
 public:
  Branches(int steps, const std::vector<bool>& computes)
      : parent_(static_cast<size_t>(steps), -1), computes_(computes.begin(), computes.end()) {}
  void Add(int s) {
    parent_[s] = s;
    count_ += computes_[s];
  }
  bool Has(int s) const { return parent_[s] >= 0; }
  int Find(int s) {
    while (parent_[s] != s) {
      parent_[s] = parent_[parent_[s]];
      s = parent_[s];
    }
    return s;
  }
  void Join(int a, int b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return;
    if (computes_[a] && computes_[b]) --count_;
    const int root = std::min(a, b);
    computes_[root] = computes_[a] || computes_[b];
    parent_[std::max(a, b)] = root;
  }
  int computing() const { return count_; }

 private:
  std::vector<int> parent_;
  std::vector<char> computes_;  // by root: a step of its branch computes
  int count_ = 0;
};

// Adds step s, which comes before `join`, joined to those of its readers added already.
void AddBefore(int join, int s, const std::vector<std::vector<int>>& readers, Branches& branches) {
  branches.Add(s);
  for (int r : readers[s]) {
    if (r < join && branches.Has(r)) branches.Join(s, r);
  }
}

// The steps [first, join) as branches, longest first.
BranchSection MakeSection(int first, int join, Branches& branches) {
  BranchSection section;
  section.first_step = first;
  section.end_step = join;
  std::vector<std::vector<int>> by_root(static_cast<size_t>(join - first));
  for (int s = first; s < join; ++s) by_root[branches.Find(s) - first].push_back(s);
  std::vector<std::vector<int>*> order;
  for (auto& steps : by_root) {
    if (!steps.empty()) order.push_back(&steps);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto* a, const auto* b) { return a->size() > b->size(); });
  section.branch_begin.push_back(0);
  for (const auto* steps : order) {
    section.steps.insert(section.steps.end(), steps->begin(), steps->end());
    section.branch_begin.push_back(static_cast<int>(section.steps.size()));
  }
  return section;
}

// The largest branch's share of the section's steps that compute.
double LargestBranchShare(const BranchSection& section, const std::vector<bool>& computes) {
  int total = 0;
  int largest = 0;
  for (int b = 0; b < section.num_branches(); ++b) {
    int count = 0;
    for (int k = section.branch_begin[b]; k < section.branch_begin[b + 1]; ++k) {
      count += computes[section.steps[k]];
    }
    total += count;
    largest = std::max(largest, count);
  }
  return total == 0 ? 1.0 : static_cast<double>(largest) / total;
}

}  // namespace

std::vector<BranchSection> FindBranchSections(const std::vector<std::vector<int>>& dependencies,
                                              const std::vector<bool>& computes,
                                              const BranchSectionOptions& options) {
  const int n = static_cast<int>(dependencies.size());
  std::vector<std::vector<int>> readers(static_cast<size_t>(n));
  for (int s = 0; s < n; ++s) {
    for (int d : dependencies[s]) readers[d].push_back(s);
  }
  std::vector<BranchSection> sections;
  // Later joins first, so an outer section claims its steps before a section nested in it.
  int claimed_from = n;  // steps >= this are in a section or are its join
  for (int join = n - 1; join > 0; --join) {
    if (join >= claimed_from) continue;
    std::vector<int> joined = dependencies[join];
    std::sort(joined.begin(), joined.end());
    joined.erase(std::unique(joined.begin(), joined.end()), joined.end());
    if (joined.size() < 2) continue;
    // Walk back from the join adding steps, until one (the fork the branches share) would leave
    // fewer than two branches that compute. (Branches that only read variables, such as the
    // join's own weights, do not count.)
    Branches branches(join, computes);
    int first = -1;
    const int stop = std::max(0, join - options.max_scan_steps);
    for (int s = join - 1; s >= stop; --s) {
      const int before = branches.computing();
      AddBefore(join, s, readers, branches);
      if (branches.computing() >= 2) {
        first = s;
      } else if (before >= 2) {
        break;
      }
    }
    if (first < 0) continue;
    // The section is [first, join): rebuild its branches without the steps scanned past it.
    Branches kept(join, computes);
    for (int s = join - 1; s >= first; --s) {
      AddBefore(join, s, readers, kept);
    }
    BranchSection section = MakeSection(first, join, kept);
    if (LargestBranchShare(section, computes) > options.max_largest_branch_share) continue;
    sections.push_back(std::move(section));
    claimed_from = first;
  }
  std::reverse(sections.begin(), sections.end());
  return sections;
}

}  // namespace tern
