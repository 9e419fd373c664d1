// The far half of Tern's HTTP/2 proxy for gRPC streams: one HTTP/2 client connection (nghttp2)
// to the in-process gRPC server over a socket pair, carrying the gRPC streams of one client
// connection (http2_session.h). Each stream is forwarded as it came: request headers (grpc-timeout
// included, so the deadline holds), DATA, end of stream; the response headers, DATA and trailers
// come back the same way, and a reset on either side resets the other (cancellation).
// Flow control is end to end: bytes received on one side are acknowledged (WINDOW_UPDATE) only
// once they were sent on the other, so a slow reader slows its writer instead of filling memory.
// Owned by its Http2Session and used only on its strand; the streams it is given must stay alive
// until Abandon or until it reports them finished.
#pragma once

// clang-format off
#include <utility>  // before Boost.Asio, whose awaitable.hpp uses std::exchange
// clang-format on
#include <boost/asio.hpp>
#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "server/http/http2_stream.h"

namespace tern {

class GrpcUpstream {
 public:
  using Socket = boost::asio::local::stream_protocol::socket;
  struct Downstream {
    nghttp2_session* session;                   // the client's connection
    nghttp2_data_provider response_provider;    // reads Http2Stream::response
    std::function<void()> flush;                // send what both sides queued
    std::function<void(GrpcUpstream*)> closed;  // the connection is gone (called once, deferred)
  };
  // `fd`: a connected stream socket whose other end the gRPC server serves; taken over.
  static std::unique_ptr<GrpcUpstream> Connect(boost::asio::any_io_executor executor, int fd,
                                               Downstream downstream);
  ~GrpcUpstream();

  // False once the gRPC server said GOAWAY or the connection closed: new streams go elsewhere.
  bool accepting() const { return !goaway_ && !closed_; }
  bool idle() const { return streams_.empty(); }

  // Opens the stream's twin and forwards its request head; false if it cannot be opened.
  bool StartStream(Http2Stream* stream);
  // More request bytes (or the end) are in stream->request.
  void RequestDataArrived(Http2Stream* stream);
  // The client's stream closed: reset the twin if it is still open and forget the stream.
  void Abandon(Http2Stream* stream);
  // The client's side sent n bytes of a response: acknowledge them to the gRPC server.
  void Consume(int32_t upstream_id, size_t n);
  void Flush();
  void Close();

  struct Callbacks;  // nghttp2's callbacks (grpc_upstream.cc)

 private:
  GrpcUpstream(Socket socket, Downstream downstream);
  void Read();
  void Receive(const uint8_t* data, size_t size);
  // The twin closed (error_code from its RST_STREAM, or the connection lost): finish the client's
  // stream if the response is not complete.
  void FinishStream(Http2Stream* stream, uint32_t error_code);

  Socket socket_;
  Downstream downstream_;
  nghttp2_session* session_ = nullptr;
  std::unordered_map<int32_t, Http2Stream*> streams_;  // by upstream id: open twins
  std::vector<uint8_t> read_buffer_;
  std::string write_buffer_;
  bool writing_ = false;
  bool closed_ = false;
  bool goaway_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace tern
