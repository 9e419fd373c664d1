// Metrics rendering, the procfs collector against a fake /proc, and the monitoring config.
#include "common/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "server/metrics/metrics_collectors.h"
#include "server/metrics/monitoring_config.h"

namespace tern {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, RequestIsCountedAndTimedWithItsLabels) {
  auto metrics = Metrics::Create({});
  metrics->RecordRequest({"m", "3", "rest", "predict"}, StatusCode::kOk, 0.002);
  metrics->RecordRequest({"m", "3", "rest", "predict"}, StatusCode::kOk, 0.004);
  metrics->RecordRequest({"m", "", "grpc", "Predict"}, StatusCode::kNotFound, 0.001);
  const std::string page = metrics->Render();
  EXPECT_THAT(page, HasSubstr("tern_requests_total{api=\"rest\",code=\"OK\",method=\"predict\","
                              "model=\"m\",version=\"3\"} 2"));
  EXPECT_THAT(page, HasSubstr("tern_requests_total{api=\"grpc\",code=\"NOT_FOUND\","
                              "method=\"Predict\",model=\"m\",version=\"\"} 1"));
  EXPECT_THAT(page, HasSubstr("tern_request_duration_seconds_count{api=\"rest\",method=\"predict\","
                              "model=\"m\",version=\"3\"} 2"));
  EXPECT_THAT(page,
              HasSubstr("tern_request_duration_seconds_bucket{api=\"rest\",method=\"predict\","
                        "model=\"m\",version=\"3\",le=\"0.0025\"} 1"));
  EXPECT_THAT(page, HasSubstr("tern_build_info{version=\"dev\"} 1"));
  EXPECT_THAT(page, Not(HasSubstr(":tensorflow:serving")));
}

TEST(MetricsTest, InFlightGoesUpAndDown) {
  auto metrics = Metrics::Create({});
  metrics->AddInFlight("rest", 1);
  metrics->AddInFlight("rest", 1);
  EXPECT_THAT(metrics->Render(), HasSubstr("tern_requests_in_flight{api=\"rest\"} 2"));
  metrics->AddInFlight("rest", -1);
  EXPECT_THAT(metrics->Render(), HasSubstr("tern_requests_in_flight{api=\"rest\"} 1"));
}

TEST(MetricsTest, TfServingNamesOnlyWhenAsked) {
  Metrics::Options options;
  options.export_tf_serving_names = true;
  auto metrics = Metrics::Create(options);
  metrics->RecordRequest({"m", "1", "grpc", "Predict"}, StatusCode::kOk, 0.001);
  metrics->RecordRequest({"m", "", "rest", "predict"}, StatusCode::kInvalidArgument, 0.001);
  metrics->RecordRequest({"m", "1", "rest", "status"}, StatusCode::kOk, 0.001);
  metrics->RecordRequest({"m", "1", "v2", "infer"}, StatusCode::kOk, 0.001);
  metrics->RecordInference({.model = "m", .version = 1, .timings = {.compute_infer_ns = 500000}});
  const std::string page = metrics->Render();
  EXPECT_THAT(page,
              HasSubstr(":tensorflow:serving:request_count{model_name=\"m\",status=\"OK\"} 1"));
  EXPECT_THAT(
      page,
      HasSubstr(
          ":tensorflow:serving:request_count{model_name=\"m\",status=\"INVALID_ARGUMENT\"} 1"));
  // Latency in microseconds, successful requests only.
  EXPECT_THAT(page, HasSubstr(":tensorflow:serving:request_latency_count{API=\"Predict\","
                              "entrypoint=\"GRPC\",model_name=\"m\"} 1"));
  EXPECT_THAT(page, HasSubstr(":tensorflow:serving:request_latency_sum{API=\"Predict\","
                              "entrypoint=\"GRPC\",model_name=\"m\"} 1000"));
  EXPECT_THAT(page, Not(HasSubstr("entrypoint=\"REST\"")));
  EXPECT_THAT(page, HasSubstr(":tensorflow:serving:runtime_latency_count{API=\"Predict\","
                              "model_name=\"m\",runtime=\"TF1\"} 1"));
}

TEST(MetricsTest, ModelLoadCountsFailuresAndInitializesBatchingSeries) {
  auto metrics = Metrics::Create({});
  metrics->RecordModelLoad("good", 0.5, Status::Ok());
  metrics->RecordModelLoad("bad", 0.1, NotFound("no versions"));
  const std::string page = metrics->Render();
  EXPECT_THAT(page, HasSubstr("tern_model_load_failures_total{model=\"good\"} 0"));
  EXPECT_THAT(page, HasSubstr("tern_model_load_failures_total{model=\"bad\"} 1"));
  EXPECT_THAT(page, HasSubstr("tern_model_load_duration_seconds_count{model=\"bad\"} 1"));
  EXPECT_THAT(page, HasSubstr("tern_batch_queue_depth{model=\"good\"} 0"));
  EXPECT_THAT(page, HasSubstr("tern_batch_size_count{model=\"good\"} 0"));
  EXPECT_THAT(page, Not(HasSubstr("tern_batch_queue_depth{model=\"bad\"}")));
}

TEST(MetricsTest, BatchingAndLifecycleRecorders) {
  auto metrics = Metrics::Create({});
  metrics->RecordExecution({.model = "m",
                            .version = 1,
                            .batch_size = 8,
                            .padding_rows = 3,
                            .timings = {},
                            .batched = true});
  metrics->RecordInference(
      {.model = "m", .version = 1, .timings = {.queue_ns = 3000000}, .batched = true});
  metrics->SetBatchQueueDepth("m", 5);
  metrics->RecordWarmup("m", 0.2, Status::Ok());
  metrics->SetModelInstances("m", 2);
  const std::string page = metrics->Render();
  EXPECT_THAT(page, HasSubstr("tern_batch_size_bucket{model=\"m\",le=\"8\"} 1"));
  EXPECT_THAT(page, HasSubstr("tern_batch_size_bucket{model=\"m\",le=\"4\"} 0"));
  EXPECT_THAT(page, HasSubstr("tern_batch_padding_rows_sum{model=\"m\"} 3"));
  EXPECT_THAT(page, HasSubstr("tern_batch_queue_duration_seconds_count{model=\"m\"} 1"));
  EXPECT_THAT(page, HasSubstr("tern_batch_queue_depth{model=\"m\"} 5"));
  EXPECT_THAT(
      page,
      HasSubstr("tern_model_warmup_duration_seconds_count{model=\"m\",result=\"success\"} 1"));
  EXPECT_THAT(page, HasSubstr("tern_model_instances{model=\"m\"} 2"));
}

// A scrape-time source naming a family the registry already fills must not repeat the name.
class FakeInstances : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily f{
        "tern_model_instances", "from the collector", prometheus::MetricType::Gauge, {}};
    prometheus::ClientMetric m;
    m.label = {{"model", "m"}};
    m.gauge.value = 7;
    f.metric.push_back(m);
    return {f};
  }
};

TEST(MetricsTest, EachFamilyNameAppearsOnce) {
  auto metrics = Metrics::Create({});
  metrics->AddCollectable(std::make_shared<FakeInstances>());
  EXPECT_THAT(metrics->Render(), HasSubstr("tern_model_instances{model=\"m\"} 7"));
  metrics->SetModelInstances("m", 2);
  const std::string page = metrics->Render();
  EXPECT_THAT(page, HasSubstr("tern_model_instances{model=\"m\"} 2"));
  EXPECT_THAT(page, Not(HasSubstr("} 7")));
  EXPECT_EQ(page.find("# TYPE tern_model_instances"), page.rfind("# TYPE tern_model_instances"));
}

class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tern-proc-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "42" / "fd");
    for (int i = 0; i < 3; ++i) std::ofstream(dir_ / "42" / "fd" / std::to_string(i)) << "";
    Write("stat", "cpu 1 2 3\nbtime 1700000000\nprocesses 10\n");
    Write("42/limits",
          "Limit                     Soft Limit           Hard Limit           Units\n"
          "Max open files            1024                 4096                 files\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }

  ProcessCollector::Options Options() {
    ProcessCollector::Options o;
    o.proc_dir = dir_.string();
    o.process = "42";
    o.clock_ticks_per_second = 100;
    o.page_size_bytes = 4096;
    return o;
  }
  std::filesystem::path dir_;
};

std::string RenderOnly(std::shared_ptr<const prometheus::Collectable> c) {
  auto metrics = Metrics::Create({});
  metrics->AddCollectable(std::move(c));
  return metrics->Render();
}

TEST_F(FakeProc, ReadsStatFdsAndLimits) {
  // A comm with spaces and a parenthesis, then fields 3..24 of proc(5).
  Write("42/stat",
        "42 (tern (x) y) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 1000 123456789 "
        "2500 18446744073709551615\n");
  const std::string page = RenderOnly(ProcessCollector::Create(Options()));
  EXPECT_THAT(page, HasSubstr("process_cpu_seconds_total 3\n"));             // (250 + 50) / 100
  EXPECT_THAT(page, HasSubstr("process_resident_memory_bytes 10240000\n"));  // 2500 pages
  EXPECT_THAT(page, HasSubstr("process_virtual_memory_bytes 123456789\n"));
  EXPECT_THAT(page, HasSubstr("process_threads 9\n"));
  EXPECT_THAT(page, HasSubstr("process_start_time_seconds 1700000010\n"));
  EXPECT_THAT(page, HasSubstr("process_open_fds 3\n"));
  EXPECT_THAT(page, HasSubstr("process_max_fds 1024\n"));
}

TEST_F(FakeProc, GarbledStatDropsItsSeriesOnly) {
  Write("42/stat", "garbage without parentheses\n");
  const std::string page = RenderOnly(ProcessCollector::Create(Options()));
  EXPECT_THAT(page, Not(HasSubstr("process_cpu_seconds_total")));
  EXPECT_THAT(page, HasSubstr("process_open_fds 3\n"));
}

TEST(ProcessCollectorTest, ReadsTheRealProcess) {
  const std::string page = RenderOnly(ProcessCollector::Create({}));
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_open_fds", "process_threads", "process_start_time_seconds"}) {
    EXPECT_THAT(page, HasSubstr(std::string("\n") + name + " ")) << name;
  }
}

TEST(MonitoringConfigTest, OnByDefaultAtBothPaths) {
  auto options = LoadMonitoringConfig("");
  ASSERT_TRUE(options.ok());
  EXPECT_THAT(options->metrics_paths,
              ::testing::ElementsAre("/monitoring/prometheus/metrics", "/metrics"));
}

TEST(MonitoringConfigTest, ReadsTfServingsOwnTestFile) {
  auto options = LoadMonitoringConfig(std::string(TERN_SHARED_DIR) +
                                      "/testdata/tf_serving/monitoring_config.txt");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_THAT(options->metrics_paths,
              ::testing::ElementsAre("/monitoring/prometheus/metrics", "/metrics"));
}

TEST(MonitoringConfigTest, CustomPathAndOff) {
  auto custom = ParseMonitoringConfig("prometheus_config { enable: true path: \"/prom\" }", "t");
  ASSERT_TRUE(custom.ok());
  EXPECT_THAT(custom->metrics_paths, ::testing::ElementsAre("/prom", "/metrics"));
  auto off = ParseMonitoringConfig("prometheus_config { enable: false }", "t");
  ASSERT_TRUE(off.ok());
  EXPECT_TRUE(off->metrics_paths.empty());
  auto empty = ParseMonitoringConfig("", "t");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->metrics_paths.empty());
}

TEST(MonitoringConfigTest, BadFilesSayWhatAndWhere) {
  auto bad = ParseMonitoringConfig("prometheus_config {\n  enabled: true\n}", "'x.txt'");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("'x.txt'"));
  EXPECT_THAT(bad.status().message(),
              HasSubstr("Error parsing text-format tensorflow.serving.MonitoringConfig: 2:"));
  EXPECT_THAT(bad.status().message(), HasSubstr("enabled"));
  auto relative = ParseMonitoringConfig("prometheus_config { enable: true path: \"prom\" }", "t");
  ASSERT_FALSE(relative.ok());
  EXPECT_THAT(relative.status().message(), HasSubstr("must start with '/'"));
  auto missing = LoadMonitoringConfig("/nonexistent/monitoring.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/monitoring.txt"));
}

// One record feeds both readers: the Prometheus page and Triton's statistics extension.
TEST(MetricsTest, InferenceRecordsFeedPrometheusAndStatistics) {
  auto metrics = Metrics::Create({});
  InferenceTimings t{.queue_ns = 2000000,
                     .compute_input_ns = 1000000,
                     .compute_infer_ns = 5000000,
                     .compute_output_ns = 1000000};
  metrics->RecordExecution(
      {.model = "m", .version = 3, .batch_size = 4, .timings = t, .batched = true});
  for (int i = 0; i < 2; ++i) {
    metrics->RecordInference({.model = "m",
                              .version = 3,
                              .duration_ns = 9000000,
                              .timings = t,
                              .rows = 2,
                              .batched = true});
  }
  metrics->RecordInference(
      {.model = "m", .version = 3, .ok = false, .duration_ns = 100, .timings = {}});
  const std::string page = metrics->Render();
  EXPECT_THAT(page, HasSubstr("tern_compute_duration_seconds_count{model=\"m\",version=\"3\"} 2"));
  EXPECT_THAT(page,
              HasSubstr("tern_compute_duration_seconds_sum{model=\"m\",version=\"3\"} 0.014"));
  EXPECT_THAT(page, HasSubstr("tern_batch_queue_duration_seconds_sum{model=\"m\"} 0.004"));

  const VersionStatistics s = metrics->statistics().Get("m", 3);
  EXPECT_EQ(s.success.count, 2u);
  EXPECT_EQ(s.success.ns, 18000000u);
  EXPECT_EQ(s.fail.count, 1u);
  EXPECT_EQ(s.fail.ns, 100u);
  EXPECT_EQ(s.inference_count, 4u);
  EXPECT_EQ(s.execution_count, 1u);
  EXPECT_EQ(s.queue.ns, 4000000u);
  EXPECT_EQ(s.compute_infer.count, 2u);
  EXPECT_EQ(s.compute_infer.ns, 10000000u);
  ASSERT_EQ(s.batch_stats.count(4), 1u);
  EXPECT_EQ(s.batch_stats.at(4).compute_infer.count, 1u);
  EXPECT_EQ(s.batch_stats.at(4).compute_infer.ns, 5000000u);
  EXPECT_GT(s.last_inference_ms, 0u);
  EXPECT_EQ(metrics->statistics().Get("m", 4).success.count, 0u);
  EXPECT_EQ(metrics->statistics().Get("other", 3).execution_count, 0u);
}

}  // namespace
}  // namespace tern
