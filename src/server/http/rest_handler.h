// The HTTP types every REST API in Tern speaks, free of Beast and of any one API: a request as
// the HTTP server read it, the answer, and the handler interface the server calls. The TF
// Serving API (rest/), KServe v2 (kserve/) and metrics (metrics/) implement RestHandler; the
// router (rest_router.h) picks one by path. Value types; handlers are thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "runtime/kernel.h"

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

// An error answer as both REST APIs write it: {"error": message}, with the HTTP code mapped from
// the status (http_status.h) and the status's code kept for metrics.
RestResponse ErrorResponse(const Status& status);

// A REST request's run options: its deadline is timeout_ms from now (--rest_api_timeout_in_ms;
// 0: none).
RunOptions RestRunOptions(int64_t timeout_ms);

// What the HTTP server calls. Handlers implement HandleAsync only; Handle is written once, here.
class RestHandler {
 public:
  virtual ~RestHandler() = default;
  // The one entry point: answers through `done`, exactly once, maybe on another thread after
  // returning (a predict waiting for its batch holds no thread); an answer known at once is
  // given inline. The request's views must stay valid until `done` runs.
  using RestDone = std::function<void(RestResponse)>;
  virtual void HandleAsync(const RestRequest& request, RestDone done) const = 0;

  // HandleAsync, waited for: for tests and tools, never on a thread `done` may need.
  RestResponse Handle(const RestRequest& request) const;
  // The same for callers without extra headers.
  RestResponse Handle(std::string_view method, std::string_view target,
                      std::string_view body) const;
};

}  // namespace tern
