#include "common/recent_run_times.h"

#include <gtest/gtest.h>

namespace tern {
namespace {

using std::chrono::milliseconds;

void RecordMany(RecentRunTimes& times, int count, milliseconds each) {
  for (int i = 0; i < count; ++i) times.Record(each);
}

TEST(RecentRunTimesTest, NothingToSayBeforeEnoughSamples) {
  RecentRunTimes times;
  RecordMany(times, RecentRunTimes::kMinSamples - 1, milliseconds(5));
  EXPECT_EQ(times.Typical().count(), 0);
  times.Record(milliseconds(5));
  EXPECT_EQ(times.Typical(), milliseconds(5));
}

TEST(RecentRunTimesTest, AFewSlowRunsDoNotSetIt) {
  // A model's first runs prepare its weights (here 300 ms against 5 ms after): a burst of
  // requests queued behind them must not be refused for a wait that will not happen.
  RecentRunTimes times;
  RecordMany(times, 2, milliseconds(300));
  EXPECT_EQ(times.Typical().count(), 0);  // too few runs to say
  RecordMany(times, 6, milliseconds(5));
  EXPECT_EQ(times.Typical(), milliseconds(5));  // the two slow ones are trimmed off
  // Once most recent runs are slow, the typical run time follows them.
  RecordMany(times, 14, milliseconds(40));
  EXPECT_EQ(times.Typical(), milliseconds(40));
}

TEST(RecentRunTimesTest, AMixIsWeighedByBothKinds) {
  // Half short, half long items: the middle half holds some of each, so the estimate lies
  // between them rather than at either.
  RecentRunTimes times;
  for (int i = 0; i < RecentRunTimes::kWindow / 2; ++i) {
    times.Record(milliseconds(2));
    times.Record(milliseconds(10));
  }
  EXPECT_EQ(times.Typical(), milliseconds(6));
}

}  // namespace
}  // namespace tern
