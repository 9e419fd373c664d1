#include "server/kserve/trace.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tern {
namespace {

using Clock = std::chrono::steady_clock;

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("tern_trace_test_" + std::to_string(getpid()) + "_" + name))
      .string();
}

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

std::vector<std::string> Value(std::string v) { return {std::move(v)}; }

int TraceRequests(InferenceTracer& tracer, const std::string& model, int n) {
  int traced = 0;
  for (int i = 0; i < n; ++i) {
    auto trace = tracer.Sample(model);
    if (!trace) continue;
    ++traced;
    trace->model_version = 4;
    trace->Stamp("REQUEST_START", Clock::now());
    trace->Stamp("REQUEST_END", Clock::now());
    tracer.Finish(*trace);
  }
  return traced;
}

TEST(InferenceTracer, OffByDefaultAndSettingsRoundTrip) {
  InferenceTracer tracer(TempPath("a.json"));
  EXPECT_EQ(tracer.Sample("m"), nullptr);
  auto s = tracer.Settings("");
  EXPECT_EQ(s["trace_level"], Value("OFF"));
  EXPECT_EQ(s["trace_rate"], Value("1000"));
  EXPECT_EQ(s["trace_count"], Value("-1"));
  EXPECT_EQ(s["log_frequency"], Value("0"));
  ASSERT_TRUE(
      tracer.Update("", {{"trace_level", Value("TIMESTAMPS")}, {"trace_rate", Value("3")}}).ok());
  ASSERT_TRUE(tracer.Update("m", {{"trace_rate", Value("1")}}).ok());
  EXPECT_EQ(tracer.Settings("m")["trace_rate"], Value("1"));
  EXPECT_EQ(tracer.Settings("other")["trace_rate"], Value("3"));
  ASSERT_TRUE(tracer.Update("m", {{"trace_rate", std::nullopt}}).ok());
  EXPECT_EQ(tracer.Settings("m")["trace_rate"], Value("3"));
}

TEST(InferenceTracer, SamplesOneInRateAndStopsAtCount) {
  InferenceTracer tracer(TempPath("b.json"));
  ASSERT_TRUE(
      tracer.Update("", {{"trace_level", Value("TIMESTAMPS")}, {"trace_rate", Value("4")}}).ok());
  EXPECT_EQ(TraceRequests(tracer, "m", 12), 3);
  ASSERT_TRUE(tracer.Update("", {{"trace_rate", Value("1")}, {"trace_count", Value("2")}}).ok());
  EXPECT_EQ(TraceRequests(tracer, "m", 5), 2);
  EXPECT_EQ(tracer.Settings("")["trace_count"], Value("0"));
}

TEST(InferenceTracer, WritesTritonsFormatEveryLogFrequencyAndAtTheEnd) {
  const std::string path = TempPath("c.json");
  {
    InferenceTracer tracer(path);
    ASSERT_TRUE(tracer
                    .Update("", {{"trace_level", Value("TIMESTAMPS")},
                                 {"trace_rate", Value("1")},
                                 {"log_frequency", Value("2")}})
                    .ok());
    EXPECT_EQ(TraceRequests(tracer, "m", 3), 3);
    auto first = ReadJson(path + ".0");
    ASSERT_EQ(first.size(), 4u);  // two traces, each a model object and a timestamps object
    EXPECT_EQ(first[0]["model_name"], "m");
    EXPECT_EQ(first[0]["model_version"], 4);
    EXPECT_EQ(first[1]["id"], first[0]["id"]);
    EXPECT_EQ(first[1]["timestamps"][0]["name"], "REQUEST_START");
    EXPECT_FALSE(std::filesystem::exists(path + ".1"));
  }
  EXPECT_EQ(ReadJson(path + ".1").size(), 2u);  // the rest, when the tracer goes
  std::filesystem::remove(path + ".0");
  std::filesystem::remove(path + ".1");
}

TEST(InferenceTracer, RefusesWhatItCannotDoAndChangesNothing) {
  InferenceTracer tracer(TempPath("d.json"));
  EXPECT_FALSE(tracer.Update("", {{"trace_level", Value("TENSORS")}}).ok());
  EXPECT_FALSE(tracer.Update("", {{"trace_rate", Value("zero")}}).ok());
  EXPECT_FALSE(tracer.Update("", {{"trace_file", Value("/tmp/x")}}).ok());
  EXPECT_FALSE(tracer.Update("m", {{"log_frequency", Value("1")}}).ok());
  // All or nothing: the valid trace_level is not applied with the invalid rate.
  EXPECT_FALSE(
      tracer.Update("", {{"trace_level", Value("TIMESTAMPS")}, {"trace_rate", Value("-1")}}).ok());
  EXPECT_EQ(tracer.Settings("")["trace_level"], Value("OFF"));

  InferenceTracer no_file("");
  Status on = no_file.Update("", {{"trace_level", Value("TIMESTAMPS")}});
  EXPECT_EQ(on.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(on.message().find("--trace_file"), std::string::npos);
  EXPECT_EQ(no_file.Sample("m"), nullptr);
}

}  // namespace
}  // namespace tern
