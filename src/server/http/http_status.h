// The one place an HTTP status code is chosen. A Status becomes one by TF Serving's REST mapping
// (INVALID_ARGUMENT 400, NOT_FOUND 404, RESOURCE_EXHAUSTED 429, UNAVAILABLE 503, ...); the gRPC
// translation is its twin, grpc/grpc_status.h. The HTTP layer's own refusals, which no Status
// names precisely, have theirs here too. Stateless; thread-safe.
#pragma once

#include "common/status.h"

namespace tern {

int ToHttpStatusCode(StatusCode code);

// Refusals that belong to HTTP itself, found before (or beside) an API's answer. 413, 415 and 405
// exist beside the canonical mapping because they tell an HTTP client exactly what to change (a
// smaller body, another Content-Encoding, another method), where a canonical code would not: a
// body over the limit is RESOURCE_EXHAUSTED to the decoder, but 429 would invite a retry.
enum class HttpRefusal {
  kBodyTooLarge,            // 413: the body, or its gzip decoding, passed the size limit
  kMalformedRequest,        // 400: not a readable HTTP request, or a gzip body that does not decode
  kUnsupportedEncoding,     // 415: a Content-Encoding other than gzip and identity
  kPreflightWithoutOrigin,  // 400: a CORS preflight without Origin (TF Serving requires one)
  kNoSuchPath,              // 404: a path no API serves
  kMethodNotAllowed,        // 405: a method other than GET and POST
};
int ToHttpStatusCode(HttpRefusal refusal);

// A body that could not be decoded (http/gzip.h): RESOURCE_EXHAUSTED means it decoded past the
// size limit; anything else, that it is malformed.
HttpRefusal BodyDecodingRefusal(StatusCode code);

}  // namespace tern
