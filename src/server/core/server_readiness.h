// Whether the server as a whole should get traffic, asked by every readiness check (KServe v2
// /v2/health/ready and ServerReady, grpc.health.v1): every known model has an available
// version and no drain has begun. An interface so that a health check needs no API above it.
// Implementations are thread-safe.
#pragma once

namespace tern {

class ServerReadiness {
 public:
  virtual ~ServerReadiness() = default;
  // Every model the server knows has an available version (and there is at least one), and
  // the server is not draining.
  virtual bool ServerReady() const = 0;
  // Shutdown has begun: load balancers should look elsewhere.
  virtual bool draining() const = 0;
};

}  // namespace tern
