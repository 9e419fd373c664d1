#include "server/grpc/grpc_health.h"

#include <thread>

namespace tern {

using grpc::health::v1::HealthCheckResponse;

HealthCheckResponse::ServingStatus GrpcHealthService::StatusOf(const std::string& name) const {
  if (name.empty()) {
    return readiness_->ServerReady() ? HealthCheckResponse::SERVING
                                     : HealthCheckResponse::NOT_SERVING;
  }
  return names_.count(name) ? HealthCheckResponse::SERVING : HealthCheckResponse::SERVICE_UNKNOWN;
}

grpc::Status GrpcHealthService::Check(grpc::ServerContext*,
                                      const grpc::health::v1::HealthCheckRequest* request,
                                      HealthCheckResponse* response) {
  const auto status = StatusOf(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "unknown service '" + request->service() + "'");
  }
  response->set_status(status);
  return grpc::Status::OK;
}

grpc::Status GrpcHealthService::Watch(grpc::ServerContext* context,
                                      const grpc::health::v1::HealthCheckRequest* request,
                                      grpc::ServerWriter<HealthCheckResponse>* writer) {
  bool first = true;
  auto last = HealthCheckResponse::UNKNOWN;
  while (!context->IsCancelled()) {
    const auto status = StatusOf(request->service());
    if (first || status != last) {
      HealthCheckResponse response;
      response.set_status(status);
      if (!writer->Write(response)) break;
      first = false;
      last = status;
    }
    // A watch must not hold a draining server up: it has told the client NOT_SERVING.
    if (readiness_->draining()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return grpc::Status::OK;
}

}  // namespace tern
