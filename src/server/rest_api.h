// RestApi: TF Serving's REST API as a function from (method, path, body) to (code, body),
// with no networking, so it is testable alone. The Beast server (rest_server.h) calls it.
// Holds a non-owning pointer to the PredictionService. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "server/prediction_service.h"

namespace tern {

struct RestResponse {
  int status_code = 200;
  std::string body;
  std::string content_type = "application/json";
  StatusCode code = StatusCode::kOk;  // the canonical code behind status_code, for metrics
};

// What the REST server calls: RestApi, or a wrapper around it (metrics_rest_handler.h).
class RestHandler {
 public:
  virtual ~RestHandler() = default;
  virtual RestResponse Handle(std::string_view method, std::string_view target,
                              std::string_view body) const = 0;
};

class RestApi : public RestHandler {
 public:
  struct Options {
    // 0: no deadline.
    int64_t timeout_ms = 0;
  };
  RestApi(PredictionService* service, Options options) : service_(service), options_(options) {}

  RestResponse Handle(std::string_view method, std::string_view target,
                      std::string_view body) const override;

 private:
  RestResponse HandleModelStatus(const ModelRef& ref) const;
  RestResponse HandlePredict(const ModelRef& ref, std::string_view body) const;
  RestResponse Error(const Status& status) const;

  PredictionService* service_;
  Options options_;
};

}  // namespace tern
