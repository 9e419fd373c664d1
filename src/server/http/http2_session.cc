#include "server/http/http2_session.h"

#include <nghttp2/nghttp2.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "common/logging.h"
#include "server/codec/json_tensor.h"
#include "server/http/grpc_upstream.h"
#include "server/http/http_status.h"
#include "server/http/rest_exchange.h"

namespace tern {
namespace {

namespace asio = boost::asio;

// The request head limit, as for HTTP/1.1 (Beast's header_limit in http_server.cc); counted as
// HTTP/2 counts SETTINGS_MAX_HEADER_LIST_SIZE (name + value + 32 per field).
constexpr size_t kMaxHeaderListBytes = 64 * 1024;
constexpr uint32_t kMaxConcurrentStreams = 256;
// Windows toward the client: what it may send ahead of Tern reading it (REST bodies are read at
// once; gRPC bytes when the gRPC server took them).
constexpr int32_t kStreamWindow = 1 << 20;
constexpr int32_t kConnectionWindow = 16 << 20;
// After the last frame, how long a client that keeps its end open is read from before the socket
// is closed anyway.
constexpr std::chrono::milliseconds kLingerMs{1000};

nghttp2_nv MakeNv(const std::string& name, const std::string& value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         strncasecmp(text.data(), prefix.data(), prefix.size()) == 0;
}

std::string Lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

Http2Stream* StreamOf(nghttp2_session* session, int32_t id) {
  return static_cast<Http2Stream*>(nghttp2_session_get_stream_user_data(session, id));
}

}  // namespace

std::optional<std::string> DecodeBase64Url(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '-' || c == '+') {
      value = 62;
    } else if (c == '_' || c == '/') {
      value = 63;
    } else {
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  if (count >= 6) return std::nullopt;  // a dangling sixth of a byte: not base64
  return out;
}

struct Http2Session::Callbacks {
  static int OnBeginHeaders(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
    auto* self = static_cast<Http2Session*>(user);
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    auto stream = std::make_shared<Http2Stream>();
    stream->id = frame->hd.stream_id;
    nghttp2_session_set_stream_user_data(session, stream->id, stream.get());
    self->streams_[stream->id] = std::move(stream);
    return 0;
  }

  static int OnHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name,
                      size_t name_length, const uint8_t* value, size_t value_length, uint8_t,
                      void*) {
    Http2Stream* stream = StreamOf(session, frame->hd.stream_id);
    // Trailers from the client carry nothing Tern or gRPC uses.
    if (stream == nullptr || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    stream->header_bytes += name_length + value_length + 32;
    if (stream->header_bytes > kMaxHeaderListBytes) {
      stream->headers_too_large = true;
      stream->request_headers.clear();
      return 0;
    }
    std::string key(reinterpret_cast<const char*>(name), name_length);
    std::string text(reinterpret_cast<const char*>(value), value_length);
    if (key == ":method") {
      stream->method = text;
    } else if (key == ":path") {
      stream->path = text;
    } else if (key == "content-type") {
      stream->content_type = text;
    } else if (key == "content-encoding") {
      stream->content_encoding = text;
    } else if (key == "origin") {
      stream->origin = text;
    } else if (key == "inference-header-content-length") {
      stream->inference_header_length = text;
    }
    stream->request_headers.emplace_back(std::move(key), std::move(text));
    return 0;
  }

  static int OnFrameReceived(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
    auto* self = static_cast<Http2Session*>(user);
    if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK) != 0) {
      self->OnPingAcknowledged();
      return 0;
    }
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
    Http2Stream* stream = StreamOf(session, frame->hd.stream_id);
    if (stream == nullptr) return 0;
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      self->OnRequestHead(stream);
    }
    // OnRequestHead may have answered and closed the stream already.
    stream = StreamOf(session, frame->hd.stream_id);
    if (stream != nullptr && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
      self->OnRequestEnd(stream);
    }
    return 0;
  }

  static int OnDataChunk(nghttp2_session* session, uint8_t, int32_t id, const uint8_t* data,
                         size_t size, void* user) {
    auto* self = static_cast<Http2Session*>(user);
    Http2Stream* stream = StreamOf(session, id);
    if (stream == nullptr) {
      nghttp2_session_consume(session, id, size);
      return 0;
    }
    self->OnRequestBody(stream, data, size);
    return 0;
  }

  static int OnStreamClose(nghttp2_session*, int32_t id, uint32_t, void* user) {
    static_cast<Http2Session*>(user)->OnStreamClosed(id);
    return 0;
  }

  // Sends stream->response (a REST answer's body, or what the gRPC server sent) to the client.
  static ssize_t ReadResponse(nghttp2_session* session, int32_t id, uint8_t* buffer, size_t length,
                              uint32_t* flags, nghttp2_data_source*, void*) {
    Http2Stream* stream = StreamOf(session, id);
    if (stream == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    OutboundBody& body = stream->response;
    const size_t n = body.Take(buffer, length);
    // Acknowledge to the gRPC server's connection that carried these bytes.
    if (n > 0 && stream->upstream != nullptr) stream->upstream->Consume(stream->upstream_id, n);
    if (body.pending() == 0) {
      if (body.complete) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        if (body.trailers) {
          *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
          std::vector<nghttp2_nv> nvs;
          for (const auto& [name, value] : *body.trailers) nvs.push_back(MakeNv(name, value));
          nghttp2_submit_trailer(session, id, nvs.data(), nvs.size());
        }
      } else if (n == 0) {
        body.deferred = true;
        return NGHTTP2_ERR_DEFERRED;
      }
    }
    return static_cast<ssize_t>(n);
  }
};

Http2Session::Http2Session(Socket socket, const RestHandler* api,
                           const HttpServer::Options& options,
                           std::shared_ptr<SessionContext> context)
    : socket_(std::move(socket)),
      idle_timer_(socket_.get_executor()),
      api_(api),
      options_(options),
      context_(std::move(context)),
      read_buffer_(64 * 1024) {
  ++context_->open_sessions;
  if (context_->activity) context_->activity->ConnectionOpened();
}

Http2Session::~Http2Session() {
  upstream_.reset();
  retired_upstreams_.clear();
  if (session_ != nullptr) nghttp2_session_del(session_);
  if (context_->activity) {
    for (int64_t i = 0; i < rest_in_flight_; ++i) context_->activity->RequestFinished();
    context_->activity->ConnectionClosed();
  }
  --context_->open_sessions;
}

void Http2Session::Start(std::string received, std::optional<H2cUpgradeRequest> upgrade) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &Callbacks::OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &Callbacks::OnHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Callbacks::OnFrameReceived);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Callbacks::OnDataChunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Callbacks::OnStreamClose);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_no_auto_window_update(option, 1);
  const int rv = nghttp2_session_server_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) {
    TERN_LOG(Warning) << "HTTP/2 session: " << nghttp2_strerror(rv);
    return Close();
  }
  // No SETTINGS_MAX_HEADER_LIST_SIZE: nghttp2 would enforce it with REFUSED_STREAM, which
  // tells a client to retry; OnHeader's limit answers 400 instead, as HTTP/1.1 does.
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kStreamWindow}};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 2);
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);

  if (upgrade) {
    const auto payload = DecodeBase64Url(upgrade->http2_settings);
    if (!payload ||
        nghttp2_session_upgrade2(session_, reinterpret_cast<const uint8_t*>(payload->data()),
                                 payload->size(), upgrade->method == "HEAD", nullptr) != 0) {
      // The 101 is already sent: all that is left is to say why over HTTP/2 and close.
      nghttp2_session_terminate_session(session_, NGHTTP2_PROTOCOL_ERROR);
    } else {
      // The upgraded request is stream 1, its request already complete; always REST (a gRPC
      // client never upgrades: it speaks HTTP/2 from the start).
      auto stream = std::make_shared<Http2Stream>();
      stream->id = 1;
      stream->method = std::move(upgrade->method);
      stream->path = std::move(upgrade->target);
      stream->content_type = std::move(upgrade->content_type);
      stream->content_encoding = std::move(upgrade->content_encoding);
      stream->origin = std::move(upgrade->origin);
      stream->inference_header_length = std::move(upgrade->inference_header_length);
      stream->request_body = std::move(upgrade->body);
      nghttp2_session_set_stream_user_data(session_, 1, stream.get());
      streams_[1] = stream;
      DispatchRest(std::move(stream));
    }
  }
  if (!received.empty())
    Receive(reinterpret_cast<const uint8_t*>(received.data()), received.size());
  if (closed_) return;
  Read();
  ArmIdleTimer();
  FlushAll();
}

void Http2Session::PostDrain() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->OnDrain(); });
}

void Http2Session::OnRequestHead(Http2Stream* stream) {
  if (stream->headers_too_large) {
    RestResponse refusal;
    refusal.status_code = ToHttpStatusCode(HttpRefusal::kMalformedRequest);
    refusal.body = WriteErrorResponse("malformed HTTP request: the header list exceeds " +
                                      std::to_string(kMaxHeaderListBytes) + " bytes");
    stream->answered = true;
    ++rest_in_flight_;
    if (context_->activity) context_->activity->RequestStarted();
    return AnswerRest(stream, std::move(refusal));
  }
  stream->grpc = StartsWithIgnoringCase(stream->content_type, "application/grpc");
  if (!stream->grpc) return;
  GrpcUpstream* upstream = UpstreamForNewStream();
  if (upstream == nullptr || !upstream->StartStream(stream)) {
    AnswerGrpcUnavailable(stream, context_->draining.load()
                                      ? "Tern is shutting down (draining): the call was not run"
                                      : "the gRPC server is not reachable");
  }
}

void Http2Session::OnRequestBody(Http2Stream* stream, const uint8_t* data, size_t size) {
  if (stream->upstream != nullptr) {
    stream->request.Append(data, size);  // acknowledged once sent on (grpc_upstream.cc)
    stream->upstream->RequestDataArrived(stream);
    return;
  }
  nghttp2_session_consume(session_, stream->id, size);
  if (stream->grpc || stream->answered) return;
  if (stream->request_body.size() + size > options_.max_request_bytes) {
    RestResponse refusal;
    refusal.status_code = ToHttpStatusCode(HttpRefusal::kBodyTooLarge);
    refusal.body = WriteErrorResponse("request body exceeds the limit of " +
                                      std::to_string(options_.max_request_bytes) + " bytes");
    stream->answered = true;
    stream->request_body.clear();
    ++rest_in_flight_;
    if (context_->activity) context_->activity->RequestStarted();
    return AnswerRest(stream, std::move(refusal));
  }
  stream->request_body.append(reinterpret_cast<const char*>(data), size);
}

void Http2Session::OnRequestEnd(Http2Stream* stream) {
  if (stream->grpc) {
    stream->request.complete = true;
    if (stream->upstream != nullptr) stream->upstream->RequestDataArrived(stream);
    return;
  }
  if (stream->answered) return;
  auto found = streams_.find(stream->id);
  if (found != streams_.end()) DispatchRest(found->second);
}

void Http2Session::DispatchRest(std::shared_ptr<Http2Stream> stream) {
  stream->answered = true;
  stream->in_handler = true;
  ++rest_in_flight_;
  if (context_->activity) context_->activity->RequestStarted();
  const RestRequestHead head{stream->method, stream->path, stream->content_encoding, stream->origin,
                             stream->inference_header_length};
  std::string_view body;
  auto immediate = PrepareRestRequest(head, stream->request_body,
                                      {options_.max_request_bytes, options_.enable_cors_support},
                                      &stream->decoded_body, &body);
  if (immediate) return AnswerRest(stream.get(), std::move(*immediate));
  // The stream (its strings) stays alive until the answer, even if the client resets it.
  api_->HandleAsync(
      RestRequest{stream->method, stream->path, body, stream->inference_header_length},
      [self = shared_from_this(), stream](RestResponse answer) {
        asio::post(self->socket_.get_executor(),
                   [self, stream, answer = std::move(answer)]() mutable {
                     self->AnswerRest(stream.get(), std::move(answer));
                     self->FlushAll();
                   });
      });
}

void Http2Session::AnswerRest(Http2Stream* stream, RestResponse answer) {
  stream->in_handler = false;
  --rest_in_flight_;
  if (context_->activity) context_->activity->RequestFinished();
  if (closed_ || StreamOf(session_, stream->id) != stream) return;  // reset meanwhile
  std::vector<std::pair<std::string, std::string>> headers{
      {":status", std::to_string(answer.status_code)}, {"content-type", answer.content_type}};
  for (auto& header : CommonResponseHeaders(options_.enable_cors_support)) {
    headers.push_back(std::move(header));
  }
  for (auto& [name, value] : answer.headers) headers.emplace_back(Lowercase(name), value);
  headers.emplace_back("content-length", std::to_string(answer.body.size()));
  std::vector<nghttp2_nv> nvs;
  for (const auto& [name, value] : headers) nvs.push_back(MakeNv(name, value));
  stream->response = OutboundBody{};
  stream->response.bytes = std::move(answer.body);
  stream->response.complete = true;
  nghttp2_data_provider provider{};
  provider.read_callback = &Callbacks::ReadResponse;
  const bool has_body = stream->response.pending() > 0 && stream->method != "HEAD";
  nghttp2_submit_response(session_, stream->id, nvs.data(), nvs.size(),
                          has_body ? &provider : nullptr);
}

void Http2Session::AnswerGrpcUnavailable(Http2Stream* stream, const std::string& message) {
  stream->answered = true;
  stream->response.complete = true;
  const std::string status = "200", type = "application/grpc", code = "14";
  const std::string names[] = {":status", "content-type", "grpc-status", "grpc-message"};
  const nghttp2_nv nvs[] = {MakeNv(names[0], status), MakeNv(names[1], type),
                            MakeNv(names[2], code), MakeNv(names[3], message)};
  nghttp2_submit_response(session_, stream->id, nvs, 4, nullptr);
}

GrpcUpstream* Http2Session::UpstreamForNewStream() {
  if (upstream_ != nullptr && upstream_->accepting()) return upstream_.get();
  if (upstream_ != nullptr) retired_upstreams_.push_back(std::move(upstream_));
  if (context_->draining.load() || !options_.connect_grpc) return nullptr;
  const int fd = options_.connect_grpc();
  if (fd < 0) return nullptr;
  nghttp2_data_provider provider{};
  provider.read_callback = &Callbacks::ReadResponse;
  std::weak_ptr<Http2Session> weak = weak_from_this();
  upstream_ = GrpcUpstream::Connect(
      socket_.get_executor(), fd,
      {session_, provider,
       [weak] {
         if (auto self = weak.lock()) self->FlushAll();
       },
       [weak](GrpcUpstream* gone) {
         auto self = weak.lock();
         if (!self) return;
         if (self->upstream_.get() == gone) self->upstream_.reset();
         std::erase_if(self->retired_upstreams_,
                       [gone](const auto& retired) { return retired.get() == gone; });
       }});
  return upstream_.get();
}

void Http2Session::OnStreamClosed(int32_t stream_id) {
  auto found = streams_.find(stream_id);
  if (found == streams_.end()) return;
  Http2Stream* stream = found->second.get();
  if (stream->upstream != nullptr) stream->upstream->Abandon(stream);
  nghttp2_session_set_stream_user_data(session_, stream_id, nullptr);
  streams_.erase(found);  // a REST answer still in the works holds its own reference
}

void Http2Session::Receive(const uint8_t* data, size_t size) {
  const ssize_t rv = nghttp2_session_mem_recv(session_, data, size);
  if (rv < 0) {
    // A framing or protocol error (the client's, not logged, as malformed HTTP/1.1 is not):
    // nghttp2 queued a GOAWAY saying which when it can; send it and close.
    if (rv == NGHTTP2_ERR_BAD_CLIENT_MAGIC) return Close();
    nghttp2_session_terminate_session(session_, NGHTTP2_PROTOCOL_ERROR);
  }
}

void Http2Session::Read() {
  reading_ = true;
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                            self->reading_ = false;
                            if (self->closed_) return;
                            if (ec) return self->Close();
                            if (self->lingering_) return self->Read();  // discarded
                            self->ArmIdleTimer();
                            self->Receive(self->read_buffer_.data(), n);
                            if (self->closed_) return;
                            self->FlushAll();
                            if (!self->closed_ && nghttp2_session_want_read(self->session_))
                              self->Read();
                          });
}

void Http2Session::FlushAll() {
  if (closed_) return;
  if (upstream_ != nullptr) upstream_->Flush();
  for (auto& retired : retired_upstreams_) retired->Flush();
  Flush();
}

void Http2Session::Flush() {
  if (writing_ || closed_) return;
  while (write_buffer_.size() < 64 * 1024) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return Close();
    if (n == 0) break;
    write_buffer_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  if (write_buffer_.empty()) {
    if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) Linger();
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(write_buffer_),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      self->writing_ = false;
                      self->write_buffer_.clear();
                      if (ec) return self->Close();
                      self->FlushAll();
                    });
}

// A connection with no stream for idle_timeout_s is closed (as HTTP/1.1's is); while draining,
// after drain_idle_ms.
void Http2Session::ArmIdleTimer() {
  const auto wait = draining_ ? std::chrono::milliseconds(options_.drain_idle_ms)
                              : std::chrono::milliseconds(options_.idle_timeout_s * 1000);
  idle_timer_.expires_after(wait);
  idle_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->closed_) return;
    if (!self->streams_.empty() || self->rest_in_flight_ > 0) return self->ArmIdleTimer();
    nghttp2_session_terminate_session(self->session_, NGHTTP2_NO_ERROR);
    self->FlushAll();
  });
}

// A graceful GOAWAY in two steps (RFC 9113 6.8): first a notice that opens no new streams but
// refuses none, with a PING; once the client acknowledges the PING it has read the notice, so
// every stream it will ever open here is known, and the final GOAWAY names the last one. Those
// streams are answered, then the connection closes (nghttp2 stops wanting to read). A single
// GOAWAY would race the client's next request: a stream sent before the client read it is
// dropped, and the close that follows resets the connection under it.
void Http2Session::OnDrain() {
  if (closed_ || draining_ || session_ == nullptr) return;
  draining_ = true;
  if (nghttp2_submit_shutdown_notice(session_) == 0 &&
      nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr) == 0) {
    awaiting_drain_ping_ = true;
  } else {
    SubmitFinalGoaway();
  }
  ArmIdleTimer();
  FlushAll();
}

void Http2Session::OnPingAcknowledged() {
  if (!awaiting_drain_ping_) return;
  awaiting_drain_ping_ = false;
  SubmitFinalGoaway();
}

void Http2Session::SubmitFinalGoaway() {
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
}

// Everything is said: send FIN, then read (and drop) until the client closes its end. Closing at
// once with bytes of the client's still unread (a WINDOW_UPDATE, a request sent before it read
// the GOAWAY) would make the kernel answer with a reset.
void Http2Session::Linger() {
  if (closed_ || lingering_) return;
  lingering_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_send, ignored);
  idle_timer_.cancel();
  idle_timer_.expires_after(kLingerMs);
  idle_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!ec && self) self->Close();
  });
  if (!reading_) Read();
}

void Http2Session::Close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  idle_timer_.cancel();
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  // Cancels what the gRPC server still runs for this client.
  if (upstream_ != nullptr) upstream_->Close();
  for (auto& retired : retired_upstreams_) retired->Close();
}

}  // namespace tern
