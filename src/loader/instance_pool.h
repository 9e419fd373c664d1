// InstancePool: the executors of one model and its activity clock.
//
// In Tern an instance is an executor lane: the right to run one request on the model's single
// copy of the weights. Session::Run keeps all per-run state (the value of every node) in the
// run itself, so lanes share the weights and cost only that per-run memory. max_instances caps
// the lanes; a request beyond the cap waits in a FIFO queue until a lane frees or its deadline
// passes. Lanes are added as requests queue up and removed as they drain; the count reported in
// tern_model_instances is max(min_instances, 1, busy lanes) while a version is loaded, 0 at zero.
//
// Touch/last_used_ns are one relaxed atomic each: the request path takes no lock for idle
// tracking. Acquire/Release take a short mutex. Thread-safe; Metrics (nullable) is not owned.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "common/metrics.h"
#include "common/status.h"

namespace tern {

class InstancePool {
 public:
  struct Options {
    std::string model;
    Metrics* metrics = nullptr;
  };
  static std::shared_ptr<InstancePool> Create(Options options);

  // Holds a lane until destroyed (or moved from).
  class Lease {
   public:
    Lease() = default;
    explicit Lease(InstancePool* pool) : pool_(pool) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_) { other.pool_ = nullptr; }
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

   private:
    InstancePool* pool_ = nullptr;
  };

  // Waits for a free lane until the deadline; RESOURCE_EXHAUSTED naming the model and the cap
  // when none frees in time. The pool must outlive the lease.
  StatusOr<Lease> Acquire(std::chrono::steady_clock::time_point deadline);

  // min_instances (a floor for the reported count) and max_instances (0: no cap).
  void SetLimits(int32_t min_instances, int32_t max_instances);
  // Whether a version of the model is loaded: no instances at zero.
  void SetLoaded(bool loaded);

  void Touch(int64_t now_ns) { last_used_ns_.store(now_ns, std::memory_order_relaxed); }
  int64_t last_used_ns() const { return last_used_ns_.load(std::memory_order_relaxed); }

  int instances() const;
  int busy() const;
  int queued() const;

 private:
  explicit InstancePool(Options options) : options_(std::move(options)) {}
  void Release();
  int InstancesLocked() const;
  void PublishLocked();

  const Options options_;
  std::atomic<int64_t> last_used_ns_{0};
  mutable std::mutex mu_;
  std::condition_variable freed_;
  int32_t min_instances_ = 1;
  int32_t max_instances_ = 0;
  bool loaded_ = false;
  int busy_ = 0;
  int queued_ = 0;
  int published_ = -1;  // the gauge's last value, so an unchanged count is not re-sent
};

}  // namespace tern
