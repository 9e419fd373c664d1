#include "server/core/inference_core.h"

#include <chrono>

namespace tern {

StatusOr<ServableHandle> InferenceCore::GetServable(const ModelRef& ref) const {
  if (ref.name.empty()) return InvalidArgument("model name is empty");
  if (ref.label) return manager_->GetHandleByLabel(ref.name, *ref.label, ref.deadline);
  return manager_->GetHandle(ref.name, ref.version, ref.deadline);
}

StatusOr<const Signature*> InferenceCore::GetSignature(const ServableHandle& servable,
                                                       const std::string& signature_name) {
  return servable->model->FindSignature(signature_name.empty() ? "serving_default"
                                                               : signature_name);
}

StatusOr<std::map<std::string, Tensor>> InferenceCore::Predict(
    const ServableHandle& servable, const Signature& signature,
    const std::map<std::string, Tensor>& inputs, const std::vector<std::string>& output_filter,
    const RunOptions& options) const {
  InstancePool::Lease lease;
  if (batcher_ == nullptr && servable->instances) {
    TERN_ASSIGN_OR_RETURN(lease, servable->instances->Acquire(options.deadline));
  }
  const auto start = std::chrono::steady_clock::now();
  auto outputs =
      batcher_ != nullptr
          ? batcher_->Run({servable->model.get(), servable, servable->model_name, servable->version,
                           signature.name, inputs, output_filter, options})
          : servable->model->RunSignature(signature.name, inputs, output_filter, options);
  if (metrics_) {
    metrics_->RecordCompute(
        servable->model_name, std::to_string(servable->version),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return outputs;
}

void InferenceCore::PredictAsync(const ServableHandle& servable, const Signature& signature,
                                 std::map<std::string, Tensor> inputs,
                                 std::vector<std::string> output_filter, const RunOptions& options,
                                 PredictDone done) const {
  if (batcher_ == nullptr) {
    if (compute_pool_ == nullptr) {
      return done(Predict(servable, signature, inputs, output_filter, options));
    }
    // The servable handle keeps the model (and so `signature`) alive until the run is over.
    compute_pool_->Schedule([this, servable, &signature, inputs = std::move(inputs),
                             output_filter = std::move(output_filter), options,
                             done = std::move(done)] {
      done(Predict(servable, signature, inputs, output_filter, options));
    });
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  batcher_->RunAsync(
      {servable->model.get(), servable, servable->model_name, servable->version, signature.name,
       std::move(inputs), std::move(output_filter), options},
      [metrics = metrics_, name = servable->model_name, version = servable->version, start,
       done = std::move(done)](StatusOr<SignatureOutputs> outputs) {
        if (metrics) {
          metrics->RecordCompute(
              name, std::to_string(version),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
        done(std::move(outputs));
      });
}

StatusOr<const BatchingOptions*> InferenceCore::BatchingOptionsFor(
    const ServableHandle& servable) const {
  if (batcher_ == nullptr) return static_cast<const BatchingOptions*>(nullptr);
  return batcher_->OptionsFor(*servable->model);
}

StatusOr<std::vector<VersionStatus>> InferenceCore::GetModelStatus(const ModelRef& ref) const {
  TERN_ASSIGN_OR_RETURN(auto statuses, manager_->GetStatus(ref.name));
  std::optional<int64_t> version = ref.version;
  if (ref.label) {
    TERN_ASSIGN_OR_RETURN(version, manager_->ResolveLabel(ref.name, *ref.label));
  }
  if (!version) return statuses;
  for (const auto& s : statuses) {
    if (s.version == *version) return std::vector<VersionStatus>{s};
  }
  return NotFound("Could not find version " + std::to_string(*version) + " of model " + ref.name);
}

}  // namespace tern
