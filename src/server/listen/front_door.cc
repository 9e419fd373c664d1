#include "server/listen/front_door.h"

#include <fcntl.h>
#include <grpc/grpc.h>
#include <grpcpp/server_posix.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/cpu_count.h"
#include "common/logging.h"
#include "common/startup_trace.h"
#include "server/grpc/grpc_server.h"
#include "server/http/http_server.h"
#include "server/listen/connection_router.h"

namespace tern {
namespace {

StatusOr<int> ListenTcp(int port) {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unavailable(std::string("cannot create a socket: ") + std::strerror(errno));
  int on = 1, off = 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));  // IPv4 too
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_any;
  address.sin6_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd, SOMAXCONN) != 0) {
    const std::string error = std::strerror(errno);
    ::close(fd);
    return Unavailable("cannot listen on port " + std::to_string(port) + ": " + error);
  }
  return fd;
}

int LocalPort(int fd) {
  sockaddr_in6 address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  return ntohs(address.sin6_port);  // same offset in sockaddr_in
}

}  // namespace

StatusOr<ListenPlan> PlanListeners(const FrontDoorOptions& options, const char* port_env,
                                   std::vector<InheritedSocket> inherited) {
  ListenPlan plan;
  if (!inherited.empty()) {
    plan.inherited = std::move(inherited);
  } else if (port_env != nullptr && !options.port_given) {
    const std::string text(port_env);
    int port = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc() || ptr != text.data() + text.size() || port <= 0 || port > 65535) {
      return InvalidArgument("$PORT must be a TCP port (1-65535), got '" + text + "'");
    }
    plan.shared_port = port;
  } else if (options.port == options.rest_api_port && options.port != 0) {
    plan.shared_port = options.port;
  } else {
    plan.grpc_port = options.port;
    plan.rest_port = options.rest_api_port;
  }
  const bool routed = plan.shared_port >= 0 || !plan.inherited.empty();
  if (routed && !options.ssl_config_file.empty()) {
    return InvalidArgument(
        "--ssl_config_file needs gRPC on its own port: with one shared port or systemd sockets, "
        "gRPC is served plaintext (give --port and --rest_api_port different values)");
  }
  return plan;
}

namespace {

// After Shutdown began, how long before held calls are answered (so that the GOAWAY is on the
// wire first), and how long idle clients then get to close their connections before being cut.
constexpr std::chrono::milliseconds kGoawayLeadMs{100};
// Before Shutdown, how long no request may have started or finished (LetLateCallsArrive), at
// most.
constexpr std::chrono::milliseconds kGrpcSettleMs{100};
constexpr std::chrono::milliseconds kMaxGrpcSettleMs{1000};
constexpr std::chrono::milliseconds kGrpcCloseWaitMs{300};

using Clock = std::chrono::steady_clock;

void SleepALittle() { std::this_thread::sleep_for(std::chrono::milliseconds(5)); }

// gRPC's core shutdown, started at construction: it closes gRPC's own listeners and starts the
// GOAWAY on every connection before the constructor returns. (The C++ Server::Shutdown joins
// it: a second shutdown_and_notify only adds its own tag.) Not copyable: the core holds &tag_.
class GrpcCoreShutdown {
 public:
  explicit GrpcCoreShutdown(grpc::Server* server)
      : cq_(grpc_completion_queue_create_for_pluck(nullptr)) {
    grpc_server_shutdown_and_notify(server->c_server(), cq_, &tag_);
  }
  GrpcCoreShutdown(const GrpcCoreShutdown&) = delete;
  GrpcCoreShutdown& operator=(const GrpcCoreShutdown&) = delete;

  // Once Server::Shutdown returned: the core has published the tag.
  void Collect() {
    grpc_completion_queue_pluck(cq_, &tag_, gpr_inf_future(GPR_CLOCK_REALTIME), nullptr);
    grpc_completion_queue_shutdown(cq_);
    grpc_completion_queue_destroy(cq_);
  }

 private:
  grpc_completion_queue* cq_;
  int tag_ = 0;
};

}  // namespace

struct FrontDoor::Impl {
  std::unique_ptr<grpc::Server> grpc;
  GrpcDrainGate* grpc_gate = nullptr;
  std::unique_ptr<HttpServer> rest;
  std::unique_ptr<ConnectionRouter> router;
  ActivityTracker* activity = nullptr;

  // The steps of Drain, in its order.
  void CloseDoors(int64_t timeout_ms);
  int64_t WaitRestDrained(Clock::time_point deadline);
  int64_t WaitForAcceptedRequests(Clock::time_point deadline);
  void LetLateCallsArrive(Clock::time_point deadline);
  std::thread ShutDownGrpc(Clock::time_point deadline, std::atomic<bool>* done);
  void ReleaseHeldCalls(Clock::time_point deadline);
  void DisconnectIdleGrpcClients(Clock::time_point deadline, const std::atomic<bool>& grpc_done);
};

FrontDoor::FrontDoor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FrontDoor::~FrontDoor() {
  if (impl_->router) impl_->router->StopAccepting(0);
  impl_->router.reset();
  if (impl_->rest) impl_->rest->Stop();
  if (impl_->grpc) impl_->grpc->Shutdown(std::chrono::system_clock::now());
}

StatusOr<std::unique_ptr<FrontDoor>> FrontDoor::Start(const FrontDoorOptions& options,
                                                      ListenPlan plan, Endpoints endpoints) {
  auto impl = std::make_unique<Impl>();
  impl->activity = endpoints.activity;
  impl->grpc_gate = endpoints.grpc_gate;
  std::vector<int> routed_fds;
  for (const auto& socket : plan.inherited) {
    TERN_LOG(Info) << "serving REST and gRPC on inherited socket '" << socket.name << "' (fd "
                   << socket.fd << ", port " << LocalPort(socket.fd) << ")";
    routed_fds.push_back(socket.fd);
  }
  if (plan.shared_port >= 0) {
    TERN_ASSIGN_OR_RETURN(int fd, ListenTcp(plan.shared_port));
    TERN_LOG(Info) << "REST and gRPC listening on one port " << LocalPort(fd);
    routed_fds.push_back(fd);
  }

  GrpcServerOptions grpc_options;
  grpc_options.port = plan.grpc_port;
  grpc_options.socket_path = options.grpc_socket_path;
  grpc_options.channel_arguments = options.grpc_channel_arguments;
  grpc_options.max_threads = options.grpc_max_threads;
  grpc_options.ssl_config_file = options.ssl_config_file;
  grpc_options.activity = endpoints.activity;
  if (grpc_options.port == 0 && grpc_options.socket_path.empty() && routed_fds.empty()) {
    return InvalidArgument("gRPC needs --port or --grpc_socket_path");
  }
  auto grpc_started = StartGrpcServer(grpc_options, endpoints.grpc_services);
  if (!grpc_started.ok()) {
    for (int fd : routed_fds) ::close(fd);
    return grpc_started.status();
  }
  impl->grpc = std::move(grpc_started->server);
  MarkStartupPhase("grpc_listening");
  if (grpc_started->port != 0 || !options.grpc_socket_path.empty()) {
    TERN_LOG(Info) << "gRPC listening on port " << grpc_started->port
                   << (options.grpc_socket_path.empty() ? ""
                                                        : " and unix:" + options.grpc_socket_path);
  }

  if (plan.rest_port != 0 || !routed_fds.empty()) {
    HttpServer::Options rest_options;
    rest_options.port = plan.rest_port != 0 ? plan.rest_port : -1;
    rest_options.enable_cors_support = options.rest_api_enable_cors_support;
    rest_options.max_request_bytes =
        static_cast<uint64_t>(std::max<int64_t>(0, options.max_request_bytes));
    rest_options.num_threads = options.rest_api_num_threads > 0 ? options.rest_api_num_threads
                                                                : std::max(2, SchedulableCores());
    if (options.idle_shutdown_seconds > 0) {
      // A kept-alive connection must not hold an idle server up forever.
      rest_options.idle_timeout_s =
          std::min<int64_t>(rest_options.idle_timeout_s, options.idle_shutdown_seconds);
    }
    rest_options.activity = endpoints.activity;
    // HTTP/2 connections on the REST or shared port carry gRPC streams too: each is forwarded
    // to the gRPC server over a socket pair it serves like any connection (its interceptors,
    // drain gate, deadlines and shutdown apply as on the gRPC port).
    grpc::Server* grpc_server = impl->grpc.get();
    rest_options.connect_grpc = [grpc_server]() -> int {
      int fds[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return -1;
      // gRPC's event engine expects a non-blocking socket.
      fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
      grpc::AddInsecureChannelFromFd(grpc_server, fds[0]);
      return fds[1];
    };
    TERN_ASSIGN_OR_RETURN(impl->rest, HttpServer::Start(endpoints.rest_handler, rest_options));
    if (plan.rest_port != 0) TERN_LOG(Info) << "REST listening on port " << impl->rest->port();
  }

  if (!routed_fds.empty()) {
    ConnectionRouter::Options router_options;
    router_options.listening_fds = routed_fds;
    HttpServer* rest_server = impl->rest.get();
    TERN_ASSIGN_OR_RETURN(
        impl->router,
        ConnectionRouter::Start(
            router_options,
            {[rest_server](int fd) { rest_server->AdoptConnection(fd); },
             [rest_server](int fd) { rest_server->AdoptConnection(fd, /*http2=*/true); }}));
  }
  if (impl->rest) MarkStartupPhase("rest_listening");
  return std::unique_ptr<FrontDoor>(new FrontDoor(std::move(impl)));
}

// gRPC calls that start from now on are held, not run (grpc_drain_gate.h). Listeners close
// first (connections accepted but not yet classified get a moment to be routed), then responses
// start closing their connections.
void FrontDoor::Impl::CloseDoors(int64_t timeout_ms) {
  if (grpc_gate) grpc_gate->Close();
  if (router) router->StopAccepting(std::min<int64_t>(200, timeout_ms));
  if (rest) rest->StartDrain();
}

// How many REST connections are still open at the deadline.
int64_t FrontDoor::Impl::WaitRestDrained(Clock::time_point deadline) {
  if (!rest) return 0;
  const auto remaining =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return rest->WaitDrained(std::max<int64_t>(0, remaining.count()));
}

// Waits for the accepted requests: everything in flight but the held gRPC calls. Returns how many
// are left at the deadline.
int64_t FrontDoor::Impl::WaitForAcceptedRequests(Clock::time_point deadline) {
  const auto accepted_in_flight = [&] {
    if (!activity) return int64_t{0};
    const int64_t held = grpc_gate ? grpc_gate->held() : 0;
    return std::max<int64_t>(0, activity->requests_in_flight() - held);
  };
  while (accepted_in_flight() > 0 && Clock::now() < deadline) SleepALittle();
  return accepted_in_flight();
}

// A client answered just now may have its next call on the way: let it arrive and be held,
// rather than reach gRPC after Shutdown began. Held calls arriving extend the wait (bounded).
void FrontDoor::Impl::LetLateCallsArrive(Clock::time_point deadline) {
  if (!grpc_gate || !activity) return;
  const auto give_up = std::min(deadline, Clock::now() + kMaxGrpcSettleMs);
  while (activity->MsSinceLastRequestEvent() < kGrpcSettleMs.count() && Clock::now() < give_up) {
    SleepALittle();
  }
}

// Server::Shutdown, on its own thread: it waits for the RPCs in flight until the deadline, then
// cancels the rest; *done is set when it returned.
std::thread FrontDoor::Impl::ShutDownGrpc(Clock::time_point deadline, std::atomic<bool>* done) {
  return std::thread([server = grpc.get(), deadline, done] {
    const auto remaining = std::max(Clock::duration::zero(), deadline - Clock::now());
    server->Shutdown(std::chrono::system_clock::now() + remaining);
    done->store(true);
  });
}

// A held call's answer must reach its client after the GOAWAY (written first on the same
// connection), so that the client sends its retry on a new connection, which is refused, and not
// on this one, where gRPC would cancel it.
void FrontDoor::Impl::ReleaseHeldCalls(Clock::time_point deadline) {
  if (!grpc_gate) return;
  if (grpc_gate->held() > 0) {
    std::this_thread::sleep_until(std::min(deadline, Clock::now() + kGoawayLeadMs));
  }
  grpc_gate->Release();
}

// Every call is answered; gRPC now only waits for clients to close their connections after the
// GOAWAY, which an idle client may take seconds to do: after a moment, disconnect them.
void FrontDoor::Impl::DisconnectIdleGrpcClients(Clock::time_point deadline,
                                                const std::atomic<bool>& grpc_done) {
  const auto cut = std::min(deadline, Clock::now() + kGrpcCloseWaitMs);
  while (!grpc_done.load() && Clock::now() < cut) SleepALittle();
  if (!grpc_done.load()) grpc_server_cancel_all_calls(grpc->c_server());
}

FrontDoor::DrainReport FrontDoor::Drain(int64_t timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  impl_->CloseDoors(timeout_ms);
  DrainReport report;
  // Kept-alive REST connections get a moment for one more request; gRPC goes on meanwhile.
  std::thread rest_drain([this, deadline, &report] {
    report.rest_connections_left = impl_->WaitRestDrained(deadline);
  });
  report.requests_left = impl_->WaitForAcceptedRequests(deadline);
  if (report.requests_left == 0) impl_->LetLateCallsArrive(deadline);
  // From here on gRPC shuts down; the held calls are answered after its GOAWAY started.
  GrpcCoreShutdown core_shutdown(impl_->grpc.get());
  std::atomic<bool> grpc_done{false};
  std::thread grpc_drain = impl_->ShutDownGrpc(deadline, &grpc_done);
  impl_->ReleaseHeldCalls(deadline);
  ActivityTracker* activity = impl_->activity;
  while (activity && activity->requests_in_flight() > 0 && Clock::now() < deadline) {
    SleepALittle();
  }
  // What is still running (REST requests read meanwhile included) is cut off.
  if (activity) report.requests_left = activity->requests_in_flight();
  if (activity && report.requests_left == 0) {
    impl_->DisconnectIdleGrpcClients(deadline, grpc_done);
  }
  grpc_drain.join();
  core_shutdown.Collect();
  rest_drain.join();
  if (impl_->rest) impl_->rest->Stop();
  impl_->router.reset();
  return report;
}

}  // namespace tern
