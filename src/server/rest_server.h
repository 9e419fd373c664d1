// RestServer: HTTP/1.1 (keep-alive) on Boost.Beast, feeding RestApi.
// Owns its io_context threads; Start and Stop are called from one thread. The RestHandler is not
// owned and must outlive the server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/rest_api.h"

namespace tern {

class RestServer {
 public:
  struct Options {
    std::string address = "0.0.0.0";
    int port = 8501;  // 0 picks a free port
    int num_threads = 2;
    uint64_t max_request_bytes = 256ull << 20;  // after gzip decoding too
    bool enable_cors_support = false;  // --rest_api_enable_cors_support
    // A connection that sends nothing (or drips a request slower than this) is closed.
    int64_t idle_timeout_s = 300;
  };
  static StatusOr<std::unique_ptr<RestServer>> Start(const RestHandler* handler, Options options);
  ~RestServer();

  int port() const;
  void Stop();

 private:
  struct Impl;
  explicit RestServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tern
