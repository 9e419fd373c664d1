#include "server/http/grpc_upstream.h"

#include <unistd.h>

#include <vector>

#include "common/logging.h"

namespace tern {
namespace {

namespace asio = boost::asio;

// Per-stream and connection windows toward the gRPC server: what it may send ahead of the
// client reading it.
constexpr int32_t kStreamWindow = 1 << 20;
constexpr int32_t kConnectionWindow = 16 << 20;

nghttp2_nv MakeNv(const std::string& name, const std::string& value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

std::vector<nghttp2_nv> MakeNvs(const HeaderList& headers) {
  std::vector<nghttp2_nv> nvs;
  nvs.reserve(headers.size());
  for (const auto& [name, value] : headers) nvs.push_back(MakeNv(name, value));
  return nvs;
}

Http2Stream* StreamOf(nghttp2_session* session, int32_t id) {
  return static_cast<Http2Stream*>(nghttp2_session_get_stream_user_data(session, id));
}

// A gRPC answer with no message: headers and status in one block (gRPC's Trailers-Only).
void SubmitTrailersOnly(nghttp2_session* session, int32_t id, int grpc_status,
                        const std::string& message) {
  const HeaderList headers{{":status", "200"},
                           {"content-type", "application/grpc"},
                           {"grpc-status", std::to_string(grpc_status)},
                           {"grpc-message", message}};
  const auto nvs = MakeNvs(headers);
  nghttp2_submit_response(session, id, nvs.data(), nvs.size(), nullptr);
}

}  // namespace

struct GrpcUpstream::Callbacks {
  static int OnHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name,
                      size_t name_length, const uint8_t* value, size_t value_length, uint8_t,
                      void*) {
    Http2Stream* stream = StreamOf(session, frame->hd.stream_id);
    if (stream == nullptr) return 0;
    stream->upstream_headers.emplace_back(
        std::string(reinterpret_cast<const char*>(name), name_length),
        std::string(reinterpret_cast<const char*>(value), value_length));
    return 0;
  }

  static int OnFrameReceived(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
    auto* self = static_cast<GrpcUpstream*>(user);
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      // The gRPC server drains: streams it did not take are refused, and its shutdown waits
      // for this connection to close, which it does once its streams are done.
      self->goaway_ = true;
      if (self->streams_.empty()) self->Close();
      return 0;
    }
    Http2Stream* stream = StreamOf(session, frame->hd.stream_id);
    if (stream == nullptr) return 0;
    const bool end = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    nghttp2_session* downstream = self->downstream_.session;
    if (frame->hd.type == NGHTTP2_HEADERS) {
      HeaderList headers = std::move(stream->upstream_headers);
      stream->upstream_headers.clear();
      if (frame->headers.cat == NGHTTP2_HCAT_RESPONSE && !stream->response_started) {
        stream->response_started = true;
        const auto nvs = MakeNvs(headers);
        if (end) {  // Trailers-Only
          stream->response.complete = true;
          stream->answered = true;
          nghttp2_submit_response(downstream, stream->id, nvs.data(), nvs.size(), nullptr);
        } else {
          nghttp2_submit_response(downstream, stream->id, nvs.data(), nvs.size(),
                                  &self->downstream_.response_provider);
        }
        return 0;
      }
      if (end) stream->response.trailers = std::move(headers);
    }
    if (end && stream->response_started && !stream->response.complete) {
      stream->response.complete = true;
      stream->answered = true;
      if (stream->response.deferred) {
        stream->response.deferred = false;
        nghttp2_session_resume_data(downstream, stream->id);
      }
    }
    return 0;
  }

  static int OnDataChunk(nghttp2_session* session, uint8_t, int32_t id, const uint8_t* data,
                         size_t size, void* user) {
    auto* self = static_cast<GrpcUpstream*>(user);
    Http2Stream* stream = StreamOf(session, id);
    if (stream == nullptr || !stream->response_started) {
      nghttp2_session_consume(session, id, size);  // nobody will read it
      return 0;
    }
    stream->response.Append(data, size);
    if (stream->response.deferred) {
      stream->response.deferred = false;
      nghttp2_session_resume_data(self->downstream_.session, stream->id);
    }
    return 0;
  }

  static int OnStreamClose(nghttp2_session* session, int32_t id, uint32_t error_code, void* user) {
    auto* self = static_cast<GrpcUpstream*>(user);
    Http2Stream* stream = StreamOf(session, id);
    self->streams_.erase(id);
    if (stream != nullptr) self->FinishStream(stream, error_code);
    if (self->goaway_ && self->streams_.empty()) self->Close();
    return 0;
  }

  // Sends stream->request to the gRPC server; acknowledges to the client what was sent.
  static ssize_t ReadRequest(nghttp2_session* session, int32_t id, uint8_t* buffer, size_t length,
                             uint32_t* flags, nghttp2_data_source*, void* user) {
    auto* self = static_cast<GrpcUpstream*>(user);
    Http2Stream* stream = StreamOf(session, id);
    if (stream == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    const size_t n = stream->request.Take(buffer, length);
    if (n > 0) nghttp2_session_consume(self->downstream_.session, stream->id, n);
    if (stream->request.pending() == 0) {
      if (stream->request.complete) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
      } else if (n == 0) {
        stream->request.deferred = true;
        return NGHTTP2_ERR_DEFERRED;
      }
    }
    return static_cast<ssize_t>(n);
  }
};

std::unique_ptr<GrpcUpstream> GrpcUpstream::Connect(asio::any_io_executor executor, int fd,
                                                    Downstream downstream) {
  Socket socket(executor);
  boost::system::error_code ec;
  socket.assign(asio::local::stream_protocol(), fd, ec);
  if (ec) {
    ::close(fd);
    TERN_LOG(Warning) << "cannot use the gRPC server connection: " << ec.message();
    return nullptr;
  }
  std::unique_ptr<GrpcUpstream> upstream(
      new GrpcUpstream(std::move(socket), std::move(downstream)));
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &Callbacks::OnHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Callbacks::OnFrameReceived);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Callbacks::OnDataChunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Callbacks::OnStreamClose);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_no_auto_window_update(option, 1);
  const int rv =
      nghttp2_session_client_new2(&upstream->session_, callbacks, upstream.get(), option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) return nullptr;
  const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                             {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kStreamWindow}};
  nghttp2_submit_settings(upstream->session_, NGHTTP2_FLAG_NONE, settings, 2);
  nghttp2_session_set_local_window_size(upstream->session_, NGHTTP2_FLAG_NONE, 0,
                                        kConnectionWindow);
  upstream->Read();
  return upstream;
}

GrpcUpstream::GrpcUpstream(Socket socket, Downstream downstream)
    : socket_(std::move(socket)), downstream_(std::move(downstream)), read_buffer_(64 * 1024) {}

GrpcUpstream::~GrpcUpstream() {
  *alive_ = false;
  boost::system::error_code ignored;
  socket_.close(ignored);
  if (session_ != nullptr) nghttp2_session_del(session_);
}

bool GrpcUpstream::StartStream(Http2Stream* stream) {
  if (!accepting()) return false;
  const auto nvs = MakeNvs(stream->request_headers);
  nghttp2_data_provider provider{};
  provider.read_callback = &Callbacks::ReadRequest;
  const int32_t id =
      nghttp2_submit_request(session_, nullptr, nvs.data(), nvs.size(), &provider, stream);
  if (id < 0) return false;
  stream->upstream_id = id;
  stream->upstream = this;
  streams_[id] = stream;
  return true;
}

void GrpcUpstream::RequestDataArrived(Http2Stream* stream) {
  if (stream->upstream_id == 0 || !stream->request.deferred) return;
  stream->request.deferred = false;
  nghttp2_session_resume_data(session_, stream->upstream_id);
}

void GrpcUpstream::Abandon(Http2Stream* stream) {
  const int32_t id = stream->upstream_id;
  if (id == 0) return;
  stream->upstream_id = 0;
  stream->upstream = nullptr;
  // Bytes either side sent that the other will not read still count against the connection
  // windows.
  if (stream->response.pending() > 0) {
    nghttp2_session_consume_connection(session_, stream->response.pending());
  }
  if (stream->request.pending() > 0) {
    nghttp2_session_consume_connection(downstream_.session, stream->request.pending());
  }
  stream->request = OutboundBody{};
  if (streams_.erase(id) > 0 && !closed_) {
    nghttp2_session_set_stream_user_data(session_, id, nullptr);
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
  }
}

void GrpcUpstream::Consume(int32_t upstream_id, size_t n) {
  if (upstream_id == 0) {
    nghttp2_session_consume_connection(session_, n);
  } else {
    nghttp2_session_consume(session_, upstream_id, n);
  }
}

void GrpcUpstream::FinishStream(Http2Stream* stream, uint32_t error_code) {
  stream->upstream_id = 0;
  stream->upstream = nullptr;
  // The response bytes still on their way to the client will not be acknowledged through the
  // (closed) twin: acknowledge them to the connection now (at most one stream window).
  if (stream->response.pending() > 0) {
    nghttp2_session_consume_connection(session_, stream->response.pending());
  }
  nghttp2_session* downstream = downstream_.session;
  // Request bytes that will never be sent: acknowledge them to the client.
  if (stream->request.pending() > 0) {
    nghttp2_session_consume(downstream, stream->id, stream->request.pending());
    stream->request = OutboundBody{};
  }
  if (stream->response.complete) return;
  stream->answered = true;
  if (!stream->response_started && error_code == NGHTTP2_REFUSED_STREAM) {
    // Not processed at all: the client may safely retry it elsewhere.
    nghttp2_submit_rst_stream(downstream, NGHTTP2_FLAG_NONE, stream->id, NGHTTP2_REFUSED_STREAM);
  } else if (!stream->response_started) {
    SubmitTrailersOnly(
        downstream, stream->id, 14 /* UNAVAILABLE */,
        "the gRPC server closed the stream (HTTP/2 error " + std::to_string(error_code) + ")");
    stream->response.complete = true;
  } else {
    nghttp2_submit_rst_stream(
        downstream, NGHTTP2_FLAG_NONE, stream->id,
        error_code == NGHTTP2_NO_ERROR ? uint32_t{NGHTTP2_INTERNAL_ERROR} : error_code);
  }
}

void GrpcUpstream::Read() {
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [this, alive = alive_](boost::system::error_code ec, size_t n) {
                            if (!*alive || closed_) return;
                            if (ec) return Close();
                            Receive(read_buffer_.data(), n);
                            downstream_.flush();
                            if (!closed_) Read();
                          });
}

void GrpcUpstream::Receive(const uint8_t* data, size_t size) {
  const ssize_t rv = nghttp2_session_mem_recv(session_, data, size);
  if (rv < 0) {
    TERN_LOG(Warning) << "gRPC server connection: " << nghttp2_strerror(static_cast<int>(rv));
    Close();
  }
}

void GrpcUpstream::Flush() {
  if (writing_ || closed_) return;
  while (write_buffer_.size() < 64 * 1024) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return Close();
    if (n == 0) break;
    write_buffer_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  if (write_buffer_.empty()) return;
  writing_ = true;
  asio::async_write(socket_, asio::buffer(write_buffer_),
                    [this, alive = alive_](boost::system::error_code ec, size_t) {
                      if (!*alive) return;
                      writing_ = false;
                      write_buffer_.clear();
                      if (ec) return Close();
                      Flush();
                      downstream_.flush();
                    });
}

void GrpcUpstream::Close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  // nghttp2 does not report the streams of a session that just ends: finish them here.
  auto streams = std::move(streams_);
  streams_.clear();
  for (auto& [id, stream] : streams) {
    nghttp2_session_set_stream_user_data(session_, id, nullptr);
    FinishStream(stream, NGHTTP2_INTERNAL_ERROR);
  }
  downstream_.flush();
  // The owner may free this object: not while its own callbacks run.
  asio::post(socket_.get_executor(), [this, alive = alive_, closed = downstream_.closed] {
    if (*alive) closed(this);
  });
}

}  // namespace tern
