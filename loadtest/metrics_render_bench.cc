// Time to render the metrics page with N models loaded, side by side with one REST predict,
// both through the same MetricsRestHandler the server runs (no sockets, so the ratio is about
// Tern's work, not the network). Models are half_plus_two loaded N times under different names;
// each model gets the series a day of traffic leaves (REST and gRPC, OK and errors).
//   build/loadtest/metrics_render_bench --models=50 --benchmark_format=json
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "common/metrics.h"
#include "server/metrics/metrics_collectors.h"
#include "server/metrics/metrics_rest_handler.h"
#include "server/rest/rest_api.h"

namespace {

int g_models = 50;
const std::string kModelPath =
    std::string(TERN_SHARED_DIR) + "/testdata/tf_serving/saved_model_half_plus_two_cpu";

struct Server {
  std::unique_ptr<tern::Metrics> metrics;
  std::unique_ptr<tern::ModelManager> manager;
  std::unique_ptr<tern::InferenceCore> service;
  std::unique_ptr<tern::RequestMetrics> request_metrics;
  std::unique_ptr<tern::RestApi> api;
  std::unique_ptr<tern::MetricsRestHandler> handler;
};

Server& TheServer() {
  static Server* server = [] {
    auto* s = new Server;
    s->metrics = tern::Metrics::Create({});
    s->metrics->AddCollectable(tern::ProcessCollector::Create({}));
    s->manager = tern::ModelManager::Create({});
    s->metrics->AddCollectable(tern::ModelStateCollector::Create({s->manager.get()}));
    s->service = std::make_unique<tern::InferenceCore>(s->manager.get(), s->metrics.get());
    s->request_metrics = tern::RequestMetrics::Create({s->metrics.get(), s->manager.get()});
    s->api = std::make_unique<tern::RestApi>(s->service.get(), tern::RestApi::Options{});
    s->handler =
        tern::MetricsRestHandler::Create({s->api.get(), s->request_metrics.get(), {"/metrics"}});
    std::vector<tern::ServedModelConfig> configs;
    for (int i = 0; i < g_models; ++i) {
      configs.push_back({"model" + std::to_string(i), kModelPath, {}, {}});
    }
    s->manager->SetConfig(configs);
    s->manager->Step();
    for (int i = 0; i < g_models; ++i) {
      const std::string name = "model" + std::to_string(i);
      auto handle = s->manager->GetHandle(name, std::nullopt);
      if (!handle.ok()) {
        std::cerr << handle.status().ToString() << "\n";
        std::exit(1);
      }
      const tern::Status st = tern::Status::Ok();
      s->metrics->RecordModelLoad(name, 0.05, st);
      const std::string url = "/v1/models/" + name;
      s->handler->Handle("POST", url + ":predict", R"({"instances": [1.0]})");
      s->handler->Handle("POST", url + ":predict", R"({"instances": "bad"})");
      s->handler->Handle("GET", url, "");
      s->metrics->RecordRequest({name, "123", "grpc", "Predict"}, tern::StatusCode::kOk, 0.001);
    }
    return s;
  }();
  return *server;
}

void BM_RenderMetricsPage(benchmark::State& state) {
  Server& s = TheServer();
  size_t bytes = 0;
  for (auto _ : state) {
    auto r = s.handler->Handle("GET", "/metrics", "");
    bytes = r.body.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["page_bytes"] = static_cast<double>(bytes);
  state.counters["models"] = g_models;
}

void BM_OneRestPredict(benchmark::State& state) {
  Server& s = TheServer();
  for (auto _ : state) {
    auto r =
        s.handler->Handle("POST", "/v1/models/model0:predict", R"({"instances": [1.0, 2.0, 5.0]})");
    if (r.status_code != 200) state.SkipWithError(r.body.c_str());
    benchmark::DoNotOptimize(r);
  }
  state.counters["models"] = g_models;
}

BENCHMARK(BM_RenderMetricsPage)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_OneRestPredict)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--models=", 9) == 0) {
      g_models = std::atoi(argv[i] + 9);
    } else {
      rest.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  TheServer();
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
