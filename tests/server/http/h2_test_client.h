// A small blocking HTTP/2 client on nghttp2 for the tests of Tern's HTTP/2 sessions: it opens
// streams (any headers, any body), resets them, sends raw bytes, and records what came back per
// stream and for the connection (GOAWAY, close). Single-threaded; not for production use.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tern::testing {

struct H2Response {
  std::map<std::string, std::string> headers;   // the first header block (":status" included)
  std::map<std::string, std::string> trailers;  // a header block after DATA
  std::string body;
  uint32_t reset_code = 0;  // RST_STREAM's error code, or the close's
  bool closed = false;
  int status() const;
};

class H2Client {
 public:
  // Connects to 127.0.0.1:port and speaks HTTP/2 from the first byte (prior knowledge). With
  // upgrade_path, it first sends an HTTP/1.1 GET there with `Upgrade: h2c` and expects a 101;
  // that request is then stream 1.
  explicit H2Client(int port, const std::string& upgrade_path = "");
  ~H2Client();
  bool connected() const { return session_ != nullptr; }
  std::string upgrade_status_line() const { return upgrade_status_line_; }

  int32_t Submit(const std::string& method, const std::string& path,
                 std::vector<std::pair<std::string, std::string>> headers = {},
                 std::string body = "");
  void Reset(int32_t stream_id, uint32_t error_code = NGHTTP2_CANCEL);
  // Bytes written as they are, after whatever nghttp2 queued (malformed frames).
  void SendRaw(const std::string& bytes);
  // Exchanges frames until every stream opened so far is closed, the connection closed, or
  // timeout_ms passed; false on the timeout.
  bool RunUntilStreamsClosed(int timeout_ms = 10000);
  // Exchanges frames until the connection is closed by the server or timeout_ms passed.
  bool RunUntilConnectionClosed(int timeout_ms = 10000);

  std::map<int32_t, H2Response> responses;
  bool goaway_received = false;
  uint32_t goaway_error = 0;
  bool connection_closed = false;

  struct Callbacks;

 private:
  bool Exchange(int timeout_ms);
  bool FlushOut();
  int fd_ = -1;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, std::pair<std::string, size_t>> bodies_;  // what is left to send per stream
  std::string upgrade_status_line_;
  int open_streams_ = 0;
};

// gRPC's length-prefixed message framing: a 0 flag byte, 4 bytes big-endian length, the bytes.
std::string GrpcFrame(const std::string& message);

}  // namespace tern::testing
