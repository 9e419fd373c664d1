// The steps around a RestHandler call that do not depend on the HTTP version, shared by the
// HTTP/1.1 and HTTP/2 sessions so that both answer a request alike: content decoding and the
// CORS preflight before the API, the headers every answer carries after it. Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http/rest_handler.h"

namespace tern {

// What the sessions read from a request's head, whatever its HTTP version.
struct RestRequestHead {
  std::string_view method;
  std::string_view target;
  std::string_view content_encoding;
  std::string_view origin;
  std::string_view inference_header_content_length;
};

struct RestExchangeOptions {
  uint64_t max_request_bytes = 256ull << 20;
  bool enable_cors_support = false;
};

// Either the answer to give without calling the API (a CORS preflight, an unsupported or broken
// Content-Encoding), or nullopt with *body set to the body to hand the API: raw_body itself, or
// its gzip decoding stored in *decoded.
std::optional<RestResponse> PrepareRestRequest(const RestRequestHead& head,
                                               std::string_view raw_body,
                                               const RestExchangeOptions& options,
                                               std::string* decoded, std::string_view* body);

// The headers an answer carries besides its content-type and the API's own: server, and CORS
// when enabled. Names in lower case (HTTP/2 requires it; HTTP/1.1 does not care).
std::vector<std::pair<std::string, std::string>> CommonResponseHeaders(bool enable_cors_support);

}  // namespace tern
