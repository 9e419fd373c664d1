// Tern's front door: where it listens and how it stops listening. Listeners are its own ports
// (TF Serving's --port and --rest_api_port), sockets inherited from systemd, or one port for
// both protocols ($PORT, or --port equal to --rest_api_port), where each connection is routed by
// its first bytes (connection_router.h). Drain closes every listener and lets the requests
// already accepted finish. Start, Drain and the destructor are called from one thread; the
// handler, services, tracker and gate are not owned and must outlive the FrontDoor.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/activity_tracker.h"
#include "server/grpc_drain_gate.h"
#include "server/flags.h"
#include "server/listen_fds.h"
#include "server/rest_api.h"

namespace tern {

struct ListenPlan {
  int grpc_port = 0;    // own gRPC TCP listener; 0: none
  int rest_port = 0;    // own REST listener; 0: none
  int shared_port = -1;  // one listener for both protocols; -1: none, 0: a free port
  std::vector<InheritedSocket> inherited;  // both protocols, routed per connection
};

// Pure. With inherited sockets Tern opens no TCP port of its own. Otherwise $PORT (port_env,
// null when unset) puts both protocols on that port unless --port or --rest_api_port was given;
// --port equal to --rest_api_port does the same. INVALID_ARGUMENT for a bad $PORT, and for TLS
// (--ssl_config_file) on a routed listener, where gRPC is plaintext only.
StatusOr<ListenPlan> PlanListeners(const ServerFlags& flags, const char* port_env,
                                   std::vector<InheritedSocket> inherited);

class FrontDoor {
 public:
  struct Endpoints {
    const RestHandler* rest_handler = nullptr;
    std::vector<grpc::Service*> grpc_services;
    ActivityTracker* activity = nullptr;
    GrpcDrainGate* grpc_gate = nullptr;  // the gate the gRPC services consult; closed by Drain
  };
  static StatusOr<std::unique_ptr<FrontDoor>> Start(const ServerFlags& flags, ListenPlan plan,
                                                    Endpoints endpoints);
  ~FrontDoor();

  // What was still open at the drain deadline (all zero: a clean drain).
  struct DrainReport {
    int64_t rest_connections_left = 0;
    int64_t requests_left = 0;  // REST and gRPC; these were cancelled or cut off
  };
  // Closes the listeners and the gRPC gate, answers what was accepted (up to timeout_ms), waits
  // until gRPC calls stopped coming, then stops serving.
  DrainReport Drain(int64_t timeout_ms);

 private:
  struct Impl;
  explicit FrontDoor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tern
