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
#include "server/codec/json_tensor.h"
#include "server/http/gzip.h"
#include "server/http/http_status.h"

namespace tern {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// What the sessions of one server share; outlives them (they hold it).
struct SessionContext {
  std::atomic<bool> draining{false};
  std::atomic<int64_t> open_sessions{0};
  ActivityTracker* activity = nullptr;
};

// One connection: read a request, answer it, repeat while the client keeps the connection.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, const RestHandler* api, const HttpServer::Options& options,
              std::shared_ptr<SessionContext> context)
      : stream_(std::move(socket)),
        drain_timer_(stream_.get_executor()),
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
    const auto method = request.method_string();
    const auto target = request.target();
    RestResponse result;
    decoded_.clear();
    std::string_view body = request.body();
    const auto encoding = request[http::field::content_encoding];
    if (request.method() == http::verb::options && enable_cors_) {
      // A CORS preflight; TF Serving requires an Origin on it.
      if (request[http::field::origin].empty()) {
        result.status_code = ToHttpStatusCode(HttpRefusal::kPreflightWithoutOrigin);
        result.body = WriteErrorResponse("CORS preflight (OPTIONS) without an Origin header");
      } else {
        result.content_type = "text/plain";
      }
    } else if (!encoding.empty() && !beast::iequals(encoding, "identity") &&
               !beast::iequals(encoding, "gzip")) {
      result.status_code = ToHttpStatusCode(HttpRefusal::kUnsupportedEncoding);
      result.body = WriteErrorResponse("unsupported Content-Encoding '" + std::string(encoding) +
                                       "' (supported: gzip, identity)");
    } else {
      if (beast::iequals(encoding, "gzip")) {
        auto gunzipped = GunzipBody(body, max_request_bytes_);
        if (!gunzipped.ok()) {
          result.status_code = ToHttpStatusCode(BodyDecodingRefusal(gunzipped.status().code()));
          result.body = WriteErrorResponse(gunzipped.status().message());
          return Respond(request, std::move(result));
        }
        decoded_ = std::move(gunzipped).value();
        body = decoded_;
      }
      const auto header_length = request["Inference-Header-Content-Length"];
      // The parser (and decoded_) keep the request alive until the answer is written; the
      // answer may come from a batch thread, so it is handed back to this session's strand.
      return api_->HandleAsync(
          RestRequest{std::string_view(method.data(), method.size()),
                      std::string_view(target.data(), target.size()), body,
                      std::string_view(header_length.data(), header_length.size())},
          [self = shared_from_this()](RestResponse answer) {
            asio::post(self->stream_.get_executor(), [self, answer = std::move(answer)]() mutable {
              self->Respond(self->parser_->get(), std::move(answer));
            });
          });
    }
    Respond(request, std::move(result));
  }

  void Respond(const http::request<http::string_body>& request, RestResponse result) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(result.status_code), request.version());
    response->set(http::field::server, "tern");
    response->set(http::field::content_type, result.content_type);
    for (const auto& [name, value] : result.headers) response->set(name, value);
    if (enable_cors_) {
      response->set(http::field::access_control_allow_origin, "*");
      response->set(http::field::access_control_allow_methods, "POST, GET");
      response->set(http::field::access_control_allow_headers, "Content-Type");
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
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string decoded_;  // the gunzipped body of the request being answered
  const RestHandler* api_;
  const uint64_t max_request_bytes_;
  const bool enable_cors_;
  const int64_t header_timeout_s_;
  const int64_t drain_idle_ms_;
  std::shared_ptr<SessionContext> context_;
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
  std::shared_ptr<SessionContext> context = std::make_shared<SessionContext>();
  std::mutex sessions_mu;
  std::vector<std::weak_ptr<HttpSession>> sessions;  // for StartDrain
  size_t live_after_prune = 0;

  void StartSession(tcp::socket socket) {
    auto session = std::make_shared<HttpSession>(std::move(socket), api, options, context);
    {
      std::lock_guard<std::mutex> lock(sessions_mu);
      if (sessions.size() >= 2 * live_after_prune + 64) {  // amortised O(1) per connection
        std::erase_if(sessions, [](const auto& s) { return s.expired(); });
        live_after_prune = sessions.size();
      }
      sessions.push_back(session);
    }
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

void HttpServer::AdoptConnection(int fd) {
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
  impl_->StartSession(std::move(socket));
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
  std::lock_guard<std::mutex> lock(impl_->sessions_mu);
  for (const auto& weak : impl_->sessions) {
    if (auto session = weak.lock())
      asio::post(session->executor(), [session] { session->OnDrain(); });
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
