// Fuzz target: a text-format ModelServerConfig (--model_config_file, and the same file re-read
// every --model_config_file_poll_wait_seconds) through ParseModelConfigText, which runs
// ParseProtoText and then checks every model entry. Any Status is fine; a crash, leak or
// sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "loader/model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)tern::ParseModelConfigText(text, "fuzz");
  return 0;
}
