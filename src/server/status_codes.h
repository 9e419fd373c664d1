// The one place each transport translates a Status: HTTP codes follow TF Serving's REST
// mapping; gRPC codes are the canonical codes themselves. Stateless; thread-safe.
#pragma once

#include <grpcpp/support/status.h>

#include "common/status.h"

namespace tern {

int ToHttpStatusCode(StatusCode code);
grpc::Status ToGrpcStatus(const Status& status);
StatusCode FromGrpcStatusCode(grpc::StatusCode code);

}  // namespace tern
