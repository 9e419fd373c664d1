// RestApi: TF Serving's REST API as a function from (method, path, body) to (code, body),
// with no networking, so it is testable alone. The HTTP server (http/http_server.h) calls it.
// Holds a non-owning pointer to the InferenceCore. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/core/inference_core.h"
#include "server/http/rest_handler.h"

namespace tern {

class RestApi : public RestHandler {
 public:
  struct Options {
    // 0: no deadline.
    int64_t timeout_ms = 0;
  };
  RestApi(InferenceCore* service, Options options) : service_(service), options_(options) {}

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

  InferenceCore* service_;
  Options options_;
};

}  // namespace tern
