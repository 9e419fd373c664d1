#include "server/grpc/grpc_drain_gate.h"

#include <algorithm>

namespace tern {

void GrpcDrainGate::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
}

void GrpcDrainGate::Release() {
  std::vector<std::pair<std::string, Refuse>> refusals;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    released_ = true;
    refusals.swap(held_async_);
    held_ -= static_cast<int64_t>(refusals.size());
  }
  released_cv_.notify_all();
  for (auto& [method, refuse] : refusals) refuse(Refusal(method));
}

bool GrpcDrainGate::closed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return closed_;
}

int64_t GrpcDrainGate::held() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return held_;
}

bool GrpcDrainGate::AdmitAsync(std::string_view method, Refuse refuse) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!closed_) return true;
    if (!released_) {
      held_async_.emplace_back(std::string(method), std::move(refuse));
      ++held_;
      return false;
    }
  }
  refuse(Refusal(method));
  return false;
}

Status GrpcDrainGate::Admit(std::string_view method,
                            std::chrono::steady_clock::time_point hold_until) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!closed_) return Status::Ok();
  ++held_;
  released_cv_.wait_until(lock, hold_until, [this] { return released_; });
  --held_;
  return Refusal(method);
}

Status GrpcDrainGate::Refusal(std::string_view method) {
  return Unavailable("Tern is shutting down (draining): " + std::string(method) +
                     " was not run; retry it on another server");
}

Status Admit(GrpcDrainGate* gate, std::string_view method, const grpc::ServerContextBase* context) {
  if (gate == nullptr) return Status::Ok();
  // A call without a deadline is held no longer than a drain can last.
  auto hold_until = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  const auto deadline = context->deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    hold_until =
        std::min(hold_until, std::chrono::steady_clock::now() +
                                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     deadline - std::chrono::system_clock::now()));
  }
  return gate->Admit(method, hold_until);
}

}  // namespace tern
