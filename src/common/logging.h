// Leveled logging to stderr. Thread-safe (one write per line; the settings are atomics, changed
// at run time by Triton's logging extension).
#pragma once

#include <cstdint>
#include <sstream>
#include <string_view>

namespace tern {

enum class LogLevel { kInfo, kWarning, kError, kVerbose };

// How a line starts. kDefault: "I 2026-01-02T03:04:05Z file.cc:12] text" (Tern's own);
// kIso8601: "2026-01-02T03:04:05Z I <pid> file.cc:12] text" (Triton's ISO8601 layout).
enum class LogFormat { kDefault, kIso8601 };

// What is logged. Errors, warnings and info are on by default; verbose messages (TERN_VLOG(n))
// are written when verbose_level >= n, so 0 (the default) writes none.
struct LogSettings {
  bool info = true;
  bool warning = true;
  bool error = true;
  uint32_t verbose_level = 0;
  LogFormat format = LogFormat::kDefault;
};

LogSettings GetLogSettings();
void SetLogSettings(const LogSettings& settings);
bool VerboseLogOn(uint32_t level);

void WriteLogLine(LogLevel level, std::string_view file, int line, std::string_view text);

class LogMessage {
 public:
  LogMessage(LogLevel level, const char* file, int line)
      : level_(level), file_(file), line_(line) {}
  ~LogMessage() { WriteLogLine(level_, file_, line_, stream_.str()); }
  std::ostringstream& stream() { return stream_; }

 private:
  LogLevel level_;
  const char* file_;
  int line_;
  std::ostringstream stream_;
};

}  // namespace tern

#define TERN_LOG(level) ::tern::LogMessage(::tern::LogLevel::k##level, __FILE__, __LINE__).stream()
// A verbose message at level n (>= 1): its arguments are not evaluated unless it is written.
#define TERN_VLOG(n)              \
  if (!::tern::VerboseLogOn(n)) { \
  } else                          \
    ::tern::LogMessage(::tern::LogLevel::kVerbose, __FILE__, __LINE__).stream()
