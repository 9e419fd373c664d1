#include "server/grpc/grpc_status.h"

namespace tern {

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), status.message());
}

StatusCode FromGrpcStatusCode(grpc::StatusCode code) {
  const int value = static_cast<int>(code);
  if (value < 0 || value > static_cast<int>(StatusCode::kUnauthenticated)) {
    return StatusCode::kUnknown;
  }
  return static_cast<StatusCode>(value);
}

}  // namespace tern
