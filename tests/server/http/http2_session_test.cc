// HTTP/2 on Tern's HttpServer: REST and gRPC streams side by side on one connection (prior
// knowledge and Upgrade: h2c), gRPC deadlines and cancellation through the forwarding, bad input,
// and the drain. The gRPC side is a real grpc::Server (its health service) reached over a socket
// pair, as the front door wires it.
#include "server/http/http2_session.h"

#include <fcntl.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server_posix.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "h2_test_client.h"
#include "server/http/http_server.h"

namespace tern {
namespace {

using testing::GrpcFrame;
using testing::H2Client;

// Echoes the request; /slow answers from another thread after a while, /missing is a 404.
class EchoHandler : public RestHandler {
 public:
  ~EchoHandler() override { JoinAll(); }
  // The answers still to come must come while the server runs: they go to its io threads.
  void JoinAll() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  void HandleAsync(const RestRequest& request, RestDone done) const override {
    RestResponse response;
    response.body = std::string(request.method) + " " + std::string(request.target) + " " +
                    std::string(request.body);
    response.headers.emplace_back("Inference-Header-Content-Length", "7");
    if (request.target == "/missing") response.status_code = 404;
    if (request.target != "/slow") return done(std::move(response));
    std::lock_guard<std::mutex> lock(mu_);
    threads_.emplace_back([response = std::move(response), done = std::move(done)]() mutable {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      done(std::move(response));
    });
  }

 private:
  mutable std::mutex mu_;
  mutable std::vector<std::thread> threads_;
};

// Every gRPC method besides the health service's: /test.Hang/Forever never answers and counts
// its cancellations (a reset from the client, or its deadline); anything else is UNIMPLEMENTED.
class HangingService : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    return new Reactor(context->method() == "/test.Hang/Forever" ? &cancelled : nullptr);
  }
  std::atomic<int> cancelled{0};

 private:
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    explicit Reactor(std::atomic<int>* cancelled) : cancelled_(cancelled) {
      if (cancelled_ == nullptr) Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no"));
    }
    void OnCancel() override {
      if (cancelled_ == nullptr) return;
      ++*cancelled_;
      Finish(grpc::Status::CANCELLED);
    }
    void OnDone() override { delete this; }

   private:
    std::atomic<int>* cancelled_;
  };
};

bool WaitFor(const std::atomic<int>& counter, int value) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (counter.load() < value && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return counter.load() >= value;
}

const std::vector<std::pair<std::string, std::string>> kGrpcHeaders{
    {"content-type", "application/grpc"}, {"te", "trailers"}};
// grpc.health.v1: an empty HealthCheckRequest; HealthCheckResponse{status: SERVING}.
const std::string kServing("\x08\x01", 2);

class Http2SessionTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServers(/*with_grpc=*/true); }
  void TearDown() override {
    handler_.JoinAll();
    if (server_) server_->Stop();
    if (grpc_) grpc_->Shutdown(std::chrono::system_clock::now());
  }

  void StartServers(bool with_grpc) {
    // Reflection is a synchronous service: without one the server polls no completion queue.
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.RegisterCallbackGenericService(&hanging_);
    grpc_ = builder.BuildAndStart();
    ASSERT_NE(grpc_, nullptr);
    HttpServer::Options options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.max_request_bytes = 1 << 20;
    options.drain_idle_ms = 200;
    if (with_grpc) {
      options.connect_grpc = [server = grpc_.get()]() -> int {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return -1;
        fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
        grpc::AddInsecureChannelFromFd(server, fds[0]);
        return fds[1];
      };
    }
    auto started = HttpServer::Start(&handler_, options);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(started).value();
  }

  EchoHandler handler_;
  HangingService hanging_;
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(Http2SessionTest, RestAndGrpcStreamsShareOneConnection) {
  H2Client client(server_->port());
  ASSERT_TRUE(client.connected());
  const int32_t echo =
      client.Submit("POST", "/echo", {{"content-type", "application/json"}}, "hello");
  const int32_t check =
      client.Submit("POST", "/grpc.health.v1.Health/Check", kGrpcHeaders, GrpcFrame(""));
  const int32_t missing = client.Submit("GET", "/missing");
  const int32_t unknown = client.Submit("POST", "/no.Such/Method", kGrpcHeaders, GrpcFrame(""));
  const int32_t slow = client.Submit("POST", "/slow", {}, "later");
  ASSERT_TRUE(client.RunUntilStreamsClosed());

  const auto& rest = client.responses[echo];
  EXPECT_EQ(rest.status(), 200);
  EXPECT_EQ(rest.body, "POST /echo hello");
  EXPECT_EQ(rest.headers.at("content-type"), "application/json");
  EXPECT_EQ(rest.headers.at("server"), "tern");
  EXPECT_EQ(rest.headers.at("inference-header-content-length"), "7");  // lower-cased for HTTP/2
  EXPECT_EQ(rest.headers.at("content-length"), std::to_string(rest.body.size()));
  EXPECT_EQ(client.responses[missing].status(), 404);
  EXPECT_EQ(client.responses[slow].body, "POST /slow later");

  const auto& health = client.responses[check];
  EXPECT_EQ(health.status(), 200);
  EXPECT_EQ(health.headers.at("content-type"), "application/grpc");
  EXPECT_EQ(health.body, GrpcFrame(kServing));
  EXPECT_EQ(health.trailers.at("grpc-status"), "0");
  // A method the gRPC server does not have: its own answer, forwarded.
  const auto& none = client.responses[unknown];
  const auto& status = none.trailers.count("grpc-status") ? none.trailers : none.headers;
  EXPECT_EQ(status.at("grpc-status"), "12");  // UNIMPLEMENTED
}

TEST_F(Http2SessionTest, UpgradedRequestIsStreamOneThenTheConnectionStaysHttp2) {
  H2Client client(server_->port(), "/echo?via=upgrade");
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.upgrade_status_line(), "HTTP/1.1 101 Switching Protocols");
  const int32_t check =
      client.Submit("POST", "/grpc.health.v1.Health/Check", kGrpcHeaders, GrpcFrame(""));
  ASSERT_TRUE(client.RunUntilStreamsClosed());
  EXPECT_EQ(client.responses[1].status(), 200);
  EXPECT_EQ(client.responses[1].body, "GET /echo?via=upgrade ");
  EXPECT_EQ(client.responses[check].body, GrpcFrame(kServing));
}

TEST_F(Http2SessionTest, GrpcTimeoutReachesTheGrpcServer) {
  // Only the gRPC server can end this call with DEADLINE_EXCEEDED, and only if grpc-timeout was
  // forwarded: this client enforces no deadline of its own.
  H2Client client(server_->port());
  auto headers = kGrpcHeaders;
  headers.emplace_back("grpc-timeout", "300m");
  const int32_t hang = client.Submit("POST", "/test.Hang/Forever", headers, GrpcFrame("x"));
  ASSERT_TRUE(client.RunUntilStreamsClosed(5000));
  const auto& response = client.responses[hang];
  const auto& status =
      response.trailers.count("grpc-status") ? response.trailers : response.headers;
  EXPECT_EQ(status.at("grpc-status"), "4");  // DEADLINE_EXCEEDED
  EXPECT_TRUE(WaitFor(hanging_.cancelled, 1));
}

TEST_F(Http2SessionTest, ResetStreamCancelsTheGrpcCallAndTheConnectionGoesOn) {
  H2Client client(server_->port());
  const int32_t hang = client.Submit("POST", "/test.Hang/Forever", kGrpcHeaders, GrpcFrame("x"));
  EXPECT_FALSE(client.RunUntilStreamsClosed(300));  // it never answers
  EXPECT_EQ(hanging_.cancelled.load(), 0);
  client.Reset(hang);
  const int32_t check =
      client.Submit("POST", "/grpc.health.v1.Health/Check", kGrpcHeaders, GrpcFrame(""));
  ASSERT_TRUE(client.RunUntilStreamsClosed());
  EXPECT_TRUE(WaitFor(hanging_.cancelled, 1));  // the reset reached the gRPC server
  EXPECT_EQ(client.responses[check].trailers.at("grpc-status"), "0");
}

TEST_F(Http2SessionTest, GrpcShutdownIsNotHeldByAnIdleForwardingConnection) {
  // gRPC's shutdown waits for its connections to close; the forwarding one closes on its GOAWAY
  // once its streams are done, as a well-behaved client does.
  H2Client client(server_->port());
  const int32_t check =
      client.Submit("POST", "/grpc.health.v1.Health/Check", kGrpcHeaders, GrpcFrame(""));
  ASSERT_TRUE(client.RunUntilStreamsClosed());
  EXPECT_EQ(client.responses[check].trailers.at("grpc-status"), "0");
  const auto start = std::chrono::steady_clock::now();
  grpc_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // A gRPC stream after that is answered, not left hanging.
  const int32_t late =
      client.Submit("POST", "/grpc.health.v1.Health/Check", kGrpcHeaders, GrpcFrame(""));
  ASSERT_TRUE(client.RunUntilStreamsClosed());
  const auto& response = client.responses[late];
  EXPECT_TRUE(response.reset_code != 0 || response.headers.count("grpc-status"));
}

TEST_F(Http2SessionTest, BodyOverTheLimitIs413AsOverHttp1) {
  H2Client client(server_->port());
  const int32_t big = client.Submit("POST", "/echo", {}, std::string(2 << 20, 'x'));
  const int32_t after = client.Submit("GET", "/echo");
  ASSERT_TRUE(client.RunUntilStreamsClosed());
  EXPECT_EQ(client.responses[big].status(), 413);
  EXPECT_NE(client.responses[big].body.find("exceeds the limit of 1048576 bytes"),
            std::string::npos);
  EXPECT_EQ(client.responses[after].status(), 200);
}

TEST_F(Http2SessionTest, HugeHeaderListIs400AndTheConnectionGoesOn) {
  H2Client client(server_->port());
  std::vector<std::pair<std::string, std::string>> headers;
  for (int i = 0; i < 100; ++i)
    headers.emplace_back("x-big-" + std::to_string(i), std::string(1000, 'a'));
  const int32_t huge = client.Submit("GET", "/echo", headers);
  const int32_t after = client.Submit("GET", "/echo");
  ASSERT_TRUE(client.RunUntilStreamsClosed());
  EXPECT_EQ(client.responses[huge].status(), 400);
  EXPECT_NE(client.responses[huge].body.find("header list exceeds"), std::string::npos);
  EXPECT_EQ(client.responses[after].status(), 200);
}

TEST_F(Http2SessionTest, MalformedFramesCloseTheConnectionWithGoawayNotTheServer) {
  {
    H2Client client(server_->port());
    client.Submit("GET", "/echo");
    ASSERT_TRUE(client.RunUntilStreamsClosed());
    // HEADERS on stream 0 is a connection error (RFC 9113 6.2).
    client.SendRaw(std::string("\x00\x00\x00\x01\x04\x00\x00\x00\x00", 9));
    EXPECT_TRUE(client.RunUntilConnectionClosed());
    EXPECT_TRUE(client.goaway_received);
    EXPECT_EQ(client.goaway_error, uint32_t{NGHTTP2_PROTOCOL_ERROR});
  }
  {
    // A frame longer than the 16384 bytes SETTINGS_MAX_FRAME_SIZE allows.
    H2Client client(server_->port());
    client.Submit("GET", "/echo");
    ASSERT_TRUE(client.RunUntilStreamsClosed());
    client.SendRaw(std::string("\x01\x00\x00\x00\x00\x00\x00\x00\x03", 9) +
                   std::string(65536, 'z'));
    EXPECT_TRUE(client.RunUntilConnectionClosed());
    EXPECT_TRUE(client.goaway_received);
  }
  H2Client healthy(server_->port());
  const int32_t id = healthy.Submit("GET", "/echo");
  ASSERT_TRUE(healthy.RunUntilStreamsClosed());
  EXPECT_EQ(healthy.responses[id].status(), 200);
}

// One raw HTTP/2 frame: 9-byte header (length, type, flags, stream id), then the payload.
std::string RawFrame(uint8_t type, uint8_t flags, uint32_t stream_id, const std::string& payload) {
  std::string frame(9, '\0');
  const uint32_t length = static_cast<uint32_t>(payload.size());
  frame[0] = static_cast<char>(length >> 16);
  frame[1] = static_cast<char>(length >> 8);
  frame[2] = static_cast<char>(length);
  frame[3] = static_cast<char>(type);
  frame[4] = static_cast<char>(flags);
  for (int i = 0; i < 4; ++i) frame[5 + i] = static_cast<char>((stream_id >> (24 - 8 * i)) & 0xff);
  return frame + payload;
}

TEST_F(Http2SessionTest, RandomFramesAmidRestAndGrpcStreamsNeverHurtTheServer) {
  // Each connection opens a gRPC stream (that never ends by itself) and a REST stream, then
  // sends frames of random type, flags, stream and payload, and hangs up. The server must stay
  // up and serving, and every gRPC call must be cancelled once its connection is gone.
  std::mt19937 random(19);
  const uint32_t streams[] = {0, 1, 2, 3, 5, 7, 9};
  for (int connection = 0; connection < 150; ++connection) {
    H2Client client(server_->port());
    ASSERT_TRUE(client.connected());
    client.Submit("POST", "/test.Hang/Forever", kGrpcHeaders, GrpcFrame("x"));
    client.Submit("POST", "/slow", {}, "body");
    client.RunUntilStreamsClosed(5);
    std::string frames;
    for (int i = 0, n = 1 + static_cast<int>(random() % 8); i < n; ++i) {
      std::string payload(random() % 40, '\0');
      for (char& c : payload) c = static_cast<char>(random());
      frames += RawFrame(static_cast<uint8_t>(random() % 12), static_cast<uint8_t>(random()),
                         streams[random() % 7], payload);
    }
    client.SendRaw(frames);
    client.RunUntilConnectionClosed(20);
  }
  {
    H2Client healthy(server_->port());
    const int32_t id = healthy.Submit("GET", "/echo");
    const int32_t check =
        healthy.Submit("POST", "/grpc.health.v1.Health/Check", kGrpcHeaders, GrpcFrame(""));
    ASSERT_TRUE(healthy.RunUntilStreamsClosed());
    EXPECT_EQ(healthy.responses[id].status(), 200);
    EXPECT_EQ(healthy.responses[check].body, GrpcFrame(kServing));
  }
  // No call is left running for a connection that is gone (gRPC's shutdown would wait for it
  // until the deadline), and no forwarding connection is left open.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto start = std::chrono::steady_clock::now();
  grpc_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(10));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_GE(hanging_.cancelled.load(), 1);
}

TEST_F(Http2SessionTest, DrainSendsGoawayAnswersWhatWasTakenAndCloses) {
  H2Client client(server_->port());
  const int32_t slow = client.Submit("POST", "/slow", {}, "in flight");
  client.RunUntilStreamsClosed(100);
  server_->StartDrain();
  EXPECT_TRUE(client.RunUntilConnectionClosed(5000));
  EXPECT_TRUE(client.goaway_received);
  EXPECT_EQ(client.goaway_error, uint32_t{NGHTTP2_NO_ERROR});
  EXPECT_EQ(client.responses[slow].status(), 200);
  EXPECT_EQ(client.responses[slow].body, "POST /slow in flight");
  EXPECT_EQ(server_->WaitDrained(2000), 0);
}

// The client opens a stream after the drain began but before it read the GOAWAY: the
// shutdown notice refuses nothing, so the stream is taken and answered, and the connection
// closes only after that (a single GOAWAY naming the last stream would drop it).
TEST_F(Http2SessionTest, StreamSentBeforeTheClientReadTheGoawayIsAnswered) {
  H2Client client(server_->port());
  const int32_t first = client.Submit("POST", "/echo", {}, "first");
  ASSERT_TRUE(client.RunUntilStreamsClosed(5000));
  server_->StartDrain();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the GOAWAY is on its way
  const int32_t late = client.Submit("POST", "/echo", {}, "late");
  EXPECT_TRUE(client.RunUntilConnectionClosed(5000));
  EXPECT_TRUE(client.goaway_received);
  EXPECT_EQ(client.responses[first].status(), 200);
  EXPECT_EQ(client.responses[late].status(), 200);
  EXPECT_EQ(client.responses[late].body, "POST /echo late");
  EXPECT_EQ(client.responses[late].reset_code, 0u);
  EXPECT_EQ(server_->WaitDrained(2000), 0);
}

TEST(Http2SessionNoGrpcTest, GrpcStreamsAreUnavailableWithoutAGrpcServer) {
  EchoHandler handler;
  HttpServer::Options options;
  options.address = "127.0.0.1";
  options.port = 0;
  auto server = HttpServer::Start(&handler, options);
  ASSERT_TRUE(server.ok());
  H2Client client((*server)->port());
  const int32_t check =
      client.Submit("POST", "/grpc.health.v1.Health/Check", kGrpcHeaders, GrpcFrame(""));
  ASSERT_TRUE(client.RunUntilStreamsClosed());
  EXPECT_EQ(client.responses[check].status(), 200);
  EXPECT_EQ(client.responses[check].headers.at("grpc-status"), "14");  // UNAVAILABLE
  (*server)->Stop();
}

TEST(DecodeBase64UrlTest, DecodesHttp2SettingsAndRejectsNonsense) {
  EXPECT_EQ(DecodeBase64Url(""), std::string());
  EXPECT_EQ(DecodeBase64Url("AAMAAABkAAQAAP__"),
            std::string("\x00\x03\x00\x00\x00\x64\x00\x04\x00\x00\xff\xff", 12));
  EXPECT_EQ(DecodeBase64Url("aGk"), std::string("hi"));
  EXPECT_EQ(DecodeBase64Url("aGk="), std::string("hi"));
  EXPECT_FALSE(DecodeBase64Url("a*b").has_value());
  EXPECT_FALSE(DecodeBase64Url("a").has_value());
}

}  // namespace
}  // namespace tern
