#include "server/core/activity_tracker.h"

#include <chrono>

namespace tern {

std::unique_ptr<ActivityTracker> ActivityTracker::Create(Options options) {
  if (!options.now_ms) {
    options.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
  }
  return std::unique_ptr<ActivityTracker>(new ActivityTracker(std::move(options)));
}

ActivityTracker::ActivityTracker(Options options) : options_(std::move(options)) { Touch(); }

void ActivityTracker::Touch() { last_activity_ms_.store(options_.now_ms()); }

void ActivityTracker::RequestStarted() {
  requests_.fetch_add(1);
  Touch();
}

void ActivityTracker::RequestFinished() {
  Touch();
  requests_.fetch_sub(1);
}

int64_t ActivityTracker::MsSinceLastRequestEvent() const {
  const int64_t since = options_.now_ms() - last_activity_ms_.load();
  return since > 0 ? since : 0;
}

void ActivityTracker::ConnectionOpened() { connections_.fetch_add(1); }

void ActivityTracker::ConnectionClosed() { connections_.fetch_sub(1); }

int64_t ActivityTracker::IdleMs() const {
  if (requests_.load() > 0 || connections_.load() > 0) return 0;
  const int64_t idle = options_.now_ms() - last_activity_ms_.load();
  // A request may finish between the two loads; it counts as activity now.
  if (requests_.load() > 0) return 0;
  return idle > 0 ? idle : 0;
}

}  // namespace tern
