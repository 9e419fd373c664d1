#include "server/listen/listen_fds.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <sstream>

namespace tern {
namespace {

constexpr int kFirstListenFd = 3;  // SD_LISTEN_FDS_START

StatusOr<long> ParsePositive(const char* name, const char* text) {
  const std::string value(text);
  long parsed = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || ptr != value.data() + value.size() || value.empty() || parsed < 0) {
    return InvalidArgument(std::string(name) + " must be a non-negative integer, got '" + value +
                           "'");
  }
  return parsed;
}

}  // namespace

StatusOr<std::vector<InheritedSocket>> ParseListenFds(const char* listen_pid,
                                                      const char* listen_fds,
                                                      const char* listen_fdnames, pid_t self) {
  if (listen_pid == nullptr || listen_fds == nullptr) return std::vector<InheritedSocket>{};
  TERN_ASSIGN_OR_RETURN(long pid, ParsePositive("LISTEN_PID", listen_pid));
  if (pid != self) return std::vector<InheritedSocket>{};
  TERN_ASSIGN_OR_RETURN(long count, ParsePositive("LISTEN_FDS", listen_fds));
  if (count > 1024) {
    return InvalidArgument("LISTEN_FDS=" + std::to_string(count) + " is more than 1024 sockets");
  }
  std::vector<std::string> names;
  if (listen_fdnames != nullptr) {
    std::stringstream in(listen_fdnames);
    for (std::string name; std::getline(in, name, ':');) names.push_back(name);
    if (names.size() != static_cast<size_t>(count)) {
      return InvalidArgument("LISTEN_FDNAMES='" + std::string(listen_fdnames) + "' names " +
                             std::to_string(names.size()) +
                             " sockets but LISTEN_FDS=" + std::to_string(count));
    }
  }
  std::vector<InheritedSocket> out;
  for (long i = 0; i < count; ++i) {
    out.push_back({kFirstListenFd + static_cast<int>(i),
                   names.empty() || names[i].empty() ? "unknown" : names[i]});
  }
  return out;
}

StatusOr<std::vector<InheritedSocket>> TakeListenFdsFromEnvironment() {
  auto sockets = ParseListenFds(std::getenv("LISTEN_PID"), std::getenv("LISTEN_FDS"),
                                std::getenv("LISTEN_FDNAMES"), getpid());
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  if (!sockets.ok()) return sockets;
  for (const auto& socket : *sockets) {
    const int flags = fcntl(socket.fd, F_GETFD);
    if (flags < 0) {
      return InvalidArgument("LISTEN_FDS names fd " + std::to_string(socket.fd) +
                             ", which is not open");
    }
    fcntl(socket.fd, F_SETFD, flags | FD_CLOEXEC);
  }
  return sockets;
}

}  // namespace tern
