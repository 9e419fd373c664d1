// ConfigFilePoller: re-reads --model_config_file every poll period and hands a changed, valid
// config to the ModelManager. A bad file is logged with its parse error and the running set of
// models stays. PollOnce can be stepped by hand; the background thread calls it periodically.
// Holds a non-owning pointer to the manager, which must outlive it. Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "loader/model_manager.h"

namespace tern {

class ConfigFilePoller {
 public:
  struct Options {
    std::string path;
    int64_t poll_wait_ms = 0;  // <= 0: no background polling
  };
  static std::unique_ptr<ConfigFilePoller> Create(Options options, ModelManager* manager);
  ~ConfigFilePoller();

  // Reads the file; if it changed since the last good read and is valid, applies it.
  // Returns the parse/validation error (the manager is then left alone).
  Status PollOnce();

 private:
  ConfigFilePoller(Options options, ModelManager* manager)
      : options_(std::move(options)), manager_(manager) {}

  const Options options_;
  ModelManager* const manager_;
  std::mutex mu_;
  std::string last_text_;
  std::string last_error_;
  bool stop_ = false;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace tern
