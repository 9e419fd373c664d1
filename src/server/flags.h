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
  bool enable_batching = false;
  std::string batching_parameters_file;  // text-format BatchingParameters
  bool enable_per_model_batching_parameters = false;
  int64_t batching_target_latency_ms = 0;  // Tern: 0 keeps batch_timeout_micros as given
  bool help = false;
};

// Accepts --name=value and --name value; booleans also as bare --name. Unknown flags are an
// error naming the flag.
StatusOr<ServerFlags> ParseServerFlags(const std::vector<std::string>& args);

std::string ServerFlagsUsage();

}  // namespace tern
