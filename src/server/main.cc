// tern: a TensorFlow Serving compatible model server.
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <iostream>
#include <sstream>
#include <thread>

#include "common/logging.h"
#include "loader/model_manager.h"
#include "server/flags.h"
#include "server/grpc_service.h"
#include "server/inspect_command.h"
#include "server/prediction_service.h"
#include "server/rest_api.h"
#include "server/rest_server.h"

namespace {

std::vector<std::string> SplitTags(const std::string& tags) {
  std::vector<std::string> out;
  std::stringstream in(tags);
  for (std::string tag; std::getline(in, tag, ',');) {
    if (!tag.empty()) out.push_back(tag);
  }
  return out;
}

int WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int signal = 0;
  sigwait(&set, &signal);
  return signal;
}

}  // namespace

int main(int argc, char** argv) {
  // Block the termination signals in every thread; main waits for them with sigwait.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  if (argc > 1 && std::string(argv[1]) == "inspect") {
    return tern::RunInspectCommand(std::vector<std::string>(argv + 2, argv + argc), std::cout,
                                   std::cerr);
  }

  auto flags = tern::ParseServerFlags(std::vector<std::string>(argv + 1, argv + argc));
  if (!flags.ok()) {
    std::cerr << "tern: " << flags.status().message() << "\n";
    return 2;
  }
  if (flags->help) {
    std::cout << tern::ServerFlagsUsage();
    return 0;
  }
  if (flags->model_base_path.empty()) {
    std::cerr << "tern: --model_base_path is required\n" << tern::ServerFlagsUsage();
    return 2;
  }

  tern::ModelManager::Options manager_options;
  manager_options.load_options.tags = SplitTags(flags->saved_model_tags);
  auto manager = tern::ModelManager::Create(manager_options);
  tern::Status loaded = manager->LoadLatestVersion({flags->model_name, flags->model_base_path});
  if (!loaded.ok()) TERN_LOG(Error) << loaded.ToString();

  tern::PredictionService service(manager.get());
  tern::GrpcPredictionService grpc_predictions(&service);
  tern::GrpcModelService grpc_models(&service);
  grpc::ServerBuilder builder;
  int grpc_port = 0;
  builder.AddListeningPort("0.0.0.0:" + std::to_string(flags->port),
                           grpc::InsecureServerCredentials(), &grpc_port);
  builder.SetMaxReceiveMessageSize(INT32_MAX);
  builder.SetMaxSendMessageSize(INT32_MAX);
  builder.RegisterService(&grpc_predictions);
  builder.RegisterService(&grpc_models);
  std::unique_ptr<grpc::Server> grpc_server = builder.BuildAndStart();
  if (!grpc_server || grpc_port == 0) {
    TERN_LOG(Error) << "cannot listen for gRPC on port " << flags->port;
    return 1;
  }
  TERN_LOG(Info) << "gRPC listening on port " << grpc_port;

  tern::RestApi::Options rest_api_options;
  rest_api_options.timeout_ms = flags->rest_api_timeout_in_ms;
  tern::RestApi rest_api(&service, rest_api_options);
  std::unique_ptr<tern::RestServer> rest_server;
  if (flags->rest_api_port != 0) {
    tern::RestServer::Options rest_options;
    rest_options.port = flags->rest_api_port;
    rest_options.num_threads = flags->rest_api_num_threads > 0
                                   ? flags->rest_api_num_threads
                                   : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
    auto started = tern::RestServer::Start(&rest_api, rest_options);
    if (!started.ok()) {
      TERN_LOG(Error) << started.status().ToString();
      return 1;
    }
    rest_server = std::move(started).value();
    TERN_LOG(Info) << "REST listening on port " << rest_server->port();
  }

  const int signal = WaitForSignal();
  TERN_LOG(Info) << "Received signal " << signal << ", shutting down";
  if (rest_server) rest_server->Stop();
  grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return 0;
}
