// Fuzz target: the bytes a client sends on an HTTP/2 connection (after the client preface,
// which the target sends itself), through the server's real Http2Session on a loopback TCP
// connection: nghttp2's framing plus Tern's callbacks, header limits, body assembly, gzip,
// gRPC-stream refusal and REST answers (an echo handler stands in for the APIs). The target
// half-closes and reads until the server closes the connection. Protocol errors are fine; a
// crash, leak, sanitizer report or hang is a bug. Needs the server's HTTP library: like
// saved_model_fuzz, its fuzz build is built only when named (scripts/fuzz.sh http2_fuzz, or all).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "server/http/http_server.h"

namespace {

class EchoHandler : public tern::RestHandler {
 public:
  void HandleAsync(const tern::RestRequest& request, RestDone done) const override {
    tern::RestResponse response;
    response.body = std::string(request.method) + " " + std::string(request.target) + " " +
                    std::to_string(request.body.size());
    if (request.body.size() % 3 == 1) response.status_code = 400;
    done(std::move(response));
  }
};

struct Harness {
  EchoHandler handler;
  std::unique_ptr<tern::HttpServer> server;
  int listener = -1;
  sockaddr_in address{};

  Harness() {
    tern::HttpServer::Options options;
    options.port = -1;  // connections come through AdoptConnection, as from the router
    options.num_threads = 1;
    options.max_request_bytes = 1 << 20;
    options.idle_timeout_s = 2;
    auto started = tern::HttpServer::Start(&handler, options);
    if (!started.ok()) std::abort();
    server = std::move(started).value();
    listener = ::socket(AF_INET, SOCK_STREAM, 0);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener, 16) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      std::abort();
    }
  }
};

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// connect(), carried on when a signal interrupts it (libFuzzer's timers do, at ~1,500
// connections a second: an interrupted connect goes on in the background).
bool Connect(int fd, const sockaddr_in& address) {
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) return true;
  if (errno != EINTR) return false;
  pollfd writable{fd, POLLOUT, 0};
  while (::poll(&writable, 1, 1000) < 0 && errno == EINTR) {
  }
  int error = 0;
  socklen_t length = sizeof(error);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return false;
  errno = error;
  return error == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* harness = new Harness();  // lives for the process, as a server does
  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  if (!Connect(client, harness->address)) {
    std::perror("http2_fuzz: connect to the harness's own listener");
    std::abort();
  }
  int accepted = -1;
  do {
    accepted = ::accept(harness->listener, nullptr, nullptr);
  } while (accepted < 0 && errno == EINTR);
  if (accepted < 0) {
    std::perror("http2_fuzz: accept");
    std::abort();
  }
  harness->server->AdoptConnection(accepted, /*http2=*/true);

  static const std::string kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  if (WriteAll(client, kPreface.data(), kPreface.size())) {
    WriteAll(client, reinterpret_cast<const char*>(data), size);
  }
  ::shutdown(client, SHUT_WR);
  // Until the server closes (it does once the peer is gone and its answers are written), or 3 s:
  // the idle timeout (2 s) closes a connection that is left waiting.
  char buffer[16384];
  size_t answered = 0;
  for (int waited_ms = 0; waited_ms < 3000;) {
    pollfd readable{client, POLLIN, 0};
    if (::poll(&readable, 1, 100) == 0) {
      waited_ms += 100;
      continue;
    }
    const ssize_t n = ::recv(client, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    answered += static_cast<size_t>(n);
  }
  ::close(client);
  // For checking a seed by hand: how much the server wrote back.
  if (std::getenv("TERN_HTTP2_FUZZ_VERBOSE") != nullptr) {
    std::fprintf(stderr, "http2_fuzz: %zu bytes in, %zu bytes answered\n", size, answered);
  }
  return 0;
}
