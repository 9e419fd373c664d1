#include "server/app/flags.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <map>

namespace tern {
namespace {

enum class FlagKind { kBool, kInt, kFloat, kString };

using Setter = std::function<Status(ServerFlags&, const std::string& name, const std::string&)>;

enum class Origin { kTfServing, kTern };

struct FlagDef {
  Origin origin;
  FlagKind kind;
  std::string help;
  Setter set;
};

template <typename Int>
StatusOr<Int> ParseInt(const std::string& name, const std::string& value) {
  Int parsed{};
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || ptr != value.data() + value.size() || value.empty()) {
    return InvalidArgument("flag --" + name + " expects an integer, got '" + value + "'");
  }
  return parsed;
}

StatusOr<bool> ParseBool(const std::string& name, const std::string& value) {
  std::string lower = value;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true" || lower == "1") return true;
  if (lower == "false" || lower == "0") return false;
  return InvalidArgument("flag --" + name + " expects true or false, got '" + value + "'");
}

Status CheckFloat(const std::string& name, const std::string& value) {
  char* end = nullptr;
  std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size()) {
    return InvalidArgument("flag --" + name + " expects a number, got '" + value + "'");
  }
  return Status::Ok();
}

template <typename Int>
Setter IntSetter(Int ServerFlags::*field) {
  return [field](ServerFlags& flags, const std::string& name, const std::string& value) -> Status {
    TERN_ASSIGN_OR_RETURN(flags.*field, ParseInt<Int>(name, value));
    return Status::Ok();
  };
}

Setter StringSetter(std::string ServerFlags::*field) {
  return [field](ServerFlags& flags, const std::string&, const std::string& value) -> Status {
    flags.*field = value;
    return Status::Ok();
  };
}

Setter BoolSetter(bool ServerFlags::*field) {
  return [field](ServerFlags& flags, const std::string& name, const std::string& value) -> Status {
    TERN_ASSIGN_OR_RETURN(flags.*field, ParseBool(name, value));
    return Status::Ok();
  };
}

// A TF Serving flag with no meaning here: its value is checked as TF Serving would, then noted.
Setter Inapplicable(FlagKind kind, std::string reason) {
  return [kind, reason](ServerFlags& flags, const std::string& name,
                        const std::string& value) -> Status {
    switch (kind) {
      case FlagKind::kBool: TERN_RETURN_IF_ERROR(ParseBool(name, value).status()); break;
      case FlagKind::kInt: TERN_RETURN_IF_ERROR(ParseInt<int64_t>(name, value).status()); break;
      case FlagKind::kFloat: TERN_RETURN_IF_ERROR(CheckFloat(name, value)); break;
      case FlagKind::kString: break;
    }
    flags.inapplicable.push_back({name, value, reason});
    return Status::Ok();
  };
}

FlagDef Tf(FlagKind kind, std::string help, Setter set) {
  return {Origin::kTfServing, kind, std::move(help), std::move(set)};
}
FlagDef TfInapplicable(FlagKind kind, std::string help, std::string reason) {
  std::string text = help + " [accepted; does not apply: " + reason + "]";
  return {Origin::kTfServing, kind, std::move(text), Inapplicable(kind, std::move(reason))};
}
FlagDef Own(FlagKind kind, std::string help, Setter set) {
  return {Origin::kTern, kind, std::move(help), std::move(set)};
}

constexpr FlagKind kBool = FlagKind::kBool;
constexpr FlagKind kInt = FlagKind::kInt;
constexpr FlagKind kFloat = FlagKind::kFloat;
constexpr FlagKind kString = FlagKind::kString;

using S = ServerFlags;

// Every flag of TF Serving's main.cc (48) and Tern's own, in one table.
const std::map<std::string, FlagDef>& Flags() {
  static const auto* flags = new std::map<std::string, FlagDef>{
      // TF Serving's flags that Tern acts on.
      {"port", Tf(kInt, "gRPC port (default 8500; 0: no gRPC port)", IntSetter(&S::port))},
      {"grpc_socket_path",
       Tf(kString, "also serve gRPC on this UNIX socket path", StringSetter(&S::grpc_socket_path))},
      {"rest_api_port", Tf(kInt, "REST port (default 0: no REST port, as TF Serving)",
                           IntSetter(&S::rest_api_port))},
      {"rest_api_num_threads",
       Tf(kInt,
          "REST io threads (default: one per core; TF Serving: 4 per core, since its threads "
          "block on a run and Tern's do not)",
          IntSetter(&S::rest_api_num_threads))},
      {"rest_api_timeout_in_ms", Tf(kInt, "deadline of a REST request in ms (default 30000)",
                                    IntSetter(&S::rest_api_timeout_in_ms))},
      {"rest_api_enable_cors_support",
       Tf(kBool, "answer CORS preflights and add Access-Control-Allow-* headers",
          BoolSetter(&S::rest_api_enable_cors_support))},
      {"enable_batching", Tf(kBool, "group concurrent requests into batches (default false)",
                             BoolSetter(&S::enable_batching))},
      {"allow_version_labels_for_unavailable_models",
       Tf(kBool,
          "accepted; Tern always lets a label name a version that is not loaded yet (requests "
          "by that label get a clear error until it is)",
          BoolSetter(&S::allow_version_labels_for_unavailable_models))},
      {"batching_parameters_file",
       Tf(kString, "text-format BatchingParameters", StringSetter(&S::batching_parameters_file))},
      {"enable_per_model_batching_parameters",
       Tf(kBool,
          "read each version's batching_params.pbtxt (also assets.extra/batching_params.pbtxt); "
          "a version without one is not batched",
          BoolSetter(&S::enable_per_model_batching_parameters))},
      {"model_config_file",
       Tf(kString,
          "text-format ModelServerConfig listing the models; overrides --model_name and "
          "--model_base_path",
          StringSetter(&S::model_config_file))},
      {"model_config_file_poll_wait_seconds",
       Tf(kInt, "re-read --model_config_file this often (default 0: read once)",
          IntSetter(&S::model_config_file_poll_wait_seconds))},
      {"model_name",
       Tf(kString, "name of the served model (default 'default')", StringSetter(&S::model_name))},
      {"model_base_path", Tf(kString, "directory holding the model's numbered versions",
                             StringSetter(&S::model_base_path))},
      {"num_load_threads",
       Tf(kInt, "accepted; Tern loads versions one at a time, as TF Serving with 0 (its default)",
          IntSetter(&S::num_load_threads))},
      {"max_num_load_retries",
       Tf(kInt,
          "retries of a failed load before giving up until its files change (default: Tern "
          "retries until it loads; TF Serving: 5)",
          IntSetter(&S::max_num_load_retries))},
      {"load_retry_interval_micros",
       Tf(kInt,
          "wait between load retries (default: Tern backs off from 100 ms to 30 s; TF Serving: "
          "60 s)",
          IntSetter(&S::load_retry_interval_micros))},
      {"file_system_poll_wait_seconds",
       Tf(kInt, "poll every base path for new versions this often (default 1; inotify is sooner)",
          IntSetter(&S::file_system_poll_wait_seconds))},
      {"tensorflow_session_parallelism",
       Tf(kInt, "threads that run models (default 0: one per core)",
          IntSetter(&S::tensorflow_session_parallelism))},
      {"tensorflow_intra_op_parallelism",
       Tf(kInt, "threads one op may use, borrowing cores no request holds (default 0: 1)",
          IntSetter(&S::tensorflow_intra_op_parallelism))},
      {"tensorflow_inter_op_parallelism", Tf(kInt,
                                             "threads that run models side by side when session "
                                             "parallelism is unset (default 0: one per core)",
                                             IntSetter(&S::tensorflow_inter_op_parallelism))},
      {"ssl_config_file",
       Tf(kString,
          "text-format SSLConfig (server_key, server_cert, custom_ca, client_verify): serve "
          "gRPC over TLS",
          StringSetter(&S::ssl_config_file))},
      {"saved_model_tags", Tf(kString, "comma-separated MetaGraphDef tags (default 'serve')",
                              StringSetter(&S::saved_model_tags))},
      {"grpc_channel_arguments",
       Tf(kString, "comma-separated gRPC channel arguments key=value (ints as ints)",
          StringSetter(&S::grpc_channel_arguments))},
      {"grpc_max_threads",
       Tf(kInt, "maximum gRPC threads (default: max(256, 4 per core); TF Serving: 4 per core)",
          IntSetter(&S::grpc_max_threads))},
      {"enable_model_warmup",
       Tf(kBool, "replay assets.extra/tf_serving_warmup_requests before serving (default true)",
          BoolSetter(&S::enable_model_warmup))},
      {"num_request_iterations_for_warmup",
       Tf(kInt, "replay each warmup record this many times (default 0: once)",
          IntSetter(&S::num_request_iterations_for_warmup))},
      {"version", Tf(kBool, "print the version and exit", BoolSetter(&S::version))},
      {"monitoring_config_file",
       Tf(kString,
          "text-format MonitoringConfig: Prometheus path, or enable: false to turn metrics off "
          "(default: on at /monitoring/prometheus/metrics and /metrics; TF Serving: off)",
          StringSetter(&S::monitoring_config_file))},
      {"enable_signature_method_name_check",
       Tf(kBool,
          "Classify, Regress and MultiInference require the signature's method_name to match "
          "(default false)",
          BoolSetter(&S::enable_signature_method_name_check))},
      {"enable_grpc_healthcheck_service",
       Tf(kBool, "serve grpc.health.v1 (default true; TF Serving: false)",
          BoolSetter(&S::enable_grpc_healthcheck_service))},
      {"enable_serialization_as_tensor_content",
       Tf(kBool,
          "gRPC Predict writes outputs as tensor_content instead of float_val, int_val, ... "
          "(default false)",
          BoolSetter(&S::enable_serialization_as_tensor_content))},
      // TF Serving's flags with no meaning in Tern: accepted, logged once.
      {"num_unload_threads",
       TfInapplicable(kInt, "threads that unload servables",
                      "a version is freed when its last request lets go of it")},
      {"flush_filesystem_caches", TfInapplicable(kBool, "flush file system caches after loads",
                                                 "Tern keeps no file system caches")},
      {"tensorflow_session_config_file",
       TfInapplicable(kString, "text-format TensorFlow ConfigProto",
                      "Tern's runtime has no TensorFlow session")},
      {"use_alts_credentials",
       TfInapplicable(kBool, "Google ALTS credentials", "ALTS runs only on Google Cloud")},
      {"platform_config_file", TfInapplicable(kString, "text-format PlatformConfigMap",
                                              "Tern serves the TensorFlow platform only")},
      {"per_process_gpu_memory_fraction",
       TfInapplicable(kFloat, "GPU memory fraction", "Tern runs on CPUs")},
      {"remove_unused_fields_from_bundle_metagraph",
       TfInapplicable(kBool, "drop unused MetaGraphDef fields",
                      "Tern keeps only the plan it runs anyway")},
      {"prefer_tflite_model",
       TfInapplicable(kBool, "load model.tflite", "Tern does not run TensorFlow Lite models")},
      {"num_tflite_pools", TfInapplicable(kInt, "TFLite interpreter pools",
                                          "Tern does not run TensorFlow Lite models")},
      {"num_tflite_interpreters_per_pool",
       TfInapplicable(kInt, "TFLite interpreters per pool",
                      "Tern does not run TensorFlow Lite models")},
      {"xla_cpu_compilation_enabled",
       TfInapplicable(kBool, "XLA:CPU JIT", "Tern's runtime has no XLA")},
      {"xla_gpu_compilation_enabled",
       TfInapplicable(kBool, "XLA:GPU JIT", "Tern's runtime has no XLA")},
      {"enable_profiler",
       TfInapplicable(kBool, "TensorFlow profiler service", "Tern's runtime has no profiler")},
      {"thread_pool_factory_config_file",
       TfInapplicable(kString, "text-format ThreadPoolConfig",
                      "Tern has one compute pool; see --tensorflow_session_parallelism")},
      {"mixed_precision",
       TfInapplicable(kString, "mixed precision mode", "Tern computes in the model's own dtypes")},
      {"skip_initialize_tpu", TfInapplicable(kBool, "skip TPU initialization", "Tern has no TPU")},
      // Tern's own.
      {"enable_tf_serving_metric_names",
       Own(kBool, "also export TF Serving's :tensorflow:serving:* metric names (default false)",
           BoolSetter(&S::enable_tf_serving_metric_names))},
      {"max_request_bytes", Own(kInt, "largest REST request body, after gzip (default 256 MiB)",
                                IntSetter(&S::max_request_bytes))},
      {"enable_per_model_batching_params",
       Own(kBool, "alias of --enable_per_model_batching_parameters",
           BoolSetter(&S::enable_per_model_batching_parameters))},
      {"min_instances",
       Own(kInt,
           "0 loads the model (--model_name) on its first request instead of at start "
           "(default 1: always loaded)",
           IntSetter(&S::min_instances))},
      {"max_instances",
       Own(kInt,
           "requests of the model run in parallel on one copy of the weights, at most this many; "
           "more wait in line (default 0: no limit)",
           IntSetter(&S::max_instances))},
      {"idle_unload_seconds",
       Own(kInt,
           "with --min_instances=0, unload the model after this many seconds without requests "
           "(default 0: never)",
           IntSetter(&S::idle_unload_seconds))},
      {"runtime",
       Own(kString,
           "which runtime runs the model (--model_name): auto (Tern's own when it has every op, "
           "else TensorFlow's when available), tern or tensorflow (default auto)",
           StringSetter(&S::runtime))},
      {"tensorflow_library",
       Own(kString,
           "path of libtensorflow_cc.so.2 (or its directory) for the TensorFlow runtime "
           "(default: found in $VIRTUAL_ENV, .venv or python3's tensorflow package)",
           StringSetter(&S::tensorflow_library))},
      {"custom_op_libraries",
       Own(kString,
           "comma-separated TensorFlow custom op libraries (.so) loaded into the TensorFlow "
           "runtime before models load, e.g. TF Text's",
           StringSetter(&S::custom_op_libraries))},
      {"model_load_wait_timeout_ms",
       Own(kInt,
           "how long a request to a model at zero instances waits for it to load, never beyond "
           "the request's deadline (default 30000)",
           IntSetter(&S::model_load_wait_timeout_ms))},
      {"model_memory_budget_mb",
       Own(kInt,
           "keep the tensor memory of loaded models under this by unloading least recently "
           "used idle models with min_instances 0, as loads also do to fit --memory_limit_mb "
           "(default 0: no budget of its own)",
           IntSetter(&S::model_memory_budget_mb))},
      {"memory_limit_mb",
       Own(kInt,
           "tensor memory of the whole process (model weights and requests); an allocation past "
           "it fails that request with RESOURCE_EXHAUSTED (HTTP 429) (default 0: 80% of the "
           "container's or machine's memory; -1: none)",
           IntSetter(&S::memory_limit_mb))},
      {"max_request_memory_mb",
       Own(kInt,
           "tensor memory one request may hold while it runs; past it the request fails with "
           "RESOURCE_EXHAUSTED (HTTP 429) (default 0: a quarter of --memory_limit_mb; -1: none)",
           IntSetter(&S::max_request_memory_mb))},
      {"memory_wait_ms",
       Own(kInt,
           "how long an allocation that would pass --memory_limit_mb waits for other requests to "
           "give memory back before its request fails with RESOURCE_EXHAUSTED (default 100; 0: "
           "fail at once)",
           IntSetter(&S::memory_wait_ms))},
      {"max_inflight_requests",
       Own(kInt,
           "requests the server takes at once (queued, batching or running); more are refused at "
           "once with UNAVAILABLE (HTTP 503) (default 0: 128 per compute thread, at least 256, "
           "or with --enable_batching none, the batching queues being bounded; -1: no limit)",
           IntSetter(&S::max_inflight_requests))},
      {"max_queue_wait_ms",
       Own(kInt,
           "refuse a request at once with UNAVAILABLE (HTTP 503) when the compute queue it would "
           "join is estimated to hold it longer than this, or past its deadline (default 500; "
           "0: no limit)",
           IntSetter(&S::max_queue_wait_ms))},
      {"batching_target_latency_ms",
       Own(kInt,
           "let each queue choose its batch timeout: no wait unless measuring shows a wait "
           "gathers more rows without costing throughput, and queueing + compute stay within "
           "this many ms (0: use batch_timeout_micros)",
           IntSetter(&S::batching_target_latency_ms))},
      {"idle_shutdown_seconds",
       Own(kInt,
           "exit 0 after this many seconds with no request in flight and no open REST "
           "connection (default 0: never); meant for systemd socket activation",
           IntSetter(&S::idle_shutdown_seconds))},
      {"trace_file",
       Own(kString,
           "the file KServe v2 request traces go to, in Triton's trace file format; tracing is "
           "turned on at run time through /v2/trace/setting (default \"\": no tracing)",
           StringSetter(&S::trace_file))},
      {"drain_timeout_seconds",
       Own(kInt,
           "on SIGTERM/SIGINT, readiness turns false, listeners close and requests already "
           "accepted get this many seconds to finish before exit (default 25)",
           IntSetter(&S::drain_timeout_seconds))},
      {"help", Own(kBool, "print this help", BoolSetter(&S::help))},
  };
  return *flags;
}

}  // namespace

StatusOr<ServerFlags> ParseServerFlags(const std::vector<std::string>& args) {
  ServerFlags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 && arg.rfind("-", 0) != 0) {
      return InvalidArgument("unexpected argument '" + arg + "' (flags look like --name=value)");
    }
    std::string body = arg.substr(arg.rfind("--", 0) == 0 ? 2 : 1);
    std::string name = body, value;
    bool has_value = false;
    if (auto eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    auto it = Flags().find(name);
    if (it == Flags().end()) {
      return InvalidArgument("unknown flag --" + name +
                             " (neither TensorFlow Serving nor Tern has it); run with --help "
                             "for the flags");
    }
    if (!has_value) {
      if (it->second.kind == FlagKind::kBool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return InvalidArgument("flag --" + name + " needs a value");
      }
    }
    TERN_RETURN_IF_ERROR(it->second.set(flags, name, value));
    flags.given.push_back(name);
  }
  if (flags.idle_shutdown_seconds < 0 || flags.drain_timeout_seconds < 0) {
    return InvalidArgument("--idle_shutdown_seconds and --drain_timeout_seconds must be >= 0");
  }
  if (flags.num_request_iterations_for_warmup < 0) {
    return InvalidArgument("--num_request_iterations_for_warmup must be >= 0");
  }
  return flags;
}

std::string ServerFlagsUsage() {
  std::string tf_serving, own;
  for (const auto& [name, def] : Flags()) {
    (def.origin == Origin::kTfServing ? tf_serving : own) += "  --" + name + "\t" + def.help + "\n";
  }
  return "usage: tern [--flag=value ...]\n       tern inspect <saved_model_dir>\n\n"
         "TensorFlow Serving's flags (all 48 are accepted):\n" +
         tf_serving + "\nTern's own flags:\n" + own;
}

namespace {

int FirstSet(std::initializer_list<int64_t> candidates) {
  for (int64_t threads : candidates) {
    if (threads > 0) return static_cast<int>(std::min<int64_t>(threads, 1024));
  }
  return 0;
}

}  // namespace

int ComputeThreads(const ServerFlags& flags) {
  return FirstSet({flags.tensorflow_session_parallelism, flags.tensorflow_inter_op_parallelism});
}

int IntraOpThreadLimit(const ServerFlags& flags) {
  const int threads =
      FirstSet({flags.tensorflow_session_parallelism, flags.tensorflow_intra_op_parallelism});
  return threads > 0 ? threads : 1;
}

}  // namespace tern
