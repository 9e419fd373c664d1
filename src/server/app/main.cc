// tern: a TensorFlow Serving compatible model server.
#include <absl/synchronization/mutex.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/compute_pool.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/startup_trace.h"
#include "loader/config_file_poller.h"
#include "loader/model_manager.h"
#include "runtime/intra_op.h"
#include "runtime/memory_wait.h"
#include "runtime/tensorflow/tensorflow_runtime.h"
#include "server/app/admission_flags.h"
#include "server/app/batching_flags.h"
#include "server/app/flags.h"
#include "server/app/front_door_options.h"
#include "server/app/inspect_command.h"
#include "server/app/memory_budget_flags.h"
#include "server/core/inference_core.h"
#include "server/grpc/grpc_health.h"
#include "server/grpc/tf_serving_grpc.h"
#include "server/http/rest_router.h"
#include "server/kserve/kserve_grpc.h"
#include "server/kserve/kserve_rest.h"
#include "server/listen/front_door.h"
#include "server/listen/listen_fds.h"
#include "server/metrics/metrics_collectors.h"
#include "server/metrics/metrics_rest_handler.h"
#include "server/metrics/monitoring_config.h"
#include "server/rest/rest_api.h"

namespace {

// The command line's mistakes: reported on stderr, exit code 2.
int Fail(std::string_view message) {
  std::cerr << "tern: " << message << "\n";
  return 2;
}

// Blocks the termination signals in every thread (main waits for them with sigtimedwait).
void SetUpProcess() {
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
}

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
  TERN_LOG(Info) << "Drained in " << elapsed_ms
                 << " ms; requests cut off at the deadline: " << report.requests_left
                 << ", REST connections left: " << report.rest_connections_left;
}

// Before any model loads: weights count against the process budget too.
void SetMemoryBudgets(const tern::ServerFlags& flags) {
  const tern::MemoryBudgets budgets =
      tern::MemoryBudgetsFromFlags(flags, tern::TensorMemory::DetectAvailableBytes());
  tern::TensorMemory::SetProcessLimitBytes(budgets.process_bytes);
  tern::TensorMemory::SetRunLimitBytes(budgets.request_bytes);
  tern::SetTensorMemoryWaitMs(std::max<int64_t>(0, flags.memory_wait_ms));
  const auto mib = [](int64_t bytes) {
    return bytes > 0 ? std::to_string(bytes >> 20) + " MiB" : std::string("none");
  };
  TERN_LOG(Info) << "Tensor memory budget: " << mib(budgets.process_bytes) << " for the process, "
                 << mib(budgets.request_bytes) << " per request";
}

// Where to listen and which paths serve the metrics page, from the flags and the environment.
struct Surroundings {
  tern::FrontDoorOptions front_door_options;
  tern::ListenPlan listen_plan;
  tern::MonitoringOptions monitoring;
};

tern::StatusOr<Surroundings> ReadSurroundings(const tern::ServerFlags& flags) {
  Surroundings out;
  auto inherited = tern::TakeListenFdsFromEnvironment();
  if (!inherited.ok()) return inherited.status().WithContext("socket activation");
  out.front_door_options = tern::FrontDoorOptionsFromFlags(flags);
  TERN_ASSIGN_OR_RETURN(out.listen_plan,
                        tern::PlanListeners(out.front_door_options, std::getenv("PORT"),
                                            std::move(inherited).value()));
  TERN_ASSIGN_OR_RETURN(out.monitoring, tern::LoadMonitoringConfig(flags.monitoring_config_file));
  return out;
}

// The models and what runs them. Members are destroyed in reverse order, after the front ends
// (made later); Stop comes first, while the front ends are still alive.
struct ModelStack {
  std::unique_ptr<tern::Metrics> metrics;
  std::unique_ptr<tern::ComputePool> compute_pool;
  std::unique_ptr<tern::AdmissionControl> admission;
  std::unique_ptr<tern::SignatureBatcher> batcher;  // null: no batching
  std::unique_ptr<tern::ModelManager> manager;
  std::unique_ptr<tern::ConfigFilePoller> config_poller;  // null: one model from the flags

  // Answers what is still queued while the REST server's objects (answers post to its
  // executor) are alive, then stops loading and unloading models.
  void Stop() {
    batcher.reset();
    compute_pool.reset();
    config_poller.reset();
    manager->Stop();
  }
};

std::unique_ptr<tern::Metrics> MakeMetrics(const tern::ServerFlags& flags) {
  tern::Metrics::Options options;
  options.export_tf_serving_names = flags.enable_tf_serving_metric_names;
  options.build_version = TERN_BUILD_VERSION;
  auto metrics = tern::Metrics::Create(options);
  metrics->AddCollectable(tern::ProcessCollector::Create({}));
  metrics->AddCollectable(tern::TensorMemoryCollector::Create());
  return metrics;
}

std::unique_ptr<tern::ModelManager> MakeModelManager(const tern::ServerFlags& flags,
                                                     tern::Metrics* metrics) {
  tern::ModelManager::Options options;
  options.load_options.tags = SplitTags(flags.saved_model_tags);
  options.enable_model_warmup = flags.enable_model_warmup;
  options.file_system_poll_wait_ms = int64_t{flags.file_system_poll_wait_seconds} * 1000;
  options.metrics = metrics;
  options.model_load_wait_timeout_ms = flags.model_load_wait_timeout_ms;
  options.memory_budget_bytes = flags.model_memory_budget_mb << 20;
  options.warmup_iterations = std::max(1, flags.num_request_iterations_for_warmup);
  if (flags.max_num_load_retries >= 0) options.max_load_retries = flags.max_num_load_retries;
  if (flags.load_retry_interval_micros >= 0) {
    options.min_retry_backoff_ms = options.max_retry_backoff_ms =
        flags.load_retry_interval_micros / 1000;
  }
  auto manager = tern::ModelManager::Create(options);
  metrics->AddCollectable(tern::ModelStateCollector::Create({manager.get()}));
  return manager;
}

// The models to serve: --model_config_file (read now, then polled), else the one model the
// flags name.
tern::Status ConfigureModels(const tern::ServerFlags& flags, ModelStack* stack) {
  if (!flags.model_config_file.empty()) {
    stack->config_poller = tern::ConfigFilePoller::Create(
        {flags.model_config_file, int64_t{flags.model_config_file_poll_wait_seconds} * 1000},
        stack->manager.get());
    return stack->config_poller->PollOnce();
  }
  TERN_ASSIGN_OR_RETURN(
      auto single,
      tern::SingleModelConfig({flags.model_name, flags.model_base_path, flags.min_instances,
                               flags.max_instances, flags.idle_unload_seconds, flags.runtime}));
  stack->manager->SetConfig({single});
  return tern::Status::Ok();
}

// The TensorFlow runtime's options, and its custom op libraries loaded before any model (which
// loads TensorFlow then; otherwise it loads when a model first needs it).
tern::Status ConfigureTensorflowRuntime(const tern::ServerFlags& flags) {
  // TF Serving's flags mean the same to TensorFlow's session (0: TensorFlow's default, a pool
  // the size of the machine, shared by every TensorFlow model).
  const auto first_set = [](int64_t a, int64_t b) { return static_cast<int>(a > 0 ? a : b); };
  tern::ConfigureTensorflow({.library = flags.tensorflow_library,
                             .intra_op_threads = first_set(flags.tensorflow_session_parallelism,
                                                           flags.tensorflow_intra_op_parallelism),
                             .inter_op_threads = first_set(flags.tensorflow_session_parallelism,
                                                           flags.tensorflow_inter_op_parallelism)});
  std::vector<std::string> libraries;
  std::stringstream list(flags.custom_op_libraries);
  for (std::string path; std::getline(list, path, ',');) {
    if (!path.empty()) libraries.push_back(path);
  }
  return tern::LoadCustomOpLibraries(libraries);
}

// Loads the initial model versions before any port opens, as TF Serving does.
tern::StatusOr<ModelStack> LoadModels(const tern::ServerFlags& flags) {
  ModelStack stack;
  stack.metrics = MakeMetrics(flags);
  // One pool, one thread per core, runs every model computation: unbatched requests from the
  // async front ends and the batches.
  stack.compute_pool = tern::ComputePool::Create({.num_threads = tern::ComputeThreads(flags)});
  // A large op may also use the cores no request holds (runtime/intra_op.h).
  tern::IntraOpThreads::SetLimit(tern::IntraOpThreadLimit(flags));
  stack.admission = std::make_unique<tern::AdmissionControl>(
      tern::AdmissionOptionsFromFlags(flags, stack.compute_pool.get(), stack.metrics.get()));
  TERN_ASSIGN_OR_RETURN(stack.batcher, tern::MakeBatcherFromFlags(flags, stack.metrics.get(),
                                                                  stack.compute_pool.get()));
  TERN_RETURN_IF_ERROR(ConfigureTensorflowRuntime(flags));
  stack.manager = MakeModelManager(flags, stack.metrics.get());
  TERN_RETURN_IF_ERROR(ConfigureModels(flags, &stack));
  tern::MarkStartupPhase("config_read");
  stack.manager->Step();
  tern::MarkStartupPhase("models_loaded");
  stack.manager->StartBackground();
  return stack;
}

// The services every front end calls and the REST handlers, in construction order (destroyed in
// reverse). Built in place: the gRPC services and the drain gate do not move.
struct FrontEnds {
  FrontEnds(const ModelStack& models, const tern::ServerFlags& flags,
            const tern::MonitoringOptions& monitoring)
      : service(models.manager.get(), models.metrics.get(), models.batcher.get(),
                models.compute_pool.get(),
                flags.enable_signature_method_name_check ? tern::SignatureMethodCheck::kRequireMatch
                                                         : tern::SignatureMethodCheck::kOff,
                models.admission.get()),
        request_metrics(tern::RequestMetrics::Create({models.metrics.get(), models.manager.get()})),
        repository(models.manager.get()),
        kserve(&service, {.repository = &repository, .trace_file = flags.trace_file}),
        grpc_predictions(&service, request_metrics.get(), &grpc_gate,
                         flags.enable_serialization_as_tensor_content
                             ? tern::TensorProtoEncoding::kTensorContent
                             : tern::TensorProtoEncoding::kTypedFields),
        grpc_models(&service, models.manager.get(), request_metrics.get(), &grpc_gate),
        grpc_inference(&kserve, &grpc_gate),
        // TF Serving registers its services under their short names; the fully qualified ones
        // are what grpc_health_probe users write.
        grpc_health(&kserve,
                    {"PredictionService", "ModelService", "tensorflow.serving.PredictionService",
                     "tensorflow.serving.ModelService", "inference.GRPCInferenceService"}),
        v2_rest(&kserve, {.timeout_ms = flags.rest_api_timeout_in_ms}),
        rest_api(&service, {.timeout_ms = flags.rest_api_timeout_in_ms}),
        rest_router(tern::RestRouter::Create({{{"/v2", &v2_rest}}, &rest_api})),
        rest_handler(tern::MetricsRestHandler::Create(
            {rest_router.get(), request_metrics.get(), monitoring.metrics_paths})) {}

  tern::FrontDoor::Endpoints Endpoints(tern::ActivityTracker* activity,
                                       const tern::ServerFlags& flags) {
    std::vector<grpc::Service*> grpc_services = {&grpc_predictions, &grpc_models, &grpc_inference};
    if (flags.enable_grpc_healthcheck_service) grpc_services.push_back(&grpc_health);
    return {rest_handler.get(), std::move(grpc_services), activity, &grpc_gate};
  }

  tern::InferenceCore service;
  std::unique_ptr<tern::RequestMetrics> request_metrics;
  tern::ModelRepository repository;
  tern::KServeService kserve;
  tern::GrpcDrainGate grpc_gate;
  tern::GrpcPredictionService grpc_predictions;
  tern::GrpcModelService grpc_models;
  tern::GrpcInferenceService grpc_inference;
  tern::GrpcHealthService grpc_health;
  tern::KServeRestApi v2_rest;
  tern::RestApi rest_api;
  std::unique_ptr<tern::RestRouter> rest_router;
  std::unique_ptr<tern::MetricsRestHandler> rest_handler;
};

// Serves until a signal (or idleness), then drains. Destruction runs in reverse declaration
// order: the front door first, the models last.
int Serve(const tern::ServerFlags& flags) {
  auto surroundings = ReadSurroundings(flags);
  if (!surroundings.ok()) return Fail(surroundings.status().message());
  auto models = LoadModels(flags);
  if (!models.ok()) return Fail(models.status().message());
  FrontEnds front_ends(*models, flags, surroundings->monitoring);
  auto activity = tern::ActivityTracker::Create({});
  auto front_door =
      tern::FrontDoor::Start(surroundings->front_door_options, std::move(surroundings->listen_plan),
                             front_ends.Endpoints(activity.get(), flags));
  if (!front_door.ok()) {
    TERN_LOG(Error) << front_door.status().ToString();
    return 1;
  }
  const int signal = WaitForSignalOrIdle(int64_t{flags.idle_shutdown_seconds} * 1000, *activity);
  DrainAndStop(signal, flags, &front_ends.kserve, front_door->get());
  models->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  tern::MarkStartupPhase("main");
  SetUpProcess();
  if (argc > 1 && std::string(argv[1]) == "inspect") {
    return tern::RunInspectCommand(std::vector<std::string>(argv + 2, argv + argc), std::cout,
                                   std::cerr);
  }
  if (argc > 1 && std::string(argv[1]) == "ops") {
    return tern::RunOpsCommand(std::vector<std::string>(argv + 2, argv + argc), std::cout,
                               std::cerr);
  }
  auto flags = tern::ParseServerFlags(std::vector<std::string>(argv + 1, argv + argc));
  if (!flags.ok()) return Fail(flags.status().message());
  tern::MarkStartupPhase("flags_parsed");
  if (flags->help) {
    std::cout << tern::ServerFlagsUsage();
    return 0;
  }
  if (flags->version) {
    std::cout << "TensorFlow ModelServer: tern-" << TERN_BUILD_VERSION
              << " (TensorFlow Serving's APIs, flags and formats)\n"
              << "TensorFlow Library: none (Tern's own runtime)\n";
    return 0;
  }
  SetMemoryBudgets(*flags);
  for (const auto& flag : flags->inapplicable) {
    TERN_LOG(Info) << "--" << flag.name << "=" << flag.value << " does not apply to Tern ("
                   << flag.reason << "); ignored";
  }
  if (flags->model_base_path.empty() && flags->model_config_file.empty()) {
    std::cerr << "tern: --model_base_path or --model_config_file is required\n"
              << tern::ServerFlagsUsage();
    return 2;
  }
  return Serve(*flags);
}
