#include "server/listen/front_door.h"

#include <fcntl.h>
#include <grpc/grpc.h>
#include <grpcpp/server_posix.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <thread>

#include "common/logging.h"
#include "common/startup_trace.h"
#include "server/listen/connection_router.h"
#include "server/grpc/grpc_server.h"
#include "server/http/http_server.h"

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

// After Shutdown began, how long before held calls are answered (so that the GOAWAY is on the
// wire first), and how long idle clients then get to close their connections before being cut.
constexpr std::chrono::milliseconds kGoawayLeadMs{100};
// Before Shutdown, how long no request may have started or finished (see Drain), at most.
constexpr std::chrono::milliseconds kGrpcSettleMs{100};
constexpr std::chrono::milliseconds kMaxGrpcSettleMs{1000};
constexpr std::chrono::milliseconds kGrpcCloseWaitMs{300};

struct FrontDoor::Impl {
  std::unique_ptr<grpc::Server> grpc;
  GrpcDrainGate* grpc_gate = nullptr;
  std::unique_ptr<HttpServer> rest;
  std::unique_ptr<ConnectionRouter> router;
  ActivityTracker* activity = nullptr;
};

FrontDoor::FrontDoor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FrontDoor::~FrontDoor() {
  if (impl_->router) impl_->router->StopAccepting(0);
  impl_->router.reset();
  if (impl_->rest) impl_->rest->Stop();
  if (impl_->grpc) impl_->grpc->Shutdown(std::chrono::system_clock::now());
}

StatusOr<std::unique_ptr<FrontDoor>> FrontDoor::Start(const FrontDoorOptions& options, ListenPlan plan,
                                                      Endpoints endpoints) {
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
                   << (options.grpc_socket_path.empty() ? "" : " and unix:" + options.grpc_socket_path);
  }

  if (plan.rest_port != 0 || !routed_fds.empty()) {
    HttpServer::Options rest_options;
    rest_options.port = plan.rest_port != 0 ? plan.rest_port : -1;
    rest_options.enable_cors_support = options.rest_api_enable_cors_support;
    rest_options.max_request_bytes =
        static_cast<uint64_t>(std::max<int64_t>(0, options.max_request_bytes));
    rest_options.num_threads =
        options.rest_api_num_threads > 0
            ? options.rest_api_num_threads
            : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
    if (options.idle_shutdown_seconds > 0) {
      // A kept-alive connection must not hold an idle server up forever.
      rest_options.idle_timeout_s =
          std::min<int64_t>(rest_options.idle_timeout_s, options.idle_shutdown_seconds);
    }
    rest_options.activity = endpoints.activity;
    TERN_ASSIGN_OR_RETURN(impl->rest, HttpServer::Start(endpoints.rest_handler, rest_options));
    if (plan.rest_port != 0) TERN_LOG(Info) << "REST listening on port " << impl->rest->port();
  }

  if (!routed_fds.empty()) {
    ConnectionRouter::Options router_options;
    router_options.listening_fds = routed_fds;
    grpc::Server* grpc_server = impl->grpc.get();
    HttpServer* rest_server = impl->rest.get();
    TERN_ASSIGN_OR_RETURN(impl->router,
                     ConnectionRouter::Start(
                         router_options,
                         {[rest_server](int fd) { rest_server->AdoptConnection(fd); },
                          [grpc_server](int fd) {
                            // gRPC's event engine expects a non-blocking socket.
                            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
                            grpc::AddInsecureChannelFromFd(grpc_server, fd);
                          }}));
  }
  if (impl->rest) MarkStartupPhase("rest_listening");
  return std::unique_ptr<FrontDoor>(new FrontDoor(std::move(impl)));
}

FrontDoor::DrainReport FrontDoor::Drain(int64_t timeout_ms) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  const auto sleep_a_little = [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); };
  // gRPC calls that start from now on are held, not run (grpc_drain_gate.h).
  GrpcDrainGate* gate = impl_->grpc_gate;
  if (gate) gate->Close();
  // Listeners close first (connections accepted but not yet classified get a moment to be
  // routed), then responses start closing their connections.
  if (impl_->router) impl_->router->StopAccepting(std::min<int64_t>(200, timeout_ms));
  if (impl_->rest) impl_->rest->StartDrain();
  DrainReport report;
  // Kept-alive REST connections get a moment for one more request; gRPC goes on meanwhile.
  std::thread rest_drain([this, deadline, &report] {
    if (!impl_->rest) return;
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    report.rest_connections_left = impl_->rest->WaitDrained(std::max<int64_t>(0, remaining.count()));
  });
  // The accepted requests: everything in flight but the held gRPC calls.
  const auto accepted_in_flight = [&] {
    if (!impl_->activity) return int64_t{0};
    return std::max<int64_t>(0, impl_->activity->requests_in_flight() - (gate ? gate->held() : 0));
  };
  while (accepted_in_flight() > 0 && Clock::now() < deadline) sleep_a_little();
  report.requests_left = accepted_in_flight();
  // A client answered just now may have its next call on the way: let it arrive and be held,
  // rather than reach gRPC after Shutdown began. Held calls arriving extend the wait (bounded).
  if (gate && impl_->activity && report.requests_left == 0) {
    const auto give_up = std::min(deadline, Clock::now() + kMaxGrpcSettleMs);
    while (impl_->activity->MsSinceLastRequestEvent() < kGrpcSettleMs.count() &&
           Clock::now() < give_up) {
      sleep_a_little();
    }
  }
  // gRPC's core shutdown, here and now: it closes gRPC's own listeners and starts the GOAWAY on
  // every connection before it returns, so the held calls below are answered after it. (The
  // C++ Shutdown below joins it: a second shutdown_and_notify only adds its own tag.)
  grpc_completion_queue* core_shutdown_cq = grpc_completion_queue_create_for_pluck(nullptr);
  int core_shutdown_tag = 0;
  grpc_server_shutdown_and_notify(impl_->grpc->c_server(), core_shutdown_cq, &core_shutdown_tag);
  // Server::Shutdown waits for the RPCs in flight until the deadline, then cancels the rest.
  std::atomic<bool> grpc_done{false};
  std::thread grpc_drain([grpc = impl_->grpc.get(), deadline, &grpc_done] {
    const auto remaining = std::max(Clock::duration::zero(), deadline - Clock::now());
    grpc->Shutdown(std::chrono::system_clock::now() + remaining);
    grpc_done.store(true);
  });
  if (gate) {
    // A held call's answer must reach its client after the GOAWAY (written first on the same
    // connection), so that the client sends its retry on a new connection, which is refused,
    // and not on this one, where gRPC would cancel it.
    if (gate->held() > 0) {
      std::this_thread::sleep_until(std::min(deadline, Clock::now() + kGoawayLeadMs));
    }
    gate->Release();
  }
  while (impl_->activity && impl_->activity->requests_in_flight() > 0 && Clock::now() < deadline) {
    sleep_a_little();
  }
  // What is still running (REST requests read meanwhile included) is cut off.
  if (impl_->activity) report.requests_left = impl_->activity->requests_in_flight();
  if (impl_->activity && report.requests_left == 0) {
    // Every call is answered; gRPC now only waits for clients to close their connections after
    // the GOAWAY, which an idle client may take seconds to do: after a moment, disconnect them.
    const auto cut = std::min(deadline, Clock::now() + kGrpcCloseWaitMs);
    while (!grpc_done.load() && Clock::now() < cut) sleep_a_little();
    if (!grpc_done.load()) grpc_server_cancel_all_calls(impl_->grpc->c_server());
  }
  grpc_drain.join();
  // Shutdown is complete, so the core has published the tag.
  grpc_completion_queue_pluck(core_shutdown_cq, &core_shutdown_tag,
                              gpr_inf_future(GPR_CLOCK_REALTIME), nullptr);
  grpc_completion_queue_shutdown(core_shutdown_cq);
  grpc_completion_queue_destroy(core_shutdown_cq);
  rest_drain.join();
  if (impl_->rest) impl_->rest->Stop();
  impl_->router.reset();
  return report;
}

}  // namespace tern
