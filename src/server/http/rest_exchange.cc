#include "server/http/rest_exchange.h"

#include <strings.h>

#include "server/codec/json_tensor.h"
#include "server/http/gzip.h"
#include "server/http/http_status.h"

namespace tern {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

RestResponse Refusal(HttpRefusal refusal, const std::string& message) {
  RestResponse response;
  response.status_code = ToHttpStatusCode(refusal);
  response.body = WriteErrorResponse(message);
  return response;
}

}  // namespace

std::optional<RestResponse> PrepareRestRequest(const RestRequestHead& head,
                                               std::string_view raw_body,
                                               const RestExchangeOptions& options,
                                               std::string* decoded, std::string_view* body) {
  *body = raw_body;
  if (head.method == "OPTIONS" && options.enable_cors_support) {
    // A CORS preflight; TF Serving requires an Origin on it.
    if (head.origin.empty()) {
      return Refusal(HttpRefusal::kPreflightWithoutOrigin,
                     "CORS preflight (OPTIONS) without an Origin header");
    }
    RestResponse response;
    response.content_type = "text/plain";
    return response;
  }
  const std::string_view encoding = head.content_encoding;
  if (!encoding.empty() && !EqualsIgnoringCase(encoding, "identity") &&
      !EqualsIgnoringCase(encoding, "gzip")) {
    return Refusal(
        HttpRefusal::kUnsupportedEncoding,
        "unsupported Content-Encoding '" + std::string(encoding) + "' (supported: gzip, identity)");
  }
  if (EqualsIgnoringCase(encoding, "gzip")) {
    auto gunzipped = GunzipBody(raw_body, options.max_request_bytes);
    if (!gunzipped.ok()) {
      return Refusal(BodyDecodingRefusal(gunzipped.status().code()),
                     std::string(gunzipped.status().message()));
    }
    *decoded = std::move(gunzipped).value();
    *body = *decoded;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> CommonResponseHeaders(bool enable_cors_support) {
  std::vector<std::pair<std::string, std::string>> headers{{"server", "tern"}};
  if (enable_cors_support) {
    headers.emplace_back("access-control-allow-origin", "*");
    headers.emplace_back("access-control-allow-methods", "POST, GET");
    headers.emplace_back("access-control-allow-headers", "Content-Type");
  }
  return headers;
}

}  // namespace tern
