#include "server/core/admission_control.h"

#include <string>

namespace tern {

namespace {

int64_t Millis(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

Status AdmissionControl::Refuse(std::string_view model, std::string_view reason,
                                std::string message) {
  if (options_.metrics != nullptr) options_.metrics->RecordRefusal(model, reason);
  return Unavailable("Server overloaded, request to model " + std::string(model) +
                     " refused: " + message + "; retry later");
}

StatusOr<AdmissionControl::Ticket> AdmissionControl::Admit(
    std::string_view model, bool unbatched, std::chrono::steady_clock::time_point deadline) {
  // Taken first and given back on refusal, so concurrent arrivals cannot all pass the check.
  const int64_t before = in_flight_.fetch_add(1, std::memory_order_relaxed);
  auto give_back = [this] { in_flight_.fetch_sub(1, std::memory_order_relaxed); };
  if (options_.max_in_flight > 0 && before >= options_.max_in_flight) {
    give_back();
    return Refuse(model, "in_flight_limit",
                  std::to_string(options_.max_in_flight) +
                      " requests are in flight, the limit (--max_inflight_requests)");
  }
  if (unbatched && options_.pool != nullptr) {
    const auto wait = options_.pool->EstimatedWait();
    if (options_.max_queue_wait.count() > 0 && wait > options_.max_queue_wait) {
      give_back();
      return Refuse(model, "queue_wait",
                    "the compute queue would hold it about " + std::to_string(Millis(wait)) +
                        " ms, over the limit of " +
                        std::to_string(options_.max_queue_wait.count()) +
                        " ms (--max_queue_wait_ms)");
    }
    const auto now = std::chrono::steady_clock::now();
    if (deadline != std::chrono::steady_clock::time_point::max() && now + wait > deadline) {
      give_back();
      return Refuse(model, "deadline",
                    "the compute queue would hold it about " + std::to_string(Millis(wait)) +
                        " ms, past its deadline in " + std::to_string(Millis(deadline - now)) +
                        " ms");
    }
  }
  return Ticket(nullptr, [this](void*) { in_flight_.fetch_sub(1, std::memory_order_relaxed); });
}

}  // namespace tern
