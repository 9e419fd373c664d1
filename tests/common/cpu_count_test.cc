#include "common/cpu_count.h"

#include <gtest/gtest.h>
#include <sched.h>

namespace tern {
namespace {

TEST(CpuCountTest, CgroupV2QuotaRoundsUpToWholeCores) {
  EXPECT_EQ(CoresFromCgroupCpuMax("200000 100000"), 2);
  EXPECT_EQ(CoresFromCgroupCpuMax("150000 100000"), 2);  // --cpus=1.5
  EXPECT_EQ(CoresFromCgroupCpuMax("50000 100000"), 1);   // half a core still gets one thread
}

TEST(CpuCountTest, NoLimitOrNonsenseIsNoQuota) {
  EXPECT_EQ(CoresFromCgroupCpuMax("max 100000"), std::nullopt);
  EXPECT_EQ(CoresFromCgroupCpuMax(""), std::nullopt);
  EXPECT_EQ(CoresFromCgroupCpuMax("100000"), std::nullopt);
  EXPECT_EQ(CoresFromCgroupCpuMax("-1 100000"), std::nullopt);
  EXPECT_EQ(CoresFromCgroupCpuMax("200000 0"), std::nullopt);
  EXPECT_EQ(CoresFromCgroupCpuMax("2e5 100000"), std::nullopt);
}

TEST(CpuCountTest, NeverMoreThanTheAffinityMaskAllows) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  EXPECT_GE(SchedulableCores(), 1);
  EXPECT_LE(SchedulableCores(), CPU_COUNT(&set));
}

}  // namespace
}  // namespace tern
