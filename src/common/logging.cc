#include "common/logging.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace tern {
namespace {

// One atomic per setting: a line reads them without a lock, and a change of one setting never
// tears another.
std::atomic<bool> info_on{true}, warning_on{true}, error_on{true};
std::atomic<uint32_t> verbose_level{0};
std::atomic<LogFormat> format{LogFormat::kDefault};

bool Enabled(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo: return info_on.load(std::memory_order_relaxed);
    case LogLevel::kWarning: return warning_on.load(std::memory_order_relaxed);
    case LogLevel::kError: return error_on.load(std::memory_order_relaxed);
    case LogLevel::kVerbose: return true;  // TERN_VLOG checked its level already
  }
  return true;
}

}  // namespace

LogSettings GetLogSettings() {
  return {info_on.load(), warning_on.load(), error_on.load(), verbose_level.load(), format.load()};
}

void SetLogSettings(const LogSettings& settings) {
  info_on.store(settings.info);
  warning_on.store(settings.warning);
  error_on.store(settings.error);
  verbose_level.store(settings.verbose_level);
  format.store(settings.format);
}

bool VerboseLogOn(uint32_t level) { return verbose_level.load(std::memory_order_relaxed) >= level; }

void WriteLogLine(LogLevel level, std::string_view file, int line, std::string_view text) {
  if (!Enabled(level)) return;
  const char tag = level == LogLevel::kInfo      ? 'I'
                   : level == LogLevel::kWarning ? 'W'
                   : level == LogLevel::kError   ? 'E'
                                                 : 'V';
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &utc);
  auto slash = file.rfind('/');
  if (slash != std::string_view::npos) file = file.substr(slash + 1);
  std::string out;
  out.reserve(text.size() + 64);
  if (format.load(std::memory_order_relaxed) == LogFormat::kIso8601) {
    out += stamp;
    out += ' ';
    out += tag;
    out += ' ';
    out += std::to_string(getpid());
  } else {
    out += tag;
    out += ' ';
    out += stamp;
  }
  out += ' ';
  out += file;
  out += ':';
  out += std::to_string(line);
  out += "] ";
  out += text;
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stderr);
}

}  // namespace tern
