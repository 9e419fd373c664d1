#include "common/thread_name.h"

#include <gtest/gtest.h>

#include <thread>

namespace tern {
namespace {

TEST(ThreadNameTest, NamesTheCallingThreadOnly) {
  std::string seen;
  std::thread worker([&seen] {
    SetCurrentThreadName("tern-test");
    seen = CurrentThreadName();
  });
  worker.join();
  EXPECT_EQ(seen, "tern-test");
  EXPECT_NE(CurrentThreadName(), "tern-test");
}

TEST(ThreadNameTest, LongNamesAreCutToWhatLinuxKeeps) {
  std::string seen;
  std::thread worker([&seen] {
    SetCurrentThreadName("tern-a-name-far-too-long-for-linux");
    seen = CurrentThreadName();
  });
  worker.join();
  EXPECT_EQ(seen, "tern-a-name-far");
}

}  // namespace
}  // namespace tern
