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

// What the HTTP server calls.
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

}  // namespace tern
