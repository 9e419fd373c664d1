// The one place a Status becomes a grpc::Status and back: gRPC codes are the canonical codes
// themselves. The HTTP translation is its twin, http/http_status.h. Stateless; thread-safe.
#pragma once

#include <grpcpp/support/status.h>

#include "common/status.h"

namespace tern {

grpc::Status ToGrpcStatus(const Status& status);
StatusCode FromGrpcStatusCode(grpc::StatusCode code);

}  // namespace tern
