// Command-line flags, named and defaulted as tensorflow_model_server's so existing command
// lines keep working. Parsing is pure; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace tern {

struct ServerFlags {
  int32_t port = 8500;               // gRPC
  int32_t rest_api_port = 8501;      // 0 disables REST
  int32_t rest_api_num_threads = 0;  // 0: one per core
  int64_t rest_api_timeout_in_ms = 30000;
  std::string model_name = "default";
  std::string model_base_path;
  std::string saved_model_tags = "serve";
  std::string monitoring_config_file;  // empty: metrics on at the default paths
  bool enable_tf_serving_metric_names = false;
  // gRPC and REST transport (TF Serving's names).
  std::string grpc_socket_path;        // also serve gRPC on unix:<path>
  std::string grpc_channel_arguments;  // "key=value,key=value"
  int32_t grpc_max_threads = 0;        // 0: max(256, 4 per core)
  std::string ssl_config_file;         // text-format SSLConfig: TLS for gRPC
  bool rest_api_enable_cors_support = false;
  bool enable_grpc_healthcheck_service = true;      // Tern always serves grpc.health.v1
  int64_t max_request_bytes = int64_t{256} << 20;   // Tern's: REST body limit (after gzip)
  std::string model_config_file;                    // overrides model_name/model_base_path
  int32_t model_config_file_poll_wait_seconds = 0;  // 0: read once
  int32_t file_system_poll_wait_seconds = 1;        // <= 0: no periodic poll (inotify still on)
  bool enable_model_warmup = true;
  // Tern's scale 0..N (single-model mode; a config file sets them per model).
  int32_t min_instances = 1;                   // 0: load on the first request
  int32_t max_instances = 0;                   // parallel runs; 0: no limit
  int64_t idle_unload_seconds = 0;             // min_instances 0: unload after this idle time
  int64_t model_load_wait_timeout_ms = 30000;  // a request waits this long for a load
  int64_t model_memory_budget_mb = 0;          // 0: no budget
  bool enable_batching = false;
  std::string batching_parameters_file;  // text-format BatchingParameters
  bool enable_per_model_batching_parameters = false;
  int64_t batching_target_latency_ms = 0;  // Tern: 0 keeps batch_timeout_micros as given
  // Tern's front door (not in TF Serving): socket activation, idle exit, SIGTERM drain.
  int32_t idle_shutdown_seconds = 0;   // exit 0 after this long without requests; 0: never
  int32_t drain_timeout_seconds = 25;  // SIGTERM/SIGINT: how long in-flight requests may take
  bool help = false;
  std::vector<std::string> given;  // names of the flags on the command line, in order
};

// Accepts --name=value and --name value; booleans also as bare --name. Unknown flags are an
// error naming the flag.
StatusOr<ServerFlags> ParseServerFlags(const std::vector<std::string>& args);

std::string ServerFlagsUsage();

}  // namespace tern
