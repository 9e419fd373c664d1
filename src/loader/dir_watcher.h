// DirWatcher: wakes the loader within milliseconds of a change under the watched directories
// (inotify), so reaction does not wait for the next poll; the poll stays as the fallback (NFS
// and other file systems without inotify). Owns one inotify descriptor. Thread-safe: Watch and
// Wait may be called from different threads; Interrupt wakes a Wait at once.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace tern {

class DirWatcher {
 public:
  // Never fails: without inotify, Wait simply sleeps for its timeout.
  static std::unique_ptr<DirWatcher> Create();
  ~DirWatcher();
  DirWatcher(const DirWatcher&) = delete;
  DirWatcher& operator=(const DirWatcher&) = delete;

  // Adds watches on these directories (missing ones are skipped). Watches on deleted
  // directories go away by themselves; adding one twice is harmless.
  void Watch(const std::set<std::string>& dirs);

  // Returns true when something changed (or Interrupt was called) before the timeout.
  bool Wait(std::chrono::milliseconds timeout);
  void Interrupt();

 private:
  DirWatcher(int inotify_fd, int wake_fd) : inotify_fd_(inotify_fd), wake_fd_(wake_fd) {}
  const int inotify_fd_;  // -1 without inotify
  const int wake_fd_;     // eventfd
  std::mutex mu_;         // serializes inotify_add_watch
};

}  // namespace tern
