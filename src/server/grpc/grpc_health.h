// grpc.health.v1.Health: "" follows server readiness (every model has an available version),
// a known service name is SERVING, an unknown one is NOT_FOUND (as gRPC's own health service
// answers). Watch sends the status whenever it changes, polling every 100 ms until the call
// ends or the server drains (after sending NOT_SERVING). Thread-safe; the ServerReadiness is
// not owned.
#pragma once

#include <set>
#include <string>

#include "grpc/health.grpc.pb.h"
#include "server/core/server_readiness.h"

namespace tern {

class GrpcHealthService final : public grpc::health::v1::Health::Service {
 public:
  GrpcHealthService(const ServerReadiness* readiness, std::set<std::string> service_names)
      : readiness_(readiness), names_(std::move(service_names)) {}

  grpc::Status Check(grpc::ServerContext*, const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  grpc::Status Watch(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

 private:
  grpc::health::v1::HealthCheckResponse::ServingStatus StatusOf(const std::string& name) const;

  const ServerReadiness* readiness_;
  const std::set<std::string> names_;
};

}  // namespace tern
