// Start-up trace for the cold-start breakdown (loadtest/cold_start.py): the first time each
// start-up phase is reached, one line "startup phase=<name> mono_ns=<CLOCK_MONOTONIC ns>" is
// written, so a launcher reading the same clock can tell where the milliseconds went.
// Thread-safe. A phase is reported once per trace; later marks (a model reloaded) are no-ops.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace tern {

class StartupTrace {
 public:
  struct Options {
    bool enabled = false;
    std::function<int64_t()> monotonic_now_ns;        // default: CLOCK_MONOTONIC
    std::function<void(std::string_view line)> sink;  // default: one log line on stderr
  };
  static std::unique_ptr<StartupTrace> Create(Options options);

  // The process-wide trace, enabled by the environment variable TERN_STARTUP_TRACE=1.
  static StartupTrace& Global();

  // Returns true when this was the phase's first mark and the trace is enabled (a line was
  // written).
  bool Mark(std::string_view phase);

 private:
  explicit StartupTrace(Options options) : options_(std::move(options)) {}
  Options options_;
  std::mutex mu_;
  std::set<std::string, std::less<>> seen_;
};

inline void MarkStartupPhase(std::string_view phase) { StartupTrace::Global().Mark(phase); }

}  // namespace tern
