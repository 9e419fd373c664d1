#include "loader/config_file_poller.h"

#include <fstream>
#include <sstream>

#include "common/logging.h"
#include "common/thread_name.h"

namespace tern {

std::unique_ptr<ConfigFilePoller> ConfigFilePoller::Create(Options options, ModelManager* manager) {
  auto poller =
      std::unique_ptr<ConfigFilePoller>(new ConfigFilePoller(std::move(options), manager));
  if (poller->options_.poll_wait_ms > 0) {
    ConfigFilePoller* self = poller.get();
    poller->thread_ = std::thread([self] {
      SetCurrentThreadName("tern-config");
      std::unique_lock<std::mutex> lock(self->mu_);
      while (!self->stop_) {
        self->wake_.wait_for(lock, std::chrono::milliseconds(self->options_.poll_wait_ms));
        if (self->stop_) break;
        lock.unlock();
        (void)self->PollOnce();  // logged inside
        lock.lock();
      }
    });
  }
  return poller;
}

ConfigFilePoller::~ConfigFilePoller() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status ConfigFilePoller::PollOnce() {
  std::ifstream in(options_.path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  std::unique_lock<std::mutex> lock(mu_);
  if (in && text.str() == last_text_) return Status::Ok();
  auto configs = in ? ParseModelConfigText(text.str(), options_.path)
                    : StatusOr<std::vector<ServedModelConfig>>(
                          NotFound("cannot open model config file '" + options_.path + "'"));
  if (!configs.ok()) {
    if (configs.status().message() != last_error_) {
      TERN_LOG(Error) << configs.status().message() << "; keeping the current models";
      last_error_ = configs.status().message();
    }
    return configs.status();
  }
  last_text_ = text.str();
  last_error_.clear();
  lock.unlock();
  TERN_LOG(Info) << "Applying model config '" << options_.path << "' (" << configs->size()
                 << " models)";
  manager_->SetConfig(std::move(configs).value());
  return Status::Ok();
}

}  // namespace tern
