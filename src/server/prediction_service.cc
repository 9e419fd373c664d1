#include "server/prediction_service.h"

namespace tern {

StatusOr<ServableHandle> PredictionService::GetServable(const ModelRef& ref) const {
  if (ref.name.empty()) return InvalidArgument("model name is empty");
  return manager_->GetHandle(ref.name, ref.version);
}

StatusOr<const Signature*> PredictionService::GetSignature(const ServableHandle& servable,
                                                           const std::string& signature_name) {
  return servable->model->FindSignature(signature_name.empty() ? "serving_default"
                                                               : signature_name);
}

StatusOr<std::map<std::string, Tensor>> PredictionService::Predict(
    const ServableHandle& servable, const Signature& signature,
    const std::map<std::string, Tensor>& inputs, const std::vector<std::string>& output_filter,
    const RunOptions& options) const {
  if (batcher_ != nullptr) {
    return batcher_->Run({servable->model.get(), servable, servable->model_name, servable->version,
                          signature.name, inputs, output_filter, options});
  }
  return servable->model->RunSignature(signature.name, inputs, output_filter, options);
}

StatusOr<std::vector<VersionStatus>> PredictionService::GetModelStatus(const ModelRef& ref) const {
  ASSIGN_OR_RETURN(auto statuses, manager_->GetStatus(ref.name));
  if (!ref.version) return statuses;
  for (const auto& s : statuses) {
    if (s.version == *ref.version) return std::vector<VersionStatus>{s};
  }
  return NotFound("Could not find version " + std::to_string(*ref.version) + " of model " +
                  ref.name);
}

}  // namespace tern
