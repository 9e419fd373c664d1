#include "runtime/branch_sections.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tern {
namespace {

using ::testing::ElementsAre;

std::vector<bool> AllCompute(size_t steps) { return std::vector<bool>(steps, true); }

// The steps of each branch of `section`, in its order.
std::vector<std::vector<int>> Branches(const BranchSection& section) {
  std::vector<std::vector<int>> branches;
  for (int b = 0; b < section.num_branches(); ++b) {
    branches.emplace_back(section.steps.begin() + section.branch_begin[b],
                          section.steps.begin() + section.branch_begin[b + 1]);
  }
  return branches;
}

// An Inception block: step 0 feeds three towers (1-2, 3, 4-6), step 7 concatenates them.
TEST(BranchSectionsTest, TowersBetweenTheirInputAndTheirJoinAreOneSectionLongestFirst) {
  const std::vector<std::vector<int>> deps = {{}, {0}, {1}, {0}, {0}, {4}, {5}, {2, 3, 6}};
  const auto sections = FindBranchSections(deps, AllCompute(deps.size()), {});
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].first_step, 1);
  EXPECT_EQ(sections[0].end_step, 7);
  EXPECT_THAT(Branches(sections[0]),
              ElementsAre(ElementsAre(4, 5, 6), ElementsAre(1, 2), ElementsAre(3)));
}

TEST(BranchSectionsTest, AChainHasNone) {
  const std::vector<std::vector<int>> deps = {{}, {0}, {1}, {2}, {3}};
  EXPECT_TRUE(FindBranchSections(deps, AllCompute(deps.size()), {}).empty());
}

// A residual block whose shortcut is a convolution has two branches; one whose shortcut is its
// input itself has one, and no section.
TEST(BranchSectionsTest, AShortcutWithAStepIsABranchTheIdentityIsNot) {
  const std::vector<std::vector<int>> projected = {{}, {0}, {1}, {2}, {0}, {3, 4}};
  const auto sections = FindBranchSections(projected, AllCompute(projected.size()), {});
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_THAT(Branches(sections[0]), ElementsAre(ElementsAre(1, 2, 3), ElementsAre(4)));

  const std::vector<std::vector<int>> identity = {{}, {0}, {1}, {2, 0}};
  EXPECT_TRUE(FindBranchSections(identity, AllCompute(identity.size()), {}).empty());
}

// Tower 1-4 splits in two (2, 3) and joins again (4) before the block's join (6): the block's
// section holds the inner one.
TEST(BranchSectionsTest, TheOuterOfNestedSectionsIsKept) {
  const std::vector<std::vector<int>> deps = {{}, {0}, {1}, {1}, {2, 3}, {0}, {4, 5}};
  const auto sections = FindBranchSections(deps, AllCompute(deps.size()), {});
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].first_step, 1);
  EXPECT_EQ(sections[0].end_step, 6);
  EXPECT_THAT(Branches(sections[0]), ElementsAre(ElementsAre(1, 2, 3, 4), ElementsAre(5)));
}

TEST(BranchSectionsTest, ConsecutiveBlocksAreSectionsOfTheirOwn) {
  // Block one: 1 | 2, joined by 3; block two reads 3: 4 | 5, joined by 6.
  const std::vector<std::vector<int>> deps = {{}, {0}, {0}, {1, 2}, {3}, {3}, {4, 5}};
  const auto sections = FindBranchSections(deps, AllCompute(deps.size()), {});
  ASSERT_EQ(sections.size(), 2u);
  EXPECT_EQ(sections[0].first_step, 1);
  EXPECT_EQ(sections[0].end_step, 3);
  EXPECT_EQ(sections[1].first_step, 4);
  EXPECT_EQ(sections[1].end_step, 6);
}

// A branch of a reshape (or a variable read) only is not worth a thread.
TEST(BranchSectionsTest, ASectionNeedsTwoBranchesThatCompute) {
  const std::vector<std::vector<int>> deps = {{}, {0}, {1}, {0}, {2, 3}};
  std::vector<bool> computes = AllCompute(deps.size());
  computes[3] = false;
  EXPECT_TRUE(FindBranchSections(deps, computes, {}).empty());
  computes[3] = true;
  EXPECT_EQ(FindBranchSections(deps, computes, {}).size(), 1u);
}

// A projection block as a SavedModel has it: each convolution reads its weights through a
// variable read just before it, and the join (the last convolution, with the shortcut as its
// residual) reads two of its own. Those reads are branches that do not compute, so they neither
// make a section nor stretch one past the fork.
TEST(BranchSectionsTest, BranchesOfVariableReadsNeitherMakeNorStretchASection) {
  // 0 fork; 1 read, 2 conv; 3 read, 4 conv; 5 the join's read; 6 read, 7 shortcut; 8 join.
  const std::vector<std::vector<int>> deps = {{}, {}, {0, 1}, {},       {2, 3},
                                              {}, {}, {0, 6}, {4, 5, 7}};
  std::vector<bool> computes = AllCompute(deps.size());
  for (int read : {1, 3, 5, 6}) computes[read] = false;
  const auto sections = FindBranchSections(deps, computes, {});
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].first_step, 1);
  EXPECT_EQ(sections[0].end_step, 8);
  EXPECT_THAT(Branches(sections[0]),
              ElementsAre(ElementsAre(1, 2, 3, 4), ElementsAre(6, 7), ElementsAre(5)));
}

// A long chain beside one small step (shape arithmetic joined at the end) is no section worth
// keeping; the block inside the chain is found instead.
TEST(BranchSectionsTest, ALopsidedOuterSectionGivesWayToTheSectionsInsideIt) {
  // 0 fork; a block 1 | 2 joined by 3; a chain 4..12; beside it all, step 13; join 14.
  std::vector<std::vector<int>> deps = {{}, {0}, {0}, {1, 2}};
  for (int s = 4; s <= 12; ++s) deps.push_back({s - 1});
  deps.push_back({});        // 13
  deps.push_back({12, 13});  // 14
  const auto sections = FindBranchSections(deps, AllCompute(deps.size()), {});
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].first_step, 1);
  EXPECT_EQ(sections[0].end_step, 3);
  // With no limit on the share, the outer section is kept and holds the block.
  const auto outer =
      FindBranchSections(deps, AllCompute(deps.size()), {.max_largest_branch_share = 1.0});
  ASSERT_EQ(outer.size(), 1u);
  EXPECT_EQ(outer[0].end_step, 14);
}

// A join is looked back from over at most max_scan_steps steps.
TEST(BranchSectionsTest, TheScanBackStopsAfterMaxScanSteps) {
  std::vector<std::vector<int>> deps = {{}};
  for (int s = 1; s <= 10; ++s) deps.push_back({s - 1});  // a long tower: 1..10
  deps.push_back({0});                                    // a short one: 11
  deps.push_back({10, 11});                               // the join: 12
  const auto sections = FindBranchSections(deps, AllCompute(deps.size()), {.max_scan_steps = 5});
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].first_step, 7);
  EXPECT_EQ(sections[0].end_step, 12);
  EXPECT_THAT(Branches(sections[0]), ElementsAre(ElementsAre(7, 8, 9, 10), ElementsAre(11)));
}

}  // namespace
}  // namespace tern
