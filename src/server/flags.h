// Command-line flags, named and defaulted as tensorflow_model_server's so existing command
// lines keep working. Parsing is pure; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace tern {

struct ServerFlags {
  int32_t port = 8500;           // gRPC
  int32_t rest_api_port = 8501;  // 0 disables REST
  int32_t rest_api_num_threads = 0;  // 0: one per core
  int64_t rest_api_timeout_in_ms = 30000;
  std::string model_name = "default";
  std::string model_base_path;
  std::string saved_model_tags = "serve";
  std::string monitoring_config_file;  // empty: metrics on at the default paths
  bool enable_tf_serving_metric_names = false;
  bool help = false;
};

// Accepts --name=value and --name value; booleans also as bare --name. Unknown flags are an
// error naming the flag.
StatusOr<ServerFlags> ParseServerFlags(const std::vector<std::string>& args);

std::string ServerFlagsUsage();

}  // namespace tern
