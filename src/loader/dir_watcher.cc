#include "loader/dir_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <thread>

namespace tern {

std::unique_ptr<DirWatcher> DirWatcher::Create() {
  const int inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  const int wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  return std::unique_ptr<DirWatcher>(new DirWatcher(inotify_fd, wake_fd));
}

DirWatcher::~DirWatcher() {
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void DirWatcher::Watch(const std::set<std::string>& dirs) {
  if (inotify_fd_ < 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE |
                             IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
  for (const auto& dir : dirs) inotify_add_watch(inotify_fd_, dir.c_str(), kMask);
}

bool DirWatcher::Wait(std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
  const int nfds = inotify_fd_ >= 0 ? 2 : 1;
  const int ready = poll(fds, nfds, static_cast<int>(timeout.count()));
  if (ready <= 0) return false;
  // Drain, so the next Wait blocks until something new happens.
  alignas(inotify_event) char buffer[16 * 1024];
  for (int i = 0; i < nfds; ++i) {
    if (fds[i].revents & POLLIN) {
      while (read(fds[i].fd, buffer, sizeof(buffer)) > 0) {
      }
    }
  }
  return true;
}

void DirWatcher::Interrupt() {
  const uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof(one)) < 0) {
    // The counter is saturated only if nobody waits; nothing to do.
  }
}

}  // namespace tern
