#include "server/http/http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "common/logging.h"
#include "common/thread_name.h"
#include "server/codec/json_tensor.h"
#include "server/http/http2_session.h"
#include "server/http/http_status.h"
#include "server/http/rest_exchange.h"
#include "server/http/server_session.h"

namespace tern {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// What the sessions of one server share, with the list StartDrain walks; outlives them (they
// hold it).
struct ServerContext : SessionContext {
  std::mutex sessions_mu;
  std::vector<std::weak_ptr<ServerSession>> sessions;
  size_t live_after_prune = 0;

  void Register(std::weak_ptr<ServerSession> session) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    if (sessions.size() >= 2 * live_after_prune + 64) {  // amortised O(1) per connection
      std::erase_if(sessions, [](const auto& s) { return s.expired(); });
      live_after_prune = sessions.size();
    }
    sessions.push_back(std::move(session));
  }
};

// The HTTP/2 client preface begins like an HTTP/1.x request line of version 2.0, which Beast
// refuses (bad_version) without consuming it.
bool StartsWithHttp2Preface(const beast::flat_buffer& buffer) {
  constexpr std::string_view kRequestLine = "PRI * HTTP/2.0\r\n";
  const auto data = buffer.data();
  const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
  return bytes.substr(0, kRequestLine.size()) == kRequestLine;
}

// RFC 7540 3.2: an HTTP/1.1 request may ask to continue as HTTP/2 ("Upgrade: h2c" with its
// SETTINGS in HTTP2-Settings).
bool AsksForH2c(const http::request<http::string_body>& request) {
  if (request.version() != 11 || request[http::field::upgrade].empty() ||
      request.count("HTTP2-Settings") != 1) {
    return false;
  }
  const auto upgrade = request[http::field::upgrade];
  for (auto token : http::token_list(upgrade)) {
    if (beast::iequals(token, "h2c")) return true;
  }
  return false;
}

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

void StartHttp2Session(tcp::socket socket, std::string received,
                       std::optional<H2cUpgradeRequest> upgrade, const RestHandler* api,
                       const HttpServer::Options& options, std::shared_ptr<ServerContext> context) {
  auto session = std::make_shared<Http2Session>(std::move(socket), api, options, context);
  context->Register(session);
  asio::dispatch(session->executor(), [session, context, received = std::move(received),
                                       upgrade = std::move(upgrade)]() mutable {
    session->Start(std::move(received), std::move(upgrade));
    if (context->draining.load()) session->PostDrain();
  });
}

// One connection: read a request, answer it, repeat while the client keeps the connection.
class HttpSession : public ServerSession, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, const RestHandler* api, const HttpServer::Options& options,
              std::shared_ptr<ServerContext> context)
      : stream_(std::move(socket)),
        drain_timer_(stream_.get_executor()),
        options_(options),
        api_(api),
        max_request_bytes_(options.max_request_bytes),
        enable_cors_(options.enable_cors_support),
        header_timeout_s_(options.idle_timeout_s),
        drain_idle_ms_(options.drain_idle_ms),
        context_(std::move(context)) {
    ++context_->open_sessions;
    if (context_->activity) context_->activity->ConnectionOpened();
  }
  ~HttpSession() {
    if (in_request_ && context_->activity) context_->activity->RequestFinished();
    if (context_->activity) context_->activity->ConnectionClosed();
    --context_->open_sessions;
  }

  void Start() { ReadRequest(); }
  void PostDrain() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->OnDrain(); });
  }

  // On the session's strand: a connection between requests gets drain_idle_ms for one more.
  void OnDrain() {
    drain_timer_.expires_after(std::chrono::milliseconds(drain_idle_ms_));
    drain_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->in_request_ || (self->parser_ && self->parser_->got_some())) return;
      self->Close();
      self->stream_.cancel();
    });
  }

  auto executor() { return stream_.get_executor(); }

 private:
  void BeginRequest() {
    in_request_ = true;
    if (context_->activity) context_->activity->RequestStarted();
  }
  void EndRequest() {
    if (!in_request_) return;
    in_request_ = false;
    if (context_->activity) context_->activity->RequestFinished();
  }

  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(max_request_bytes_);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(std::chrono::seconds(header_timeout_s_));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      return Close();
    }
    if (ec == http::error::bad_version && StartsWithHttp2Preface(buffer_)) {
      // Prior knowledge on a port that did not peek (the REST port): the preface and the frames
      // after it are still in buffer_.
      return HandOverToHttp2(std::string(), std::nullopt);
    }
    BeginRequest();
    if (ec) {
      // The request could not be read whole (too large, malformed): answer and close.
      const bool too_large = ec == http::error::body_limit;
      auto response = std::make_shared<http::response<http::string_body>>(
          static_cast<http::status>(ToHttpStatusCode(too_large ? HttpRefusal::kBodyTooLarge
                                                               : HttpRefusal::kMalformedRequest)),
          11);
      response->set(http::field::content_type, "application/json");
      response->body() =
          WriteErrorResponse(too_large ? "request body exceeds the limit of " +
                                             std::to_string(max_request_bytes_) + " bytes"
                                       : "malformed HTTP request: " + ec.message());
      response->keep_alive(false);
      response->prepare_payload();
      return Write(std::move(response));
    }
    const auto& request = parser_->get();
    if (AsksForH2c(request) && !context_->draining.load()) return UpgradeToH2c(request);
    decoded_.clear();
    std::string_view body;
    auto immediate = PrepareRestRequest(
        {View(request.method_string()), View(request.target()),
         View(request[http::field::content_encoding]), View(request[http::field::origin]),
         View(request["Inference-Header-Content-Length"])},
        request.body(), {max_request_bytes_, enable_cors_}, &decoded_, &body);
    if (immediate) return Respond(request, std::move(*immediate));
    // The parser (and decoded_) keep the request alive until the answer is written; the answer
    // may come from a batch thread, so it is handed back to this session's strand.
    api_->HandleAsync(RestRequest{View(request.method_string()), View(request.target()), body,
                                  View(request["Inference-Header-Content-Length"])},
                      [self = shared_from_this()](RestResponse answer) {
                        asio::post(self->stream_.get_executor(),
                                   [self, answer = std::move(answer)]() mutable {
                                     self->Respond(self->parser_->get(), std::move(answer));
                                   });
                      });
  }

  // 101 Switching Protocols, then the connection is HTTP/2 and the request its stream 1.
  void UpgradeToH2c(const http::request<http::string_body>& request) {
    H2cUpgradeRequest upgrade{std::string(request.method_string()),
                              std::string(request.target()),
                              request.body(),
                              std::string(request[http::field::content_type]),
                              std::string(request[http::field::content_encoding]),
                              std::string(request[http::field::origin]),
                              std::string(request["Inference-Header-Content-Length"]),
                              std::string(request["HTTP2-Settings"])};
    EndRequest();  // the HTTP/2 session counts it from here
    auto response =
        std::make_shared<http::response<http::empty_body>>(http::status::switching_protocols, 11);
    response->set(http::field::connection, "Upgrade");
    response->set(http::field::upgrade, "h2c");
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response, upgrade = std::move(upgrade)](
                          beast::error_code ec, size_t) mutable {
                        if (ec) return self->Close();
                        self->HandOverToHttp2(std::string(), std::move(upgrade));
                      });
  }

  // The socket, and what was read past the request, go to an Http2Session.
  void HandOverToHttp2(std::string received, std::optional<H2cUpgradeRequest> upgrade) {
    received += beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    stream_.expires_never();
    StartHttp2Session(stream_.release_socket(), std::move(received), std::move(upgrade), api_,
                      options_, context_);
  }

  void Respond(const http::request<http::string_body>& request, RestResponse result) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(result.status_code), request.version());
    response->set(http::field::content_type, result.content_type);
    for (const auto& [name, value] : result.headers) response->set(name, value);
    for (const auto& [name, value] : CommonResponseHeaders(enable_cors_)) {
      response->set(name, value);
    }
    response->keep_alive(request.keep_alive() && !context_->draining.load());
    response->body() = std::move(result.body);
    response->prepare_payload();
    Write(std::move(response));
  }

  void Write(std::shared_ptr<http::response<http::string_body>> response) {
    const bool keep_alive = response->keep_alive();
    http::async_write(
        stream_, *response,
        [self = shared_from_this(), response, keep_alive](beast::error_code ec, size_t) {
          self->EndRequest();
          // A response that promised keep-alive is followed by a read even while
          // draining: the client may already have sent its next request.
          if (ec || !keep_alive) return self->Close();
          if (self->context_->draining.load()) self->OnDrain();
          self->ReadRequest();
        });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  asio::steady_timer drain_timer_;
  const HttpServer::Options options_;  // for a hand-over to HTTP/2
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string decoded_;  // the gunzipped body of the request being answered
  const RestHandler* api_;
  const uint64_t max_request_bytes_;
  const bool enable_cors_;
  const int64_t header_timeout_s_;
  const int64_t drain_idle_ms_;
  std::shared_ptr<ServerContext> context_;
  bool in_request_ = false;
};

}  // namespace

struct HttpServer::Impl {
  asio::io_context io;
  // Accept handlers and StartDrain's close run on this strand, never at once.
  asio::strand<asio::io_context::executor_type> accept_strand = asio::make_strand(io);
  tcp::acceptor acceptor{accept_strand};
  std::vector<std::thread> threads;
  const RestHandler* api = nullptr;
  Options options;
  bool stopped = false;
  int bound_port = 0;
  std::shared_ptr<ServerContext> context = std::make_shared<ServerContext>();

  void StartSession(tcp::socket socket) {
    auto session = std::make_shared<HttpSession>(std::move(socket), api, options, context);
    context->Register(session);
    // On the session's strand: StartDrain may post OnDrain to it at any time.
    asio::dispatch(session->executor(), [session, context = context] {
      session->Start();
      if (context->draining.load()) session->OnDrain();
    });
  }

  void Accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (!acceptor.is_open()) return;  // closed by StartDrain or Stop
      if (ec) {
        if (ec == asio::error::operation_aborted) return;
        TERN_LOG(Warning) << "REST accept failed: " << ec.message();
      } else {
        socket.set_option(tcp::no_delay(true), ec);
        StartSession(std::move(socket));
      }
      Accept();
    });
  }

  // The guard keeps the threads running until Stop: once a drain closed the acceptor, requests
  // waiting for a batch hold no I/O, and without it run() would return with their answers unsent.
  void RunIoThreads(int num_threads) {
    for (int i = 0; i < std::max(1, num_threads); ++i) {
      threads.emplace_back([io = &io] {
        SetCurrentThreadName("tern-http");
        auto work = asio::make_work_guard(*io);
        io->run();
      });
    }
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const RestHandler* api, Options options) {
  auto impl = std::make_unique<Impl>();
  impl->api = api;
  impl->options = options;
  impl->context->activity = options.activity;
  beast::error_code ec;
  if (options.port < 0) {  // adopted connections only (the front door's router)
    impl->RunIoThreads(options.num_threads);
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
  }
  auto address = asio::ip::make_address(options.address, ec);
  if (ec) return InvalidArgument("bad REST address '" + options.address + "': " + ec.message());
  tcp::endpoint endpoint(address, static_cast<unsigned short>(options.port));
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen for REST on " + options.address + ":" +
                       std::to_string(options.port) + ": " + ec.message());
  }
  impl->bound_port = impl->acceptor.local_endpoint().port();
  impl->Accept();
  impl->RunIoThreads(options.num_threads);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->bound_port; }

void HttpServer::AdoptConnection(int fd, bool http2) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    return;
  }
  tcp::socket socket(asio::make_strand(impl_->io));
  beast::error_code ec;
  socket.assign(address.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
  if (ec) {
    TERN_LOG(Warning) << "REST cannot adopt fd " << fd << ": " << ec.message();
    ::close(fd);
    return;
  }
  if (http2) {
    StartHttp2Session(std::move(socket), std::string(), std::nullopt, impl_->api, impl_->options,
                      impl_->context);
  } else {
    impl_->StartSession(std::move(socket));
  }
}

void HttpServer::StartDrain() {
  // The listener closes before any response says "Connection: close": a client reconnecting
  // then is refused, rather than left in the backlog of a listener about to close (a reset).
  auto closed = std::make_shared<std::promise<void>>();
  asio::post(impl_->accept_strand, [impl = impl_.get(), closed] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    closed->set_value();
  });
  if (!impl_->io.stopped()) closed->get_future().wait_for(std::chrono::seconds(5));
  impl_->context->draining.store(true);
  std::lock_guard<std::mutex> lock(impl_->context->sessions_mu);
  for (const auto& weak : impl_->context->sessions) {
    if (auto session = weak.lock()) session->PostDrain();
  }
}

int64_t HttpServer::WaitDrained(int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (impl_->context->open_sessions.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return impl_->context->open_sessions.load();
}

void HttpServer::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->io.stop();
  for (auto& t : impl_->threads) t.join();
}

}  // namespace tern
