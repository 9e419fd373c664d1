#include "server/app/front_door_options.h"

#include <algorithm>
#include <string>

namespace tern {
namespace {

bool Given(const ServerFlags& flags, const std::string& name) {
  return std::find(flags.given.begin(), flags.given.end(), name) != flags.given.end();
}

}  // namespace

FrontDoorOptions FrontDoorOptionsFromFlags(const ServerFlags& flags) {
  FrontDoorOptions options;
  options.port = flags.port;
  options.rest_api_port = flags.rest_api_port;
  options.port_given = Given(flags, "port") || Given(flags, "rest_api_port");
  options.ssl_config_file = flags.ssl_config_file;
  options.grpc_socket_path = flags.grpc_socket_path;
  options.grpc_channel_arguments = flags.grpc_channel_arguments;
  options.grpc_max_threads = flags.grpc_max_threads;
  options.rest_api_enable_cors_support = flags.rest_api_enable_cors_support;
  options.max_request_bytes = flags.max_request_bytes;
  options.rest_api_num_threads = flags.rest_api_num_threads;
  options.idle_shutdown_seconds = flags.idle_shutdown_seconds;
  return options;
}

}  // namespace tern
