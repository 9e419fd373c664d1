// Accepts TCP connections on listening sockets it is given (inherited from systemd, or one port
// shared by both protocols) and routes each by its first bytes: one that opens with the HTTP/2
// client preface goes to the HTTP/2 target, anything else to the HTTP/1.1 one. (Both are Tern's
// HttpServer, which decides each HTTP/2 stream on its own: gRPC or REST.) The preface is peeked,
// not consumed, so the receiver reads the connection from its first byte.
// Owns the listening fds and one io thread; Start/StopAccepting/destructor from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tern {

enum class WireProtocol { kUndecided, kHttp1, kHttp2 };

// What the first bytes of a connection say: kUndecided while they are a strict prefix of the
// HTTP/2 preface.
WireProtocol ClassifyPreface(std::string_view first_bytes);

class ConnectionRouter {
 public:
  struct Options {
    std::vector<int> listening_fds;  // TCP sockets already listening; owned from Start on
    // A connection that has not sent enough to be classified by then is closed.
    int64_t preface_timeout_ms = 10000;
  };
  // Each receives a connected fd and owns it from then on.
  struct Targets {
    std::function<void(int fd)> http1;
    std::function<void(int fd)> http2;
  };
  static StatusOr<std::unique_ptr<ConnectionRouter>> Start(Options options, Targets targets);
  ~ConnectionRouter();

  // Closes the listeners; connections already accepted still get routed for up to grace_ms,
  // then any still unclassified is closed.
  void StopAccepting(int64_t grace_ms);

 private:
  struct Impl;
  explicit ConnectionRouter(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace tern
