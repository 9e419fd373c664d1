// What one HTTP/2 stream of a client connection carries (http2_session.h): its request head,
// and the bytes waiting to go out in each direction. A REST stream keeps its request body and
// answer; a gRPC stream is forwarded to the in-process gRPC server (grpc_upstream.h), so it also
// holds the id of its twin stream there. Plain data, touched only on its session's strand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tern {

class GrpcUpstream;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Bytes an nghttp2 data provider sends as they become available: the provider defers while
// `bytes` runs dry and the body is not complete, and is resumed when more arrive.
struct OutboundBody {
  std::string bytes;
  size_t sent = 0;
  bool complete = false;  // no more bytes will be appended
  bool deferred = false;  // the provider answered NGHTTP2_ERR_DEFERRED; resume it on more bytes
  std::optional<HeaderList> trailers;  // sent after the last byte (gRPC's status)

  size_t pending() const { return bytes.size() - sent; }
  // Copies up to `capacity` pending bytes to `out`; returns how many.
  size_t Take(uint8_t* out, size_t capacity);
  void Append(const uint8_t* data, size_t size);
};

struct Http2Stream {
  int32_t id = 0;  // on the client's connection
  HeaderList request_headers;
  size_t header_bytes = 0;
  bool headers_too_large = false;
  std::string method, path, content_type, content_encoding, origin, inference_header_length;
  bool grpc = false;      // decided by content-type when the request head is complete
  bool answered = false;  // a response was submitted (or refused before the API saw it)

  // REST: the request body and, while the API works, its decoding.
  std::string request_body;
  std::string decoded_body;
  bool in_handler = false;

  // gRPC: the stream's twin on a gRPC server connection (0 / null: none yet, or gone).
  int32_t upstream_id = 0;
  GrpcUpstream* upstream = nullptr;
  bool response_started = false;  // the gRPC server's response headers were forwarded
  HeaderList upstream_headers;    // the header block being received from the gRPC server
  OutboundBody request;           // client -> gRPC server

  OutboundBody response;  // -> client: the REST answer's body, or the gRPC server's DATA
};

}  // namespace tern
