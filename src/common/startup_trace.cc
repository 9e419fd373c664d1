#include "common/startup_trace.h"

#include <time.h>

#include <cstdlib>
#include <cstring>

#include "common/logging.h"

namespace tern {

namespace {

int64_t MonotonicNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

std::unique_ptr<StartupTrace> StartupTrace::Create(Options options) {
  if (!options.monotonic_now_ns) options.monotonic_now_ns = MonotonicNowNs;
  if (!options.sink) {
    options.sink = [](std::string_view line) { TERN_LOG(Info) << line; };
  }
  return std::unique_ptr<StartupTrace>(new StartupTrace(std::move(options)));
}

StartupTrace& StartupTrace::Global() {
  // Leaked on purpose: marks may come from threads still running during exit.
  static StartupTrace* trace = [] {
    const char* env = std::getenv("TERN_STARTUP_TRACE");
    Options options;
    options.enabled = env != nullptr && std::strcmp(env, "1") == 0;
    return Create(std::move(options)).release();
  }();
  return *trace;
}

bool StartupTrace::Mark(std::string_view phase) {
  if (!options_.enabled) return false;
  const int64_t now_ns = options_.monotonic_now_ns();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!seen_.emplace(phase).second) return false;
  }
  options_.sink("startup phase=" + std::string(phase) + " mono_ns=" + std::to_string(now_ns));
  return true;
}

}  // namespace tern
