// What the connections of one HttpServer share, whatever HTTP version they speak, and what the
// server asks of each: to drain. The context outlives the sessions (they hold it); its fields are
// atomics, safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "server/core/activity_tracker.h"

namespace tern {

struct SessionContext {
  std::atomic<bool> draining{false};
  std::atomic<int64_t> open_sessions{0};
  ActivityTracker* activity = nullptr;
};

class ServerSession {
 public:
  virtual ~ServerSession() = default;
  // From any thread: start draining on the session's own strand (finish what was read, take
  // nothing new, close).
  virtual void PostDrain() = 0;
};

}  // namespace tern
