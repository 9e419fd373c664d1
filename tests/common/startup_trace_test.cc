#include "common/startup_trace.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tern {
namespace {

struct Recorder {
  int64_t now_ns = 1000;
  std::vector<std::string> lines;
  StartupTrace::Options Options(bool enabled) {
    StartupTrace::Options options;
    options.enabled = enabled;
    options.monotonic_now_ns = [this] { return now_ns; };
    options.sink = [this](std::string_view line) { lines.emplace_back(line); };
    return options;
  }
};

TEST(StartupTraceTest, ReportsEachPhaseOnceWithItsMonotonicTime) {
  Recorder rec;
  auto trace = StartupTrace::Create(rec.Options(/*enabled=*/true));
  EXPECT_TRUE(trace->Mark("main"));
  rec.now_ns = 2500;
  EXPECT_TRUE(trace->Mark("model_read"));
  rec.now_ns = 9000;
  EXPECT_FALSE(trace->Mark("model_read"));  // a second model, or a reload: not start-up any more
  EXPECT_EQ(rec.lines, (std::vector<std::string>{"startup phase=main mono_ns=1000",
                                                 "startup phase=model_read mono_ns=2500"}));
}

TEST(StartupTraceTest, DisabledTraceWritesNothing) {
  Recorder rec;
  auto trace = StartupTrace::Create(rec.Options(/*enabled=*/false));
  EXPECT_FALSE(trace->Mark("main"));
  EXPECT_TRUE(rec.lines.empty());
}

}  // namespace
}  // namespace tern
