#include "runtime/branch_mode.h"

#include <gtest/gtest.h>

namespace tern {
namespace {

// Times one run the way the mode chose, `in_order` or `side_by_side` seconds.
BranchWay RunOnce(BranchMode& mode, int64_t batch, double in_order, double side_by_side) {
  const BranchWay way = mode.Choose(batch);
  mode.Record(batch, way, way == BranchWay::kInOrder ? in_order : side_by_side);
  return way;
}

TEST(BranchModeTest, MeasuresBothWaysInTurnThenKeepsTheFaster) {
  BranchMode mode(BranchMode::Options{.samples_per_way = 3});
  int side_by_side = 0;
  for (int run = 0; run < 6; ++run) {
    const BranchWay way = RunOnce(mode, 1, 2e-3, 1e-3);
    // In turn: in order first, then side by side, and so on.
    EXPECT_EQ(way, run % 2 == 0 ? BranchWay::kInOrder : BranchWay::kSideBySide) << run;
    side_by_side += way == BranchWay::kSideBySide;
  }
  EXPECT_EQ(side_by_side, 3);
  for (int run = 0; run < 5; ++run) EXPECT_EQ(mode.Choose(1), BranchWay::kSideBySide);
}

TEST(BranchModeTest, TheFastestRunOfEachWayDecidesNotOneSlowRun) {
  BranchMode mode(BranchMode::Options{.samples_per_way = 3});
  // Side by side is faster but one of its runs was slow (a noisy neighbour).
  const double side_by_side[] = {5e-3, 1e-3, 1e-3};
  for (int run = 0; run < 6; ++run) {
    const BranchWay way = mode.Choose(8);
    mode.Record(8, way, way == BranchWay::kInOrder ? 2e-3 : side_by_side[run / 2]);
  }
  EXPECT_EQ(mode.Choose(8), BranchWay::kSideBySide);
}

TEST(BranchModeTest, SideBySideMustBeClearlyFasterToTakeTheSecondCore) {
  BranchMode tie(BranchMode::Options{.samples_per_way = 2, .min_side_by_side_gain = 0.03});
  for (int run = 0; run < 4; ++run) RunOnce(tie, 1, 1.00e-3, 0.98e-3);
  EXPECT_EQ(tie.Choose(1), BranchWay::kInOrder);
  BranchMode gain(BranchMode::Options{.samples_per_way = 2, .min_side_by_side_gain = 0.03});
  for (int run = 0; run < 4; ++run) RunOnce(gain, 1, 1.00e-3, 0.96e-3);
  EXPECT_EQ(gain.Choose(1), BranchWay::kSideBySide);
}

TEST(BranchModeTest, EachBatchSizeIsMeasuredOnItsOwn) {
  BranchMode mode(BranchMode::Options{.samples_per_way = 2});
  for (int run = 0; run < 4; ++run) RunOnce(mode, 1, 2e-3, 1e-3);
  for (int run = 0; run < 4; ++run) RunOnce(mode, 64, 1e-3, 2e-3);
  EXPECT_EQ(mode.Choose(1), BranchWay::kSideBySide);
  EXPECT_EQ(mode.Choose(64), BranchWay::kInOrder);
}

TEST(BranchModeTest, AFixedPolicyOverridesTheMeasurement) {
  BranchMode mode(BranchMode::Options{.samples_per_way = 1});
  for (int run = 0; run < 2; ++run) RunOnce(mode, 1, 2e-3, 1e-3);
  BranchMode::SetPolicy(BranchPolicy::kInOrder);
  EXPECT_EQ(mode.Choose(1), BranchWay::kInOrder);
  BranchMode::SetPolicy(BranchPolicy::kSideBySide);
  EXPECT_EQ(mode.Choose(64), BranchWay::kSideBySide);
  BranchMode::SetPolicy(BranchPolicy::kMeasured);
  EXPECT_EQ(mode.Choose(1), BranchWay::kSideBySide);
}

}  // namespace
}  // namespace tern
