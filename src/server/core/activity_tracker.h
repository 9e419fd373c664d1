// Counts what keeps the server busy (requests in flight, open REST connections) and when the
// last request was seen, so that --idle_shutdown_seconds can tell when the process may exit.
// Thread-safe; the clock is injectable for tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

namespace tern {

class ActivityTracker {
 public:
  struct Options {
    std::function<int64_t()> now_ms;  // default: steady clock
  };
  static std::unique_ptr<ActivityTracker> Create(Options options);

  void RequestStarted();
  void RequestFinished();
  void ConnectionOpened();
  void ConnectionClosed();

  // How long the server has been idle: 0 while a request is in flight or a connection is open,
  // otherwise the time since the last request started or finished (or since Create).
  int64_t IdleMs() const;
  // Time since a request last started or finished, whatever is still in flight.
  int64_t MsSinceLastRequestEvent() const;
  int64_t requests_in_flight() const { return requests_.load(); }
  int64_t open_connections() const { return connections_.load(); }

 private:
  explicit ActivityTracker(Options options);
  void Touch();

  Options options_;
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> connections_{0};
  std::atomic<int64_t> last_activity_ms_{0};
};

}  // namespace tern
