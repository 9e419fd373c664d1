// HttpServer: HTTP/1.1 (keep-alive) on Boost.Beast and HTTP/2 (nghttp2, http2_session.h), both
// feeding a RestHandler (the router). A connection speaks HTTP/2 when it opens with the client
// preface (prior knowledge) or asks for `Upgrade: h2c`; its gRPC streams go to the gRPC server
// through connect_grpc.
// Owns its io_context threads; Start, StartDrain, WaitDrained and Stop are called from one
// thread, AdoptConnection from any. The RestHandler and ActivityTracker are not owned and must
// outlive the server.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/core/activity_tracker.h"
#include "server/http/rest_handler.h"

namespace tern {

class HttpServer {
 public:
  struct Options {
    std::string address = "0.0.0.0";
    int port = 8501;  // 0 picks a free port; -1: no listener (connections come by AdoptConnection)
    int num_threads = 2;
    uint64_t max_request_bytes = 256ull << 20;  // after gzip decoding too
    bool enable_cors_support = false;           // --rest_api_enable_cors_support
    // A connection that sends nothing (or drips a request slower than this) is closed.
    int64_t idle_timeout_s = 300;
    // While draining, a connection waiting for its next request is closed after this long.
    int64_t drain_idle_ms = 500;
    ActivityTracker* activity = nullptr;  // optional: told of connections and requests
    // Opens a connection to the in-process gRPC server (a connected stream socket it serves);
    // -1 when it cannot. Unset: gRPC streams over HTTP/2 are answered UNAVAILABLE.
    std::function<int()> connect_grpc;
  };
  static StatusOr<std::unique_ptr<HttpServer>> Start(const RestHandler* handler, Options options);
  ~HttpServer();

  int port() const;
  // Serves a connected TCP socket accepted elsewhere (ConnectionRouter); takes the fd.
  // http2: the connection is known to open with the HTTP/2 preface.
  void AdoptConnection(int fd, bool http2 = false);
  // Drain: stop accepting; each response from now on closes its connection; idle connections
  // close after drain_idle_ms. Requests already read are answered.
  void StartDrain();
  // Waits until every connection is closed or timeout_ms passed; returns how many are left.
  int64_t WaitDrained(int64_t timeout_ms);
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tern
