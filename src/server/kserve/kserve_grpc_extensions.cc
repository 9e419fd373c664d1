// GrpcInferenceService's Triton extensions beyond inference: statistics and the model
// repository. Each passes the drain gate like every model RPC.
#include "server/grpc/grpc_status.h"
#include "server/kserve/kserve_grpc.h"

namespace tern {
namespace {

void SetDuration(const StatDuration& from, inference::StatisticDuration* to) {
  to->set_count(from.count);
  to->set_ns(from.ns);
}

void FillStatistics(const V2ModelStatistics& m, inference::ModelStatistics* out) {
  const VersionStatistics& s = m.stats;
  out->set_name(m.name);
  out->set_version(std::to_string(m.version));
  out->set_last_inference(s.last_inference_ms);
  out->set_inference_count(s.inference_count);
  out->set_execution_count(s.execution_count);
  auto* stats = out->mutable_inference_stats();
  SetDuration(s.success, stats->mutable_success());
  SetDuration(s.fail, stats->mutable_fail());
  SetDuration(s.queue, stats->mutable_queue());
  SetDuration(s.compute_input, stats->mutable_compute_input());
  SetDuration(s.compute_infer, stats->mutable_compute_infer());
  SetDuration(s.compute_output, stats->mutable_compute_output());
  stats->mutable_cache_hit();
  stats->mutable_cache_miss();
  for (const auto& [size, b] : s.batch_stats) {
    auto* batch = out->add_batch_stats();
    batch->set_batch_size(static_cast<uint64_t>(size));
    SetDuration(b.compute_input, batch->mutable_compute_input());
    SetDuration(b.compute_infer, batch->mutable_compute_infer());
    SetDuration(b.compute_output, batch->mutable_compute_output());
  }
}

}  // namespace

grpc::Status GrpcInferenceService::ModelStatistics(grpc::ServerContext* context,
                                                   const inference::ModelStatisticsRequest* request,
                                                   inference::ModelStatisticsResponse* response) {
  auto run = [&]() -> Status {
    TERN_RETURN_IF_ERROR(Admit(gate_, "ModelStatistics", context));
    TERN_ASSIGN_OR_RETURN(auto stats,
                          service_->ModelStatistics(request->name(), request->version()));
    for (const auto& m : stats) FillStatistics(m, response->add_model_stats());
    return Status::Ok();
  };
  return ToGrpcStatus(run());
}

grpc::Status GrpcInferenceService::RepositoryIndex(grpc::ServerContext* context,
                                                   const inference::RepositoryIndexRequest* request,
                                                   inference::RepositoryIndexResponse* response) {
  auto run = [&]() -> Status {
    TERN_RETURN_IF_ERROR(Admit(gate_, "RepositoryIndex", context));
    TERN_ASSIGN_OR_RETURN(auto entries,
                          service_->RepositoryIndex(request->repository_name(), request->ready()));
    for (const auto& e : entries) {
      auto* model = response->add_models();
      model->set_name(e.name);
      if (e.version) model->set_version(std::to_string(*e.version));
      model->set_state(e.state);
      model->set_reason(e.reason);
    }
    return Status::Ok();
  };
  return ToGrpcStatus(run());
}

grpc::Status GrpcInferenceService::RepositoryModelLoad(
    grpc::ServerContext* context, const inference::RepositoryModelLoadRequest* request,
    inference::RepositoryModelLoadResponse*) {
  auto run = [&]() -> Status {
    TERN_RETURN_IF_ERROR(Admit(gate_, "RepositoryModelLoad", context));
    std::optional<std::string> config;
    bool files = false;
    for (const auto& [key, value] : request->parameters()) {
      if (key == "config") {
        if (value.parameter_choice_case() != inference::ModelRepositoryParameter::kStringParam) {
          return InvalidArgument(
              "parameter 'config' must be a string_param holding the model config as JSON");
        }
        config = value.string_param();
      } else if (key.rfind("file:", 0) == 0) {
        files = true;
      }
    }
    return service_->RepositoryLoad(request->repository_name(), request->model_name(), config,
                                    files);
  };
  return ToGrpcStatus(run());
}

grpc::Status GrpcInferenceService::RepositoryModelUnload(
    grpc::ServerContext* context, const inference::RepositoryModelUnloadRequest* request,
    inference::RepositoryModelUnloadResponse*) {
  auto run = [&]() -> Status {
    TERN_RETURN_IF_ERROR(Admit(gate_, "RepositoryModelUnload", context));
    return service_->RepositoryUnload(request->repository_name(), request->model_name());
  };
  return ToGrpcStatus(run());
}

}  // namespace tern
