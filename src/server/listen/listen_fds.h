// systemd socket activation: the listening sockets a service manager passed to this process
// (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES; the fds start at 3). Parsing is pure; taking them
// from the environment is done once, at startup, before any thread starts.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace tern {

struct InheritedSocket {
  int fd = -1;
  std::string name;  // from LISTEN_FDNAMES ("rest", "grpc", ...); "unknown" when not named
};

// Null arguments mean the variable is unset. No LISTEN_PID, or one naming another process:
// no sockets (the variables were meant for someone else). INVALID_ARGUMENT for malformed values.
StatusOr<std::vector<InheritedSocket>> ParseListenFds(const char* listen_pid,
                                                      const char* listen_fds,
                                                      const char* listen_fdnames, pid_t self);

// Reads the variables of this process, unsets them (children must not inherit them) and marks
// the fds close-on-exec.
StatusOr<std::vector<InheritedSocket>> TakeListenFdsFromEnvironment();

}  // namespace tern
