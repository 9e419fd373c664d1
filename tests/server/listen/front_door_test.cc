// Socket activation parsing, idle tracking, listener planning and connection routing.
#include "server/listen/front_door.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "server/app/flags.h"
#include "server/app/front_door_options.h"
#include "server/core/activity_tracker.h"
#include "server/listen/connection_router.h"
#include "server/listen/listen_fds.h"

namespace tern {
namespace {

TEST(ListenFds, ParsesNamedSocketsFromFdThree) {
  auto sockets = ParseListenFds("42", "2", "rest:grpc", 42);
  ASSERT_TRUE(sockets.ok()) << sockets.status().message();
  ASSERT_EQ(sockets->size(), 2u);
  EXPECT_EQ((*sockets)[0].fd, 3);
  EXPECT_EQ((*sockets)[0].name, "rest");
  EXPECT_EQ((*sockets)[1].fd, 4);
  EXPECT_EQ((*sockets)[1].name, "grpc");
  auto unnamed = ParseListenFds("42", "1", nullptr, 42);
  ASSERT_TRUE(unnamed.ok());
  EXPECT_EQ((*unnamed)[0].name, "unknown");
}

TEST(ListenFds, IgnoresVariablesMeantForAnotherProcess) {
  EXPECT_TRUE(ParseListenFds("41", "2", "rest:grpc", 42)->empty());
  EXPECT_TRUE(ParseListenFds(nullptr, nullptr, nullptr, 42)->empty());
}

TEST(ListenFds, RejectsMalformedValuesWithTheVariableName) {
  auto bad_count = ParseListenFds("42", "two", nullptr, 42);
  ASSERT_FALSE(bad_count.ok());
  EXPECT_NE(bad_count.status().message().find("LISTEN_FDS"), std::string::npos);
  auto mismatch = ParseListenFds("42", "2", "rest", 42);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("LISTEN_FDNAMES"), std::string::npos);
}

TEST(ActivityTracker, IdleOnlyWithoutRequestsOrConnections) {
  int64_t now = 1000;
  auto tracker = ActivityTracker::Create({[&now] { return now; }});
  now = 1500;
  EXPECT_EQ(tracker->IdleMs(), 500);
  tracker->RequestStarted();
  now = 9000;
  EXPECT_EQ(tracker->IdleMs(), 0);  // a long request is not idleness
  tracker->RequestFinished();
  now = 9100;
  EXPECT_EQ(tracker->IdleMs(), 100);
  tracker->ConnectionOpened();
  now = 20000;
  EXPECT_EQ(tracker->IdleMs(), 0);
  tracker->ConnectionClosed();
  EXPECT_EQ(tracker->IdleMs(), 20000 - 9000);  // idle since the last request, not the close
}

TEST(ActivityTracker, TimeSinceTheLastRequestStartedOrFinishedCountsWhileOthersRun) {
  int64_t now = 1000;
  auto tracker = ActivityTracker::Create({[&now] { return now; }});
  tracker->RequestStarted();
  now = 1300;
  EXPECT_EQ(tracker->MsSinceLastRequestEvent(), 300);  // though a request is in flight
  tracker->RequestStarted();
  now = 1350;
  EXPECT_EQ(tracker->MsSinceLastRequestEvent(), 50);
  tracker->RequestFinished();
  EXPECT_EQ(tracker->MsSinceLastRequestEvent(), 0);
}

TEST(Preface, RecognisesHttp2AndLeavesPartialPrefacesUndecided) {
  EXPECT_EQ(ClassifyPreface(std::string_view("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24)),
            WireProtocol::kHttp2);
  EXPECT_EQ(ClassifyPreface("PRI * HT"), WireProtocol::kUndecided);
  EXPECT_EQ(ClassifyPreface(""), WireProtocol::kUndecided);
  EXPECT_EQ(ClassifyPreface("POST /v1/models/m:predict HTTP/1.1\r\n"), WireProtocol::kHttp1);
  EXPECT_EQ(ClassifyPreface("PUT "), WireProtocol::kHttp1);
  EXPECT_EQ(ClassifyPreface("GET / HTTP/1.1\r\n\r\n"), WireProtocol::kHttp1);
}

FrontDoorOptions Parse(const std::vector<std::string>& args) {
  auto flags = ParseServerFlags(args);
  EXPECT_TRUE(flags.ok()) << flags.status().message();
  return FrontDoorOptionsFromFlags(*flags);
}

TEST(PlanListeners, GrpcOnlyByDefaultAsTfServing) {
  auto plan = PlanListeners(Parse({}), nullptr, {});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->grpc_port, 8500);
  EXPECT_EQ(plan->rest_port, 0);
  EXPECT_EQ(plan->shared_port, -1);
}

TEST(PlanListeners, PortEnvironmentSharesOnePortUnlessPortFlagsAreGiven) {
  auto plan = PlanListeners(Parse({}), "8080", {});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->shared_port, 8080);
  EXPECT_EQ(plan->grpc_port, 0);
  EXPECT_EQ(plan->rest_port, 0);
  auto explicit_ports = PlanListeners(Parse({"--port=9000"}), "8080", {});
  ASSERT_TRUE(explicit_ports.ok());
  EXPECT_EQ(explicit_ports->shared_port, -1);
  EXPECT_EQ(explicit_ports->grpc_port, 9000);
  auto bad = PlanListeners(Parse({}), "http", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("$PORT"), std::string::npos);
}

TEST(PlanListeners, EqualPortFlagsShareOnePortAndRefuseTls) {
  auto plan = PlanListeners(Parse({"--port=9000", "--rest_api_port=9000"}), nullptr, {});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->shared_port, 9000);
  auto tls = PlanListeners(
      Parse({"--port=9000", "--rest_api_port=9000", "--ssl_config_file=x.pbtxt"}), nullptr, {});
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.status().message().find("--ssl_config_file"), std::string::npos);
}

TEST(PlanListeners, InheritedSocketsReplaceOwnPorts) {
  auto plan = PlanListeners(Parse({}), "8080", {{3, "rest"}, {4, "grpc"}});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->inherited.size(), 2u);
  EXPECT_EQ(plan->shared_port, -1);
  EXPECT_EQ(plan->grpc_port, 0);
  EXPECT_EQ(plan->rest_port, 0);
}

TEST(Flags, FrontDoorFlagsParseAndRejectNegatives) {
  auto flags = ParseServerFlags({"--idle_shutdown_seconds=30", "--drain_timeout_seconds=5"});
  ASSERT_TRUE(flags.ok()) << flags.status().message();
  EXPECT_EQ(flags->idle_shutdown_seconds, 30);
  EXPECT_EQ(flags->drain_timeout_seconds, 5);
  EXPECT_EQ(FrontDoorOptionsFromFlags(*flags).idle_shutdown_seconds, 30);
  EXPECT_FALSE(ParseServerFlags({"--drain_timeout_seconds=-1"}).ok());
}

int ListeningSocket(int* port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  listen(fd, 16);
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  *port = ntohs(address.sin_port);
  return fd;
}

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  return fd;
}

TEST(ConnectionRouter, RoutesByFirstBytesWithoutConsumingThem) {
  int port = 0;
  const int listener = ListeningSocket(&port);
  std::atomic<int> http_fd{-1}, grpc_fd{-1};
  auto router = ConnectionRouter::Start(
      {{listener}, 5000}, {[&](int fd) { http_fd = fd; }, [&](int fd) { grpc_fd = fd; }});
  ASSERT_TRUE(router.ok()) << router.status().message();

  const int http_client = Connect(port);
  ASSERT_EQ(write(http_client, "GET / HTTP/1.1\r\n\r\n", 18), 18);
  // The HTTP/2 preface in two pieces: routing waits for the whole of it.
  const int grpc_client = Connect(port);
  ASSERT_EQ(write(grpc_client, "PRI * HTTP/2.0\r\n", 16), 16);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(grpc_fd.load(), -1);
  ASSERT_EQ(write(grpc_client, "\r\nSM\r\n\r\n", 8), 8);
  for (int i = 0; i < 400 && (http_fd < 0 || grpc_fd < 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GE(http_fd.load(), 0);
  ASSERT_GE(grpc_fd.load(), 0);
  char bytes[32] = {};
  EXPECT_EQ(read(http_fd, bytes, 4), 4);
  EXPECT_EQ(std::string(bytes, 4), "GET ");
  EXPECT_EQ(read(grpc_fd, bytes, 24), 24);
  EXPECT_EQ(std::string(bytes, 3), "PRI");

  (*router)->StopAccepting(0);
  const int refused = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_NE(connect(refused, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  for (int fd : {http_client, grpc_client, refused, http_fd.load(), grpc_fd.load()}) close(fd);
}

}  // namespace
}  // namespace tern
