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
#include "server/core/activity_tracker.h"
#include "server/grpc/grpc_drain_gate.h"
#include "server/http/rest_handler.h"
#include "server/listen/listen_fds.h"

namespace tern {

// What the front door needs of the command line (TF Serving's flag names; app/ fills it from
// ServerFlags), so that listening knows nothing of flag parsing.
struct FrontDoorOptions {
  int32_t port = 8500;           // --port: gRPC
  int32_t rest_api_port = 8501;  // --rest_api_port: 0 disables REST
  bool port_given = false;       // --port or --rest_api_port was on the command line ($PORT yields)
  std::string ssl_config_file;
  std::string grpc_socket_path;
  std::string grpc_channel_arguments;
  int32_t grpc_max_threads = 0;
  bool rest_api_enable_cors_support = false;
  int64_t max_request_bytes = int64_t{256} << 20;
  int32_t rest_api_num_threads = 0;  // 0: one per core
  int32_t idle_shutdown_seconds = 0;
};

struct ListenPlan {
  int grpc_port = 0;     // own gRPC TCP listener; 0: none
  int rest_port = 0;     // own REST listener; 0: none
  int shared_port = -1;  // one listener for both protocols; -1: none, 0: a free port
  std::vector<InheritedSocket> inherited;  // both protocols, routed per connection
};

// Pure. With inherited sockets Tern opens no TCP port of its own. Otherwise $PORT (port_env,
// null when unset) puts both protocols on that port unless --port or --rest_api_port was given;
// --port equal to --rest_api_port does the same. INVALID_ARGUMENT for a bad $PORT, and for TLS
// (--ssl_config_file) on a routed listener, where gRPC is plaintext only.
StatusOr<ListenPlan> PlanListeners(const FrontDoorOptions& options, const char* port_env,
                                   std::vector<InheritedSocket> inherited);

class FrontDoor {
 public:
  struct Endpoints {
    const RestHandler* rest_handler = nullptr;
    std::vector<grpc::Service*> grpc_services;
    ActivityTracker* activity = nullptr;
    GrpcDrainGate* grpc_gate = nullptr;  // the gate the gRPC services consult; closed by Drain
  };
  static StatusOr<std::unique_ptr<FrontDoor>> Start(const FrontDoorOptions& options,
                                                    ListenPlan plan, Endpoints endpoints);
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
