// One HTTP/2 connection from a client (prior knowledge, or upgraded from HTTP/1.1 with
// `Upgrade: h2c`), framed by nghttp2. Each stream is decided on its own by its content-type:
// application/grpc* streams are forwarded to the in-process gRPC server (grpc_upstream.h);
// everything else is a REST request for the same RestHandler HTTP/1.1 uses, answered with the
// same status, headers and body (rest_exchange.h).
// Lives on one strand of the HttpServer's io_context, held by shared_ptr by its pending I/O and
// by REST answers in flight; PostDrain may be called from any thread, everything else runs on
// the strand. The RestHandler must outlive it.
#pragma once

// clang-format off
#include <utility>  // before Boost.Asio, whose awaitable.hpp uses std::exchange
// clang-format on
#include <boost/asio.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/http/http2_stream.h"
#include "server/http/http_server.h"
#include "server/http/server_session.h"

struct nghttp2_session;

namespace tern {

class GrpcUpstream;

// The HTTP/1.1 request that asked to upgrade; it becomes stream 1, answered over HTTP/2.
struct H2cUpgradeRequest {
  std::string method, target, body, content_type, content_encoding, origin, inference_header_length;
  std::string http2_settings;  // the HTTP2-Settings header, still base64url-encoded
};

// Decodes base64url without padding (RFC 7540 3.2.1's HTTP2-Settings); nullopt if malformed.
std::optional<std::string> DecodeBase64Url(std::string_view text);

class Http2Session : public ServerSession, public std::enable_shared_from_this<Http2Session> {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  Http2Session(Socket socket, const RestHandler* api, const HttpServer::Options& options,
               std::shared_ptr<SessionContext> context);
  ~Http2Session() override;

  // `received`: bytes already read from the socket (the client preface, perhaps more).
  void Start(std::string received, std::optional<H2cUpgradeRequest> upgrade);
  void PostDrain() override;
  auto executor() { return socket_.get_executor(); }

  // For nghttp2's callbacks (http2_session.cc); not for other callers.
  struct Callbacks;
  // For GrpcUpstream: sends what both sides have queued.
  void FlushAll();

 private:
  void OnRequestHead(Http2Stream* stream);
  void OnRequestBody(Http2Stream* stream, const uint8_t* data, size_t size);
  void OnRequestEnd(Http2Stream* stream);
  void OnStreamClosed(int32_t stream_id);
  void DispatchRest(std::shared_ptr<Http2Stream> stream);
  void AnswerRest(Http2Stream* stream, RestResponse answer);
  void AnswerGrpcUnavailable(Http2Stream* stream, const std::string& message);
  GrpcUpstream* UpstreamForNewStream();

  void Receive(const uint8_t* data, size_t size);
  void Read();
  void Flush();
  void ArmIdleTimer();
  void OnDrain();
  void OnPingAcknowledged();
  void SubmitFinalGoaway();
  void Linger();
  void Close();

  Socket socket_;
  boost::asio::steady_timer idle_timer_;
  const RestHandler* api_;
  const HttpServer::Options options_;
  std::shared_ptr<SessionContext> context_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, std::shared_ptr<Http2Stream>> streams_;
  std::unique_ptr<GrpcUpstream> upstream_;
  std::vector<std::unique_ptr<GrpcUpstream>> retired_upstreams_;  // finishing their streams
  std::vector<uint8_t> read_buffer_;
  std::string write_buffer_;
  bool writing_ = false;
  bool reading_ = false;
  bool closed_ = false;
  bool draining_ = false;
  bool awaiting_drain_ping_ = false;  // the shutdown notice is out, its PING not yet answered
  bool lingering_ = false;            // FIN sent; reading until the client closes
  int64_t rest_in_flight_ = 0;
};

}  // namespace tern
