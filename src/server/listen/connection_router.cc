#include "server/listen/connection_router.h"

#include <boost/asio.hpp>
#include <sys/socket.h>

#include <atomic>
#include <future>
#include <thread>

#include "common/logging.h"
#include "common/thread_name.h"

namespace tern {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr std::string_view kHttp2Preface("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);

}  // namespace

WireProtocol ClassifyPreface(std::string_view first_bytes) {
  const size_t n = std::min(first_bytes.size(), kHttp2Preface.size());
  if (first_bytes.substr(0, n) != kHttp2Preface.substr(0, n)) return WireProtocol::kHttp1;
  return n == kHttp2Preface.size() ? WireProtocol::kHttp2 : WireProtocol::kUndecided;
}

struct ConnectionRouter::Impl : std::enable_shared_from_this<ConnectionRouter::Impl> {
  asio::io_context io;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  Targets targets;
  Options options;
  std::atomic<int64_t> pending{0};
  std::thread thread;

  void Accept(tcp::acceptor* acceptor) {
    acceptor->async_accept(
        [self = shared_from_this(), acceptor](boost::system::error_code ec, tcp::socket socket) {
          if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
          if (ec) {
            TERN_LOG(Warning) << "accept failed: " << ec.message();
          } else {
            self->Sniff(std::make_shared<tcp::socket>(std::move(socket)),
                        std::make_shared<asio::steady_timer>(self->io),
                        std::chrono::steady_clock::now() +
                            std::chrono::milliseconds(self->options.preface_timeout_ms));
          }
          self->Accept(acceptor);
        });
  }

  // Peeks at the first bytes until they decide the protocol, then hands the fd over.
  void Sniff(std::shared_ptr<tcp::socket> socket, std::shared_ptr<asio::steady_timer> timer,
             std::chrono::steady_clock::time_point deadline) {
    ++pending;
    socket->async_wait(tcp::socket::wait_read, [self = shared_from_this(), socket, timer,
                                                deadline](boost::system::error_code ec) {
      --self->pending;
      if (ec) return;  // closed by StopAccepting or the destructor
      char bytes[kHttp2Preface.size()];
      const ssize_t n = ::recv(socket->native_handle(), bytes, sizeof(bytes), MSG_PEEK);
      if (n <= 0) return;  // the peer closed (or failed) before sending a request
      const WireProtocol protocol =
          ClassifyPreface(std::string_view(bytes, static_cast<size_t>(n)));
      if (protocol == WireProtocol::kUndecided) {
        // Part of the preface came; the rest is in flight. Readiness would fire again at once
        // (peeked bytes stay readable), so look again a little later.
        if (std::chrono::steady_clock::now() >= deadline) return;
        ++self->pending;
        timer->expires_after(std::chrono::milliseconds(2));
        timer->async_wait([self, socket, timer, deadline](boost::system::error_code) {
          --self->pending;
          self->Sniff(socket, timer, deadline);
        });
        return;
      }
      socket->set_option(tcp::no_delay(true), ec);
      const int fd = socket->release(ec);
      if (ec) return;
      if (protocol == WireProtocol::kHttp2) {
        self->targets.http2(fd);
      } else {
        self->targets.http1(fd);
      }
    });
  }
};

ConnectionRouter::ConnectionRouter(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

StatusOr<std::unique_ptr<ConnectionRouter>> ConnectionRouter::Start(Options options,
                                                                    Targets targets) {
  auto impl = std::make_shared<Impl>();
  impl->options = options;
  impl->targets = std::move(targets);
  for (int fd : options.listening_fds) {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    int type = 0;
    socklen_t type_length = sizeof(type);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_length) != 0 || type != SOCK_STREAM ||
        (address.ss_family != AF_INET && address.ss_family != AF_INET6)) {
      return InvalidArgument("fd " + std::to_string(fd) +
                             " is not a listening TCP socket (expected ListenStream=<port> in "
                             "the .socket unit)");
    }
    auto acceptor = std::make_unique<tcp::acceptor>(impl->io);
    boost::system::error_code ec;
    acceptor->assign(address.ss_family == AF_INET ? tcp::v4() : tcp::v6(), fd, ec);
    if (ec) return Internal("cannot accept on fd " + std::to_string(fd) + ": " + ec.message());
    acceptor->non_blocking(true, ec);
    impl->acceptors.push_back(std::move(acceptor));
  }
  for (auto& acceptor : impl->acceptors) impl->Accept(acceptor.get());
  impl->thread = std::thread([io = &impl->io] {
    SetCurrentThreadName("tern-router");
    io->run();
  });
  return std::unique_ptr<ConnectionRouter>(new ConnectionRouter(std::move(impl)));
}

void ConnectionRouter::StopAccepting(int64_t grace_ms) {
  // The acceptors belong to the io thread; close them there and wait until they are closed.
  auto closed = std::make_shared<std::promise<void>>();
  asio::post(impl_->io, [impl = impl_, closed] {
    for (auto& acceptor : impl->acceptors) {
      boost::system::error_code ignored;
      acceptor->close(ignored);
    }
    closed->set_value();
  });
  if (!impl_->io.stopped()) closed->get_future().wait_for(std::chrono::seconds(5));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  while (impl_->pending.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  impl_->io.stop();
}

ConnectionRouter::~ConnectionRouter() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace tern
