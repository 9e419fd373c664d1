// tern: a TensorFlow Serving compatible model server.
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <iostream>
#include <sstream>
#include <thread>

#include "common/logging.h"
#include "common/metrics.h"
#include "loader/config_file_poller.h"
#include "loader/model_manager.h"
#include "server/batching_flags.h"
#include "server/flags.h"
#include "server/grpc_server.h"
#include "server/grpc_service.h"
#include "server/metrics_collectors.h"
#include "server/metrics_rest_handler.h"
#include "server/monitoring_config.h"
#include "server/health_service.h"
#include "server/kserve_grpc.h"
#include "server/kserve_rest.h"
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
  if (flags->model_base_path.empty() && flags->model_config_file.empty()) {
    std::cerr << "tern: --model_base_path or --model_config_file is required\n"
              << tern::ServerFlagsUsage();
    return 2;
  }

  auto monitoring = tern::LoadMonitoringConfig(flags->monitoring_config_file);
  if (!monitoring.ok()) {
    std::cerr << "tern: " << monitoring.status().message() << "\n";
    return 2;
  }
  tern::Metrics::Options metrics_options;
  metrics_options.export_tf_serving_names = flags->enable_tf_serving_metric_names;
  metrics_options.build_version = TERN_BUILD_VERSION;
  auto metrics = tern::Metrics::Create(metrics_options);
  metrics->AddCollectable(tern::ProcessCollector::Create({}));

  auto batcher = tern::MakeBatcherFromFlags(*flags, metrics.get());
  if (!batcher.ok()) {
    std::cerr << "tern: " << batcher.status().message() << "\n";
    return 2;
  }
  tern::ModelManager::Options manager_options;
  manager_options.load_options.tags = SplitTags(flags->saved_model_tags);
  manager_options.enable_model_warmup = flags->enable_model_warmup;
  manager_options.file_system_poll_wait_ms =
      int64_t{flags->file_system_poll_wait_seconds} * 1000;
  manager_options.metrics = metrics.get();
  auto manager = tern::ModelManager::Create(manager_options);
  metrics->AddCollectable(tern::ModelStateCollector::Create({manager.get()}));
  std::unique_ptr<tern::ConfigFilePoller> config_poller;
  if (!flags->model_config_file.empty()) {
    config_poller = tern::ConfigFilePoller::Create(
        {flags->model_config_file, int64_t{flags->model_config_file_poll_wait_seconds} * 1000},
        manager.get());
    if (tern::Status read = config_poller->PollOnce(); !read.ok()) {
      std::cerr << "tern: " << read.message() << "\n";
      return 2;
    }
  } else {
    manager->SetConfig({{flags->model_name, flags->model_base_path, {}, {}}});
  }
  manager->Step();  // the initial versions load before the ports open, as in TF Serving
  manager->StartBackground();

  // Unbatched requests from the async front ends run here, one thread per core.
  auto compute_pool = tern::ComputePool::Create({});
  tern::PredictionService service(manager.get(), metrics.get(), batcher->get(), compute_pool.get());
  auto request_metrics = tern::RequestMetrics::Create({metrics.get(), manager.get()});
  tern::KServeService kserve(&service);
  tern::GrpcPredictionService grpc_predictions(&service, request_metrics.get());
  tern::GrpcModelService grpc_models(&service, manager.get(), request_metrics.get());
  tern::GrpcInferenceService grpc_inference(&kserve);
  tern::GrpcServerOptions grpc_options;
  grpc_options.port = flags->port;
  grpc_options.socket_path = flags->grpc_socket_path;
  grpc_options.channel_arguments = flags->grpc_channel_arguments;
  grpc_options.max_threads = flags->grpc_max_threads;
  grpc_options.ssl_config_file = flags->ssl_config_file;
  tern::GrpcHealthService grpc_health(
      &kserve, {"tensorflow.serving.PredictionService", "tensorflow.serving.ModelService",
                "inference.GRPCInferenceService"});
  auto grpc_started = tern::StartGrpcServer(
      grpc_options, {&grpc_predictions, &grpc_models, &grpc_inference, &grpc_health});
  if (!grpc_started.ok()) {
    TERN_LOG(Error) << grpc_started.status().ToString();
    return 1;
  }
  std::unique_ptr<grpc::Server> grpc_server = std::move(grpc_started->server);
  TERN_LOG(Info) << "gRPC listening on port " << grpc_started->port
                 << (flags->grpc_socket_path.empty() ? "" : " and unix:" + flags->grpc_socket_path);

  tern::RestApi::Options rest_api_options;
  rest_api_options.timeout_ms = flags->rest_api_timeout_in_ms;
  tern::KServeRestApi::Options v2_options;
  v2_options.timeout_ms = flags->rest_api_timeout_in_ms;
  tern::KServeRestApi v2_rest(&kserve, v2_options);
  tern::RestApi rest_api(&service, rest_api_options, &v2_rest);
  auto rest_handler =
      tern::MetricsRestHandler::Create({&rest_api, request_metrics.get(), monitoring->metrics_paths});
  std::unique_ptr<tern::RestServer> rest_server;
  if (flags->rest_api_port != 0) {
    tern::RestServer::Options rest_options;
    rest_options.port = flags->rest_api_port;
    rest_options.enable_cors_support = flags->rest_api_enable_cors_support;
    rest_options.max_request_bytes = static_cast<uint64_t>(std::max<int64_t>(0, flags->max_request_bytes));
    rest_options.num_threads = flags->rest_api_num_threads > 0
                                   ? flags->rest_api_num_threads
                                   : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
    auto started = tern::RestServer::Start(rest_handler.get(), rest_options);
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
  // Answer what is still queued while the REST server's objects (answers post to its executor)
  // are alive.
  batcher->reset();
  compute_pool.reset();
  config_poller.reset();
  manager->Stop();
  return 0;
}
