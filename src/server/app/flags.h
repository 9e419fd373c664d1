// Command-line flags: every flag of tensorflow_model_server, with its name and default, so an
// existing command line keeps working, plus Tern's own. Parsing is pure; thread-compatible.
// Where a default differs from TF Serving's on purpose, docs/configuration.md says why.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace tern {

// A TF Serving flag that is accepted but has no meaning here (GPU, TPU, XLA, TFLite, ...).
struct InapplicableFlag {
  std::string name;
  std::string value;
  std::string reason;  // why it does not apply
};

struct ServerFlags {
  int32_t port = 8500;               // gRPC
  int32_t rest_api_port = 0;         // 0: no REST port (TF Serving's default)
  int32_t rest_api_num_threads = 0;  // 0: one per core (Tern's io threads never block)
  int64_t rest_api_timeout_in_ms = 30000;
  std::string model_name = "default";
  std::string model_base_path;
  std::string saved_model_tags = "serve";
  std::string monitoring_config_file;  // empty: metrics on at the default paths
  bool enable_tf_serving_metric_names = false;
  std::string trace_file;  // Tern's: where Triton's trace extension writes ("": tracing off)
  // gRPC and REST transport (TF Serving's names).
  std::string grpc_socket_path;        // also serve gRPC on unix:<path>
  std::string grpc_channel_arguments;  // "key=value,key=value"
  int32_t grpc_max_threads = 0;        // 0: max(256, 4 per core)
  std::string ssl_config_file;         // text-format SSLConfig: TLS for gRPC
  bool rest_api_enable_cors_support = false;
  bool enable_grpc_healthcheck_service = true;  // Tern's default: on (TF Serving: off)
  bool enable_serialization_as_tensor_content = false;
  int64_t max_request_bytes = int64_t{256} << 20;   // Tern's: REST body limit (after gzip)
  std::string model_config_file;                    // overrides model_name/model_base_path
  int32_t model_config_file_poll_wait_seconds = 0;  // 0: read once
  int32_t file_system_poll_wait_seconds = 1;        // <= 0: no periodic poll (inotify still on)
  bool enable_model_warmup = true;
  int32_t num_request_iterations_for_warmup = 0;  // > 0: replay each warmup record this often
  // Load retries. Unset (-1): Tern retries with backoff from 100 ms to 30 s until the version
  // loads or its files change; set, they work as TF Serving's.
  int32_t max_num_load_retries = -1;
  int64_t load_retry_interval_micros = -1;
  int32_t num_load_threads = 0;
  // Size the compute pool (0: one thread per core); see ComputeThreads().
  int64_t tensorflow_session_parallelism = 0;
  int64_t tensorflow_intra_op_parallelism = 0;
  int64_t tensorflow_inter_op_parallelism = 0;
  bool enable_signature_method_name_check = false;
  bool allow_version_labels_for_unavailable_models = false;
  // Tern's scale 0..N (single-model mode; a config file sets them per model).
  int32_t min_instances = 1;        // 0: load on the first request
  int32_t max_instances = 0;        // parallel runs; 0: no limit
  int64_t idle_unload_seconds = 0;  // min_instances 0: unload after this idle time
  // The TensorFlow runtime (docs/tensorflow_runtime.md): auto | tern | tensorflow for the single
  // model; where libtensorflow_cc.so.2 is (empty: discover); custom op libraries, comma-separated.
  std::string runtime;
  std::string tensorflow_library;
  std::string custom_op_libraries;
  int64_t model_load_wait_timeout_ms = 30000;  // a request waits this long for a load
  int64_t model_memory_budget_mb = 0;          // 0: no budget
  // Tensor memory budgets (runtime/memory_account.h). 0: derived from the machine (see
  // MemoryBudgetsFromFlags); -1: none.
  int64_t memory_limit_mb = 0;
  int64_t max_request_memory_mb = 0;
  int64_t memory_wait_ms = 100;  // an allocation over the process budget waits this long first
  // Admission control (server/core/admission_control.h). max_inflight_requests: 0 derives it
  // from the compute threads (AdmissionOptionsFromFlags; none with batching), -1: none;
  // max_queue_wait_ms 0: none.
  int64_t max_inflight_requests = 0;
  int64_t max_queue_wait_ms = 500;
  bool enable_batching = false;
  std::string batching_parameters_file;  // text-format BatchingParameters
  bool enable_per_model_batching_parameters = false;
  int64_t batching_target_latency_ms = 0;  // Tern: 0 keeps batch_timeout_micros as given
  // Tern's front door (not in TF Serving): socket activation, idle exit, SIGTERM drain.
  int32_t idle_shutdown_seconds = 0;   // exit 0 after this long without requests; 0: never
  int32_t drain_timeout_seconds = 25;  // SIGTERM/SIGINT: how long in-flight requests may take
  bool help = false;
  bool version = false;
  std::vector<std::string> given;              // names of the flags on the command line, in order
  std::vector<InapplicableFlag> inapplicable;  // TF Serving flags given that do not apply
};

// Accepts --name=value and --name value; booleans also as bare --name. Unknown flags are an
// error naming the flag.
StatusOr<ServerFlags> ParseServerFlags(const std::vector<std::string>& args);

std::string ServerFlagsUsage();

// Threads of the compute pool the parallelism flags ask for; 0: one per core. As in TF Serving,
// session parallelism sizes both pools, inter-op the pool that runs requests side by side.
int ComputeThreads(const ServerFlags& flags);

// Threads one op may use at most (IntraOpThreads::SetLimit): session parallelism, else intra-op
// parallelism, as TF Serving sizes TensorFlow's intra-op pool; 1 when neither is set (unlike
// TensorFlow's one per core: on a host whose cores other processes share, OpenMP's spinning
// fork-join made ops 5-20x slower than on one thread; docs/benchmarks.md).
int IntraOpThreadLimit(const ServerFlags& flags);

}  // namespace tern
