// tern: a TensorFlow Serving compatible model server.
#include <absl/synchronization/mutex.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <thread>

#include "common/logging.h"
#include "common/metrics.h"
#include "common/startup_trace.h"
#include "loader/config_file_poller.h"
#include "loader/model_manager.h"
#include "server/app/batching_flags.h"
#include "server/app/flags.h"
#include "server/app/front_door_options.h"
#include "server/listen/front_door.h"
#include "server/listen/listen_fds.h"
#include "server/grpc/tf_serving_grpc.h"
#include "server/metrics/metrics_collectors.h"
#include "server/metrics/metrics_rest_handler.h"
#include "server/metrics/monitoring_config.h"
#include "server/grpc/grpc_health.h"
#include "server/kserve/kserve_grpc.h"
#include "server/kserve/kserve_rest.h"
#include "server/app/inspect_command.h"
#include "server/core/inference_core.h"
#include "server/http/rest_router.h"
#include "server/rest/rest_api.h"

namespace {

std::vector<std::string> SplitTags(const std::string& tags) {
  std::vector<std::string> out;
  std::stringstream in(tags);
  for (std::string tag; std::getline(in, tag, ',');) {
    if (!tag.empty()) out.push_back(tag);
  }
  return out;
}

// Returns the signal that arrived, or 0 when the server has been idle for idle_shutdown_ms
// (0: never).
int WaitForSignalOrIdle(int64_t idle_shutdown_ms, const tern::ActivityTracker& activity) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  const timespec tick{0, 100 * 1000 * 1000};
  while (true) {
    const int signal = sigtimedwait(&set, nullptr, &tick);
    if (signal > 0) return signal;
    if (idle_shutdown_ms > 0 && activity.IdleMs() >= idle_shutdown_ms) return 0;
  }
}

// Stops the front door: readiness false at once, listeners closed, accepted requests answered.
void DrainAndStop(int signal, const tern::ServerFlags& flags, tern::KServeService* kserve,
                  tern::FrontDoor* front_door) {
  const auto start = std::chrono::steady_clock::now();
  if (signal != 0) {
    TERN_LOG(Info) << "Received signal " << signal << ": draining (up to "
                   << flags.drain_timeout_seconds << " s)";
  } else {
    TERN_LOG(Info) << "Idle for " << flags.idle_shutdown_seconds << " s: shutting down";
  }
  kserve->StartDraining();
  const auto report = front_door->Drain(int64_t{flags.drain_timeout_seconds} * 1000);
  const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
  TERN_LOG(Info) << "Drained in " << elapsed_ms << " ms; requests cut off at the deadline: "
                 << report.requests_left
                 << ", REST connections left: " << report.rest_connections_left;
}

}  // namespace

int main(int argc, char** argv) {
  tern::MarkStartupPhase("main");
  // Block the termination signals in every thread; main waits for them with sigwait.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Debian's absl keeps its debug default of tracking the lock order of every absl::Mutex (gRPC
  // takes several per call) for deadlock reports: ~2% of a busy server's CPU, for a report
  // Tern's users never asked for.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (argc > 1 && std::string(argv[1]) == "inspect") {
    return tern::RunInspectCommand(std::vector<std::string>(argv + 2, argv + argc), std::cout,
                                   std::cerr);
  }

  auto flags = tern::ParseServerFlags(std::vector<std::string>(argv + 1, argv + argc));
  if (!flags.ok()) {
    std::cerr << "tern: " << flags.status().message() << "\n";
    return 2;
  }
  tern::MarkStartupPhase("flags_parsed");
  if (flags->help) {
    std::cout << tern::ServerFlagsUsage();
    return 0;
  }
  if (flags->model_base_path.empty() && flags->model_config_file.empty()) {
    std::cerr << "tern: --model_base_path or --model_config_file is required\n"
              << tern::ServerFlagsUsage();
    return 2;
  }

  auto inherited = tern::TakeListenFdsFromEnvironment();
  if (!inherited.ok()) {
    std::cerr << "tern: socket activation: " << inherited.status().message() << "\n";
    return 2;
  }
  const tern::FrontDoorOptions front_door_options = tern::FrontDoorOptionsFromFlags(*flags);
  auto listen_plan = tern::PlanListeners(front_door_options, std::getenv("PORT"),
                                         std::move(inherited).value());
  if (!listen_plan.ok()) {
    std::cerr << "tern: " << listen_plan.status().message() << "\n";
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

  // One pool, one thread per core, runs every model computation: unbatched requests from the
  // async front ends and the batches.
  auto compute_pool = tern::ComputePool::Create({});
  auto batcher = tern::MakeBatcherFromFlags(*flags, metrics.get(), compute_pool.get());
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
  manager_options.model_load_wait_timeout_ms = flags->model_load_wait_timeout_ms;
  manager_options.memory_budget_bytes = flags->model_memory_budget_mb << 20;
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
    auto single = tern::SingleModelConfig({flags->model_name, flags->model_base_path,
                                           flags->min_instances, flags->max_instances,
                                           flags->idle_unload_seconds});
    if (!single.ok()) {
      std::cerr << "tern: " << single.status().message() << "\n";
      return 2;
    }
    manager->SetConfig({*single});
  }
  tern::MarkStartupPhase("config_read");
  manager->Step();  // the initial versions load before the ports open, as in TF Serving
  tern::MarkStartupPhase("models_loaded");
  manager->StartBackground();

  tern::InferenceCore service(manager.get(), metrics.get(), batcher->get(), compute_pool.get());
  auto request_metrics = tern::RequestMetrics::Create({metrics.get(), manager.get()});
  tern::KServeService kserve(&service);
  tern::GrpcDrainGate grpc_gate;
  tern::GrpcPredictionService grpc_predictions(&service, request_metrics.get(), &grpc_gate);
  tern::GrpcModelService grpc_models(&service, manager.get(), request_metrics.get(), &grpc_gate);
  tern::GrpcInferenceService grpc_inference(&kserve, &grpc_gate);
  tern::GrpcHealthService grpc_health(
      &kserve, {"tensorflow.serving.PredictionService", "tensorflow.serving.ModelService",
                "inference.GRPCInferenceService"});
  tern::RestApi::Options rest_api_options;
  rest_api_options.timeout_ms = flags->rest_api_timeout_in_ms;
  tern::KServeRestApi::Options v2_options;
  v2_options.timeout_ms = flags->rest_api_timeout_in_ms;
  tern::KServeRestApi v2_rest(&kserve, v2_options);
  tern::RestApi rest_api(&service, rest_api_options);
  auto rest_router = tern::RestRouter::Create({{{"/v2", &v2_rest}}, &rest_api});
  auto rest_handler = tern::MetricsRestHandler::Create(
      {rest_router.get(), request_metrics.get(), monitoring->metrics_paths});

  auto activity = tern::ActivityTracker::Create({});
  auto front_door = tern::FrontDoor::Start(
      front_door_options, std::move(listen_plan).value(),
      {rest_handler.get(), {&grpc_predictions, &grpc_models, &grpc_inference, &grpc_health},
       activity.get(), &grpc_gate});
  if (!front_door.ok()) {
    TERN_LOG(Error) << front_door.status().ToString();
    return 1;
  }

  const int signal =
      WaitForSignalOrIdle(int64_t{flags->idle_shutdown_seconds} * 1000, *activity);
  DrainAndStop(signal, *flags, &kserve, front_door->get());
  // Answer what is still queued while the REST server's objects (answers post to its executor)
  // are alive.
  batcher->reset();
  compute_pool.reset();
  config_poller.reset();
  manager->Stop();
  return 0;
}
