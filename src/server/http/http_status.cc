#include "server/http/http_status.h"

namespace tern {

int ToHttpStatusCode(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kFailedPrecondition: return 400;
    case StatusCode::kOutOfRange: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kAborted: return 409;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kCancelled: return 499;
    case StatusCode::kUnimplemented: return 501;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDeadlineExceeded: return 504;
    case StatusCode::kUnknown:
    case StatusCode::kInternal:
    case StatusCode::kDataLoss: return 500;
  }
  return 500;
}

int ToHttpStatusCode(HttpRefusal refusal) {
  switch (refusal) {
    case HttpRefusal::kBodyTooLarge: return 413;
    case HttpRefusal::kMalformedRequest: return 400;
    case HttpRefusal::kUnsupportedEncoding: return 415;
    case HttpRefusal::kPreflightWithoutOrigin: return 400;
    case HttpRefusal::kNoSuchPath: return 404;
    case HttpRefusal::kMethodNotAllowed: return 405;
  }
  return 400;
}

HttpRefusal BodyDecodingRefusal(StatusCode code) {
  return code == StatusCode::kResourceExhausted ? HttpRefusal::kBodyTooLarge
                                                : HttpRefusal::kMalformedRequest;
}

}  // namespace tern
