// Builds and starts the gRPC server from TF Serving's gRPC flags: TCP port, optional UNIX
// socket, channel arguments, thread cap, TLS from an SSLConfig file; with server reflection
// registered (grpc.health.v1 is one of the services passed in: grpc_health.h). Services are not
// owned and must outlive the server.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"
#include "server/core/activity_tracker.h"

namespace tern {

struct GrpcServerOptions {
  int port = 8500;                      // 0: no TCP listener (connections may come by fd)
  std::string socket_path;              // "": no UNIX socket
  std::string channel_arguments;        // --grpc_channel_arguments
  int max_threads = 0;                  // 0: max(256, 4 per core)
  std::string ssl_config_file;          // "": plaintext
  ActivityTracker* activity = nullptr;  // optional, not owned: told when each RPC starts/ends
};

struct StartedGrpcServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;  // bound TCP port (0 when none)
};

// "a=1,b=x" -> {("a", 1), ("b", "x")}: a value that parses as an int32 is an int, as in TF
// Serving. INVALID_ARGUMENT for an entry without '='.
StatusOr<std::vector<std::pair<std::string, std::variant<int, std::string>>>> ParseChannelArguments(
    const std::string& text);

StatusOr<StartedGrpcServer> StartGrpcServer(const GrpcServerOptions& options,
                                            const std::vector<grpc::Service*>& services);

}  // namespace tern
