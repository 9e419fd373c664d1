#include "common/thread_name.h"

#include <pthread.h>

namespace tern {

namespace {
constexpr size_t kMaxNameBytes = 15;  // Linux's TASK_COMM_LEN (16) less the terminator
}  // namespace

void SetCurrentThreadName(std::string_view name) {
  std::string cut(name.substr(0, kMaxNameBytes));
  pthread_setname_np(pthread_self(), cut.c_str());
}

std::string CurrentThreadName() {
  char name[kMaxNameBytes + 1] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof(name)) != 0) return "";
  return name;
}

}  // namespace tern
