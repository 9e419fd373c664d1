// RestApi: TF Serving's REST API as a function from (method, path, body) to (code, body),
// with no networking, so it is testable alone. The HTTP server reaches it through the router
// (http/rest_router.h).
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

  // A predict, classify or regress answers on a batch thread; everything else inline.
  void HandleAsync(const RestRequest& request, RestDone done) const override;

 private:
  RestResponse HandleModelStatus(const ModelRef& ref) const;
  void HandlePredict(const ModelRef& ref, std::string_view body, RestDone done) const;
  RestResponse HandleMetadata(const ModelRef& ref) const;
  // :classify and :regress
  void HandleExamples(const ModelRef& ref, std::string_view verb, std::string_view body,
                      RestDone done) const;
  RunOptions RunOptionsNow() const { return RestRunOptions(options_.timeout_ms); }

  InferenceCore* service_;
  Options options_;
};

}  // namespace tern
