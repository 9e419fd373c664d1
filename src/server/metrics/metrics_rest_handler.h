// MetricsRestHandler: wraps the REST API to serve the Prometheus page on the REST port
// (TF Serving's /monitoring/prometheus/metrics and /metrics) and to count and time every other
// request with labels parsed from the URL and bounded by RequestMetrics. Thread-safe; the inner
// handler, Metrics and RequestMetrics are not owned and must outlive it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/http/rest_handler.h"
#include "server/metrics/request_metrics.h"

namespace tern {

// The metric labels a REST URL names: api ("rest" or "v2"), a method from a fixed list, the
// model and the version asked for. Pure; exposed for tests.
struct RestRequestLabels {
  std::string_view api = "rest";
  std::string_view method = "other";
  std::string model;
  std::optional<int64_t> version;
};
RestRequestLabels LabelsForRestRequest(std::string_view http_method, std::string_view path);

class MetricsRestHandler : public RestHandler {
 public:
  struct Options {
    const RestHandler* inner = nullptr;
    const RequestMetrics* request_metrics = nullptr;
    // Paths answered with the metrics page; empty: metrics are off (the paths fall through to
    // the inner handler).
    std::vector<std::string> metrics_paths;
  };
  static std::unique_ptr<MetricsRestHandler> Create(Options options);

  void HandleAsync(const RestRequest& request, RestDone done) const override;

 private:
  explicit MetricsRestHandler(Options options) : options_(std::move(options)) {}
  const Options options_;
};

}  // namespace tern
