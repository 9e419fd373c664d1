// HttpServer: HTTP/1.1 (keep-alive) on Boost.Beast, feeding a RestHandler (the router).
// Owns its io_context threads; Start, StartDrain, WaitDrained and Stop are called from one
// thread, AdoptConnection from any. The RestHandler and ActivityTracker are not owned and must
// outlive the server.
#pragma once

#include <cstdint>
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
  };
  static StatusOr<std::unique_ptr<HttpServer>> Start(const RestHandler* handler, Options options);
  ~HttpServer();

  int port() const;
  // Serves a connected TCP socket accepted elsewhere (ConnectionRouter); takes the fd.
  void AdoptConnection(int fd);
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
