// RestApi: TF Serving's REST API as a function from (method, path, body) to (code, body),
// with no networking, so it is testable alone. The Beast server (rest_server.h) calls it.
// Holds a non-owning pointer to the PredictionService. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/prediction_service.h"

namespace tern {

struct RestRequest {
  std::string_view method;
  std::string_view target;
  std::string_view body;  // already gzip-decoded by the server
  // Inference-Header-Content-Length (KServe v2 binary tensor extension); empty when absent.
  std::string_view inference_header_content_length;
};

struct RestResponse {
  int status_code = 200;
  std::string body;
  std::string content_type = "application/json";
  StatusCode code = StatusCode::kOk;  // the canonical code behind status_code, for metrics
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
};

// What the REST server calls: RestApi, or a wrapper around it (metrics_rest_handler.h).
class RestHandler {
 public:
  virtual ~RestHandler() = default;
  virtual RestResponse Handle(const RestRequest& request) const = 0;
  // The server's entry point: answers through `done`, exactly once, maybe on another thread
  // after returning (a predict waiting for its batch holds no thread). The request's views
  // must stay valid until `done` runs. Default: Handle on the calling thread.
  using RestDone = std::function<void(RestResponse)>;
  virtual void HandleAsync(const RestRequest& request, RestDone done) const {
    done(Handle(request));
  }
  // For callers without extra headers (tests, tools).
  RestResponse Handle(std::string_view method, std::string_view target,
                      std::string_view body) const {
    return Handle(RestRequest{method, target, body, {}});
  }
};

class KServeRestApi;

class RestApi : public RestHandler {
 public:
  struct Options {
    // 0: no deadline.
    int64_t timeout_ms = 0;
  };
  // `v2` (not owned; may be null) answers the KServe v2 paths under /v2.
  RestApi(PredictionService* service, Options options, const KServeRestApi* v2 = nullptr)
      : service_(service), options_(options), v2_(v2) {}

  using RestHandler::Handle;
  RestResponse Handle(const RestRequest& request) const override;
  void HandleAsync(const RestRequest& request, RestDone done) const override;

 private:
  RestResponse HandleModelStatus(const ModelRef& ref) const;
  RestResponse HandlePredict(const ModelRef& ref, std::string_view body) const;
  void HandlePredictAsync(const ModelRef& ref, std::string_view body, RestDone done) const;
  RestResponse HandleMetadata(const ModelRef& ref) const;
  // :classify and :regress
  RestResponse HandleExamples(const ModelRef& ref, std::string_view verb, std::string_view body) const;
  void HandleExamplesAsync(const ModelRef& ref, std::string_view verb, std::string_view body,
                           RestDone done) const;
  RunOptions RunOptionsNow() const;  // deadline from options_.timeout_ms
  RestResponse Error(const Status& status) const;

  PredictionService* service_;
  Options options_;
  const KServeRestApi* v2_;
};

}  // namespace tern
