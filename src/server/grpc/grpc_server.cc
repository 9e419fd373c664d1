#include "server/grpc/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>

#include <charconv>
#include <sstream>
#include <thread>

#include "common/cpu_count.h"
#include "common/proto_text_file.h"
#include "server/grpc/grpc_activity_interceptor.h"
#include "serving/ssl_config.pb.h"

namespace tern {
namespace {

StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const std::string& ssl_config_file) {
  if (ssl_config_file.empty()) return grpc::InsecureServerCredentials();
  auto text = ReadTextFile(ssl_config_file);
  if (!text.ok()) return InvalidArgument("cannot read --ssl_config_file " + ssl_config_file);
  tensorflow::serving::SSLConfig config;
  if (Status parsed = ParseProtoText(*text, &config); !parsed.ok()) {
    return InvalidArgument("--ssl_config_file " + ssl_config_file +
                           " is not a text-format SSLConfig (server_key, server_cert, custom_ca, "
                           "client_verify): " +
                           parsed.message());
  }
  if (config.server_key().empty() || config.server_cert().empty()) {
    return InvalidArgument("--ssl_config_file " + ssl_config_file +
                           " needs both server_key and server_cert");
  }
  grpc::SslServerCredentialsOptions ssl(
      config.client_verify() ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                             : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  ssl.pem_root_certs = config.custom_ca();
  ssl.pem_key_cert_pairs.push_back({config.server_key(), config.server_cert()});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

StatusOr<std::vector<std::pair<std::string, std::variant<int, std::string>>>> ParseChannelArguments(
    const std::string& text) {
  std::vector<std::pair<std::string, std::variant<int, std::string>>> out;
  std::stringstream in(text);
  for (std::string entry; std::getline(in, entry, ',');) {
    if (entry.empty()) continue;
    auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("--grpc_channel_arguments entry '" + entry + "' is not key=value");
    }
    std::string key = entry.substr(0, eq), value = entry.substr(eq + 1);
    int parsed = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
    if (ec == std::errc() && ptr == value.data() + value.size() && !value.empty()) {
      out.emplace_back(key, parsed);
    } else {
      out.emplace_back(key, value);
    }
  }
  return out;
}

StatusOr<StartedGrpcServer> StartGrpcServer(const GrpcServerOptions& options,
                                            const std::vector<grpc::Service*>& services) {
  TERN_ASSIGN_OR_RETURN(auto arguments, ParseChannelArguments(options.channel_arguments));
  TERN_ASSIGN_OR_RETURN(auto credentials, Credentials(options.ssl_config_file));
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  StartedGrpcServer started;
  if (options.port != 0) {
    builder.AddListeningPort("0.0.0.0:" + std::to_string(options.port), credentials, &started.port);
  }
  if (!options.socket_path.empty()) {
    builder.AddListeningPort("unix:" + options.socket_path, credentials);
  }
  builder.SetMaxReceiveMessageSize(INT32_MAX);
  builder.SetMaxSendMessageSize(INT32_MAX);
  for (const auto& [key, value] : arguments) {
    if (std::holds_alternative<int>(value)) {
      builder.AddChannelArgument(key, std::get<int>(value));
    } else {
      builder.AddChannelArgument(key, std::get<std::string>(value));
    }
  }
  grpc::ResourceQuota quota("tern_grpc");
  // The synchronous server needs a thread per in-flight RPC, and batched requests wait holding
  // theirs; TF Serving's 4 per core answers RESOURCE_EXHAUSTED at modest concurrency on small
  // machines, so Tern's default is at least 256.
  const int threads =
      options.max_threads > 0 ? options.max_threads : std::max(256, 4 * SchedulableCores());
  quota.SetMaxThreads(threads);
  builder.SetResourceQuota(quota);
  if (options.activity != nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(MakeActivityInterceptorFactory(options.activity));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  for (grpc::Service* service : services) builder.RegisterService(service);
  started.server = builder.BuildAndStart();
  if (!started.server || (options.port != 0 && started.port == 0)) {
    return Unavailable("cannot listen for gRPC on port " + std::to_string(options.port) +
                       (options.socket_path.empty() ? "" : " / unix:" + options.socket_path));
  }
  return started;
}

}  // namespace tern
