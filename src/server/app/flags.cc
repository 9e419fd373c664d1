#include "server/app/flags.h"

#include <charconv>
#include <functional>
#include <map>

namespace tern {
namespace {

struct FlagDef {
  std::string help;
  bool is_bool = false;
  std::function<Status(ServerFlags&, const std::string&)> set;
};

template <typename Int>
std::function<Status(ServerFlags&, const std::string&)> IntSetter(Int ServerFlags::*field,
                                                                  const std::string& name) {
  return [field, name](ServerFlags& flags, const std::string& value) -> Status {
    Int parsed{};
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
    if (ec != std::errc() || ptr != value.data() + value.size() || value.empty()) {
      return InvalidArgument("flag --" + name + " expects an integer, got '" + value + "'");
    }
    flags.*field = parsed;
    return Status::Ok();
  };
}

std::function<Status(ServerFlags&, const std::string&)> StringSetter(
    std::string ServerFlags::*field) {
  return [field](ServerFlags& flags, const std::string& value) -> Status {
    flags.*field = value;
    return Status::Ok();
  };
}

std::function<Status(ServerFlags&, const std::string&)> BoolSetter(bool ServerFlags::*field,
                                                                   const std::string& name) {
  return [field, name](ServerFlags& flags, const std::string& value) -> Status {
    if (value == "true" || value == "1") {
      flags.*field = true;
    } else if (value == "false" || value == "0") {
      flags.*field = false;
    } else {
      return InvalidArgument("flag --" + name + " expects true or false, got '" + value + "'");
    }
    return Status::Ok();
  };
}

const std::map<std::string, FlagDef>& Flags() {
  static const auto* flags = new std::map<std::string, FlagDef>{
      {"port", {"gRPC port (default 8500)", false, IntSetter(&ServerFlags::port, "port")}},
      {"rest_api_port",
       {"REST port (default 8501; 0 disables REST)", false,
        IntSetter(&ServerFlags::rest_api_port, "rest_api_port")}},
      {"rest_api_num_threads",
       {"REST worker threads (default: number of cores)", false,
        IntSetter(&ServerFlags::rest_api_num_threads, "rest_api_num_threads")}},
      {"rest_api_timeout_in_ms",
       {"deadline of a REST request in milliseconds (default 30000)", false,
        IntSetter(&ServerFlags::rest_api_timeout_in_ms, "rest_api_timeout_in_ms")}},
      {"model_name",
       {"name of the served model (default 'default')", false,
        StringSetter(&ServerFlags::model_name)}},
      {"model_base_path",
       {"directory holding the model's numbered versions", false,
        StringSetter(&ServerFlags::model_base_path)}},
      {"saved_model_tags",
       {"comma-separated MetaGraphDef tags to load (default 'serve')", false,
        StringSetter(&ServerFlags::saved_model_tags)}},
      {"monitoring_config_file",
       {"text-format MonitoringConfig: Prometheus path, or enable: false to turn metrics off "
        "(default: on at /monitoring/prometheus/metrics and /metrics)",
        false, StringSetter(&ServerFlags::monitoring_config_file)}},
      {"enable_tf_serving_metric_names",
       {"also export TF Serving's :tensorflow:serving:* metric names (default false)", true,
        [](ServerFlags& flags, const std::string& value) -> Status {
          if (value != "true" && value != "false") {
            return InvalidArgument(
                "flag --enable_tf_serving_metric_names expects true or false, "
                "got '" +
                value + "'");
          }
          flags.enable_tf_serving_metric_names = value == "true";
          return Status::Ok();
        }}},
      {"grpc_socket_path",
       {"also serve gRPC on this UNIX socket path", false,
        StringSetter(&ServerFlags::grpc_socket_path)}},
      {"grpc_channel_arguments",
       {"comma-separated gRPC channel arguments key=value (ints as ints, else strings)", false,
        StringSetter(&ServerFlags::grpc_channel_arguments)}},
      {"grpc_max_threads",
       {"maximum gRPC threads (default: max(256, 4 per core))", false,
        IntSetter(&ServerFlags::grpc_max_threads, "grpc_max_threads")}},
      {"ssl_config_file",
       {"text-format SSLConfig (server_key, server_cert, custom_ca, "
        "client_verify): serve gRPC over TLS",
        false, StringSetter(&ServerFlags::ssl_config_file)}},
      {"rest_api_enable_cors_support",
       {"answer CORS preflights and add Access-Control-Allow-* headers", true,
        BoolSetter(&ServerFlags::rest_api_enable_cors_support, "rest_api_enable_cors_support")}},
      {"enable_grpc_healthcheck_service",
       {"serve grpc.health.v1 (Tern: always on; accepted for compatibility)", true,
        BoolSetter(&ServerFlags::enable_grpc_healthcheck_service,
                   "enable_grpc_healthcheck_service")}},
      {"max_request_bytes",
       {"largest REST request body, after gzip decoding (default 256 MiB)", false,
        IntSetter(&ServerFlags::max_request_bytes, "max_request_bytes")}},
      {"model_config_file",
       {"text-format ModelServerConfig listing the models; overrides --model_name and "
        "--model_base_path",
        false, StringSetter(&ServerFlags::model_config_file)}},
      {"model_config_file_poll_wait_seconds",
       {"re-read --model_config_file this often (default 0: read once)", false,
        IntSetter(&ServerFlags::model_config_file_poll_wait_seconds,
                  "model_config_file_poll_wait_seconds")}},
      {"file_system_poll_wait_seconds",
       {"poll every base path for new versions this often (default 1; inotify reacts sooner)",
        false,
        IntSetter(&ServerFlags::file_system_poll_wait_seconds, "file_system_poll_wait_seconds")}},
      {"min_instances",
       {"Tern: 0 loads the model (--model_name) on its first request instead of at start "
        "(default 1: always loaded)",
        false, IntSetter(&ServerFlags::min_instances, "min_instances")}},
      {"max_instances",
       {"Tern: requests of the model run in parallel on one copy of the weights, at most this "
        "many; more wait in line (default 0: no limit)",
        false, IntSetter(&ServerFlags::max_instances, "max_instances")}},
      {"idle_unload_seconds",
       {"Tern: with --min_instances=0, unload the model after this many seconds without "
        "requests (default 0: never)",
        false, IntSetter(&ServerFlags::idle_unload_seconds, "idle_unload_seconds")}},
      {"model_load_wait_timeout_ms",
       {"Tern: how long a request to a model at zero instances waits for it to load, never "
        "beyond the request's deadline (default 30000)",
        false, IntSetter(&ServerFlags::model_load_wait_timeout_ms, "model_load_wait_timeout_ms")}},
      {"model_memory_budget_mb",
       {"Tern: keep the estimated memory of loaded models under this by unloading least "
        "recently used idle models with min_instances 0 (default 0: no budget)",
        false, IntSetter(&ServerFlags::model_memory_budget_mb, "model_memory_budget_mb")}},
      {"enable_model_warmup",
       {"replay assets.extra/tf_serving_warmup_requests before serving a version (default true)",
        true, BoolSetter(&ServerFlags::enable_model_warmup, "enable_model_warmup")}},
      {"enable_batching",
       {"group concurrent requests into batches (default false)", true,
        BoolSetter(&ServerFlags::enable_batching, "enable_batching")}},
      {"batching_parameters_file",
       {"text-format BatchingParameters; needs --enable_batching", false,
        StringSetter(&ServerFlags::batching_parameters_file)}},
      {"enable_per_model_batching_parameters",
       {"read <version>/assets.extra/batching_params.pbtxt; a model without it is not batched",
        true,
        BoolSetter(&ServerFlags::enable_per_model_batching_parameters,
                   "enable_per_model_batching_parameters")}},
      {"enable_per_model_batching_params",
       {"alias of --enable_per_model_batching_parameters", true,
        BoolSetter(&ServerFlags::enable_per_model_batching_parameters,
                   "enable_per_model_batching_params")}},
      {"batching_target_latency_ms",
       {"Tern: choose each queue's batch timeout from its compute time to keep queueing + "
        "compute within this many ms (0: use batch_timeout_micros)",
        false, IntSetter(&ServerFlags::batching_target_latency_ms, "batching_target_latency_ms")}},
      {"idle_shutdown_seconds",
       {"Tern: exit 0 after this many seconds with no request in flight and no open REST "
        "connection (default 0: never); meant for systemd socket activation",
        false, IntSetter(&ServerFlags::idle_shutdown_seconds, "idle_shutdown_seconds")}},
      {"drain_timeout_seconds",
       {"Tern: on SIGTERM/SIGINT, readiness turns false, listeners close and requests already "
        "accepted get this many seconds to finish before exit (default 25)",
        false, IntSetter(&ServerFlags::drain_timeout_seconds, "drain_timeout_seconds")}},
      {"help",
       {"print this help", true,
        [](ServerFlags& flags, const std::string& value) -> Status {
          flags.help = value != "false";
          return Status::Ok();
        }}},
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
                             "; run with --help for the supported flags");
    }
    if (!has_value) {
      if (it->second.is_bool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return InvalidArgument("flag --" + name + " needs a value");
      }
    }
    TERN_RETURN_IF_ERROR(it->second.set(flags, value));
    flags.given.push_back(name);
  }
  if (flags.idle_shutdown_seconds < 0 || flags.drain_timeout_seconds < 0) {
    return InvalidArgument("--idle_shutdown_seconds and --drain_timeout_seconds must be >= 0");
  }
  return flags;
}

std::string ServerFlagsUsage() {
  std::string out = "usage: tern [--flag=value ...]\n\nFlags (TensorFlow Serving's names):\n";
  for (const auto& [name, def] : Flags()) out += "  --" + name + "\t" + def.help + "\n";
  return out;
}

}  // namespace tern
