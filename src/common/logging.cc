#include "common/logging.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace tern {

void WriteLogLine(LogLevel level, std::string_view file, int line, std::string_view text) {
  const char tag = level == LogLevel::kInfo ? 'I' : level == LogLevel::kWarning ? 'W' : 'E';
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
  out += tag;
  out += ' ';
  out += stamp;
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
