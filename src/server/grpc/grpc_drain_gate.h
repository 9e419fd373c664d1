// Whether the gRPC services still run new calls. gRPC's C++ server (1.51) cancels, unrun, any
// call that reaches it after Server::Shutdown began, until its client has read the GOAWAY; the
// client sees CANCELLED, which it does not retry (grpc/grpc#41785). So a drain closes this gate
// first: a model RPC that starts afterwards is held, not run, and so is its client, which waits
// for the answer instead of sending more; the drain shuts gRPC down (GOAWAY) and only then
// releases the held calls, answered UNAVAILABLE: the client retries on a new connection, which
// the closed listener refuses, so it goes to another replica. Health checks are not gated.
// Thread-safe.
#pragma once

#include <grpcpp/server_context.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tern {

class GrpcDrainGate {
 public:
  using Refuse = std::function<void(Status)>;

  // From now on calls are held (Admit*). Idempotent.
  void Close();
  // Answers every held call UNAVAILABLE, and any later call at once.
  void Release();
  bool closed() const;
  int64_t held() const;

  // For asynchronous handlers. True while open: run the call. Otherwise false, and `refuse` is
  // called with UNAVAILABLE on Release (at once if released already), from Release's thread.
  bool AdmitAsync(std::string_view method, Refuse refuse);
  // For synchronous handlers: OK while open; otherwise blocks until Release or `hold_until`
  // (the call's deadline: the client stops waiting then anyway) and returns UNAVAILABLE.
  Status Admit(std::string_view method, std::chrono::steady_clock::time_point hold_until);

 private:
  static Status Refusal(std::string_view method);

  mutable std::mutex mutex_;
  std::condition_variable released_cv_;
  bool closed_ = false;
  bool released_ = false;
  int64_t held_ = 0;
  std::vector<std::pair<std::string, Refuse>> held_async_;
};

// A synchronous handler's check: holds the call at most until its deadline. A null gate (services
// built without one, in unit tests) admits everything.
Status Admit(GrpcDrainGate* gate, std::string_view method, const grpc::ServerContextBase* context);

}  // namespace tern
