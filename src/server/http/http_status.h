// The one place a Status becomes an HTTP status code, following TF Serving's REST mapping
// (INVALID_ARGUMENT 400, NOT_FOUND 404, RESOURCE_EXHAUSTED 429, UNAVAILABLE 503, ...).
// The gRPC translation is its twin, grpc/grpc_status.h. Stateless; thread-safe.
#pragma once

#include "common/status.h"

namespace tern {

int ToHttpStatusCode(StatusCode code);

}  // namespace tern
