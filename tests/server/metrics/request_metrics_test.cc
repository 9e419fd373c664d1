// Request metrics end to end inside the process: a real SavedModel behind the real RestApi,
// wrapped by MetricsRestHandler; checks labels stay bounded and the page is served.
#include "server/metrics/request_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/metrics/metrics_rest_handler.h"
#include "server/rest/rest_api.h"

namespace tern {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kHalfPlusTwo =
    std::string(TERN_SHARED_DIR) + "/testdata/tf_serving/saved_model_half_plus_two_cpu";

TEST(RestLabelsTest, UrlsMapToFixedMethods) {
  auto l = LabelsForRestRequest("POST", "/v1/models/m/versions/3:predict");
  EXPECT_EQ(l.api, "rest");
  EXPECT_EQ(l.method, "predict");
  EXPECT_EQ(l.model, "m");
  EXPECT_EQ(l.version, 3);
  l = LabelsForRestRequest("GET", "/v1/models/m");
  EXPECT_EQ(l.method, "status");
  EXPECT_FALSE(l.version.has_value());
  EXPECT_EQ(LabelsForRestRequest("GET", "/v1/models/m/metadata").method, "metadata");
  EXPECT_EQ(LabelsForRestRequest("POST", "/v1/models/m:explode").method, "other");
  EXPECT_EQ(LabelsForRestRequest("POST", "/v1/models/m/versions/x:predict").version, std::nullopt);
  l = LabelsForRestRequest("POST", "/v2/models/m/versions/2/infer");
  EXPECT_EQ(l.api, "v2");
  EXPECT_EQ(l.method, "infer");
  EXPECT_EQ(l.model, "m");
  EXPECT_EQ(l.version, 2);
  EXPECT_EQ(LabelsForRestRequest("GET", "/v2/models/m/ready").method, "ready");
  EXPECT_EQ(LabelsForRestRequest("GET", "/v2/models/m").method, "metadata");
  EXPECT_EQ(LabelsForRestRequest("GET", "/v2/health/live").method, "health");
  EXPECT_EQ(LabelsForRestRequest("GET", "/v2/models/m/versions/3/stats").method, "stats");
  l = LabelsForRestRequest("GET", "/v2/models/stats");
  EXPECT_EQ(l.method, "stats");
  EXPECT_EQ(l.model, "");  // not a model named "stats"
  l = LabelsForRestRequest("POST", "/v2/repository/models/m/load");
  EXPECT_EQ(l.method, "repository_load");
  EXPECT_EQ(l.model, "");  // a load names a model that may not be served: no label from it
  EXPECT_EQ(LabelsForRestRequest("POST", "/v2/repository/models/m/unload").method,
            "repository_unload");
  EXPECT_EQ(LabelsForRestRequest("POST", "/v2/repository/index").method, "repository_index");
  EXPECT_EQ(LabelsForRestRequest("POST", "/v2/systemsharedmemory/region/r/register").method,
            "shared_memory");
  EXPECT_EQ(LabelsForRestRequest("GET", "/v2/cudasharedmemory/status").method, "shared_memory");
  EXPECT_EQ(LabelsForRestRequest("GET", "/v2/trace/setting").method, "trace_setting");
  l = LabelsForRestRequest("POST", "/v2/models/m/trace/setting");
  EXPECT_EQ(l.method, "trace_setting");
  EXPECT_EQ(l.model, "m");
  EXPECT_EQ(LabelsForRestRequest("POST", "/v2/logging").method, "logging");
  l = LabelsForRestRequest("GET", "/random/path/123");
  EXPECT_EQ(l.api, "rest");
  EXPECT_EQ(l.method, "other");
  EXPECT_EQ(l.model, "");
}

class RequestMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    manager_ = ModelManager::Create({});
    manager_->SetConfig({{"half_plus_two", kHalfPlusTwo, {}, {}}});
    manager_->Step();
    ASSERT_TRUE(manager_->GetHandle("half_plus_two", std::nullopt).ok());
    metrics_ = Metrics::Create({});
    service_ = std::make_unique<InferenceCore>(manager_.get(), metrics_.get());
    request_metrics_ = RequestMetrics::Create({metrics_.get(), manager_.get()});
    api_ = std::make_unique<RestApi>(service_.get(), RestApi::Options{});
    handler_ = MetricsRestHandler::Create(
        {api_.get(), request_metrics_.get(), {"/monitoring/prometheus/metrics", "/metrics"}});
  }

  std::unique_ptr<ModelManager> manager_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<InferenceCore> service_;
  std::unique_ptr<RequestMetrics> request_metrics_;
  std::unique_ptr<RestApi> api_;
  std::unique_ptr<MetricsRestHandler> handler_;
};

TEST_F(RequestMetricsTest, PredictIsCountedWithTheServedVersion) {
  for (int i = 0; i < 3; ++i) {
    auto r =
        handler_->Handle("POST", "/v1/models/half_plus_two:predict", R"({"instances": [1.0]})");
    ASSERT_EQ(r.status_code, 200) << r.body;
  }
  auto bad = handler_->Handle("POST", "/v1/models/half_plus_two:predict", R"({"instances": "x"})");
  EXPECT_EQ(bad.status_code, 400);
  auto page = handler_->Handle("GET", "/metrics", "");
  EXPECT_EQ(page.status_code, 200);
  EXPECT_EQ(page.content_type, Metrics::kContentType);
  EXPECT_THAT(page.body,
              HasSubstr("tern_requests_total{api=\"rest\",code=\"OK\",method=\"predict\","
                        "model=\"half_plus_two\",version=\"123\"} 3"));
  EXPECT_THAT(page.body, HasSubstr("code=\"INVALID_ARGUMENT\",method=\"predict\","
                                   "model=\"half_plus_two\",version=\"123\"} 1"));
  EXPECT_THAT(page.body, HasSubstr("tern_compute_duration_seconds_count{model=\"half_plus_two\","
                                   "version=\"123\"} 3"));
  EXPECT_THAT(page.body, HasSubstr("tern_requests_in_flight{api=\"rest\"} 0"));
  // The page itself is not counted as a request.
  EXPECT_THAT(page.body, Not(HasSubstr("method=\"other\"")));
}

TEST_F(RequestMetricsTest, UnknownNamesAndVersionsCreateNoNewSeries) {
  for (int i = 0; i < 50; ++i) {
    const std::string name = "nosuchmodel" + std::to_string(i);
    auto r = handler_->Handle("POST", "/v1/models/" + name + ":predict", R"({"instances": [1]})");
    EXPECT_EQ(r.status_code, 404);
    r = handler_->Handle(
        "POST", "/v1/models/half_plus_two/versions/" + std::to_string(1000 + i) + ":predict",
        R"({"instances": [1]})");
    EXPECT_EQ(r.status_code, 404);
  }
  const std::string page = handler_->Handle("GET", "/monitoring/prometheus/metrics", "").body;
  EXPECT_THAT(page, Not(HasSubstr("nosuchmodel")));
  EXPECT_THAT(page, Not(HasSubstr("version=\"10")));
  EXPECT_THAT(page, HasSubstr("code=\"NOT_FOUND\",method=\"predict\",model=\"_unknown\","
                              "version=\"\"} 50"));
  EXPECT_THAT(page, HasSubstr("code=\"NOT_FOUND\",method=\"predict\",model=\"half_plus_two\","
                              "version=\"\"} 50"));
}

TEST_F(RequestMetricsTest, MetricsOffLeavesThePathsToTheApi) {
  auto off = MetricsRestHandler::Create({api_.get(), request_metrics_.get(), {}});
  EXPECT_EQ(off->Handle("GET", "/metrics", "").status_code, 404);
  EXPECT_EQ(off->Handle("GET", "/monitoring/prometheus/metrics", "").status_code, 404);
}

TEST_F(RequestMetricsTest, ObserverNeverFinishedCountsAsCancelled) {
  { RequestMetrics::Observer observer(request_metrics_.get(), "grpc", "Predict"); }
  EXPECT_THAT(metrics_->Render(),
              HasSubstr("tern_requests_total{api=\"grpc\",code=\"CANCELLED\",method=\"Predict\","
                        "model=\"\",version=\"\"} 1"));
  RequestMetrics::Observer no_metrics(nullptr, "grpc", "Predict");
  no_metrics.Finish("half_plus_two", std::nullopt, StatusCode::kOk);  // a no-op, no crash
}

}  // namespace
}  // namespace tern
