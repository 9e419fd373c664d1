// Minimal leveled logging to stderr. Thread-safe (one write per line).
#pragma once

#include <sstream>
#include <string_view>

namespace tern {

enum class LogLevel { kInfo, kWarning, kError };

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
