#include "loader/instance_pool.h"

#include <algorithm>

namespace tern {

std::shared_ptr<InstancePool> InstancePool::Create(Options options) {
  auto pool = std::shared_ptr<InstancePool>(new InstancePool(std::move(options)));
  std::lock_guard<std::mutex> lock(pool->mu_);
  pool->PublishLocked();
  return pool;
}

InstancePool::Lease& InstancePool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (pool_ != nullptr) pool_->Release();
    pool_ = other.pool_;
    other.pool_ = nullptr;
  }
  return *this;
}

InstancePool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release();
}

StatusOr<InstancePool::Lease> InstancePool::Acquire(
    std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  auto free = [this] { return max_instances_ <= 0 || busy_ < max_instances_; };
  if (!free()) {
    ++queued_;
    const bool got = freed_.wait_until(lock, deadline, free);
    --queued_;
    if (!got) {
      return ResourceExhausted("model '" + options_.model + "': all " +
                               std::to_string(max_instances_) +
                               " instances (max_instances) stayed busy until the request's "
                               "deadline; " +
                               std::to_string(queued_) + " more requests wait");
    }
  }
  ++busy_;
  PublishLocked();
  return Lease(this);
}

void InstancePool::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --busy_;
    PublishLocked();
  }
  freed_.notify_one();
}

void InstancePool::SetLimits(int32_t min_instances, int32_t max_instances) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    min_instances_ = min_instances;
    max_instances_ = max_instances;
    PublishLocked();
  }
  freed_.notify_all();  // a raised cap lets waiters in
}

void InstancePool::SetLoaded(bool loaded) {
  std::lock_guard<std::mutex> lock(mu_);
  loaded_ = loaded;
  PublishLocked();
}

int InstancePool::InstancesLocked() const {
  if (!loaded_) return busy_;  // requests still finishing on an unloaded version
  return std::max({min_instances_, 1, busy_});
}

void InstancePool::PublishLocked() {
  const int now = InstancesLocked();
  if (now == published_) return;
  published_ = now;
  if (options_.metrics != nullptr) options_.metrics->SetModelInstances(options_.model, now);
}

int InstancePool::instances() const {
  std::lock_guard<std::mutex> lock(mu_);
  return InstancesLocked();
}

int InstancePool::busy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return busy_;
}

int InstancePool::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queued_;
}

}  // namespace tern
