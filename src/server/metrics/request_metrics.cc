#include "server/metrics/request_metrics.h"

namespace tern {

std::unique_ptr<RequestMetrics> RequestMetrics::Create(Options options) {
  return std::unique_ptr<RequestMetrics>(new RequestMetrics(options));
}

std::string RequestMetrics::ModelLabel(std::string_view model) const {
  if (model.empty()) return "";
  if (!options_.manager->GetStatus(std::string(model)).ok()) return std::string(kUnknownModel);
  return std::string(model);
}

std::string RequestMetrics::VersionLabel(std::string_view model,
                                         std::optional<int64_t> requested_version) const {
  if (model.empty()) return "";
  // The version that served (or would serve) the request; a version the manager does not have
  // gets no label, so arbitrary numbers in requests cannot create series.
  auto handle = options_.manager->PeekHandle(std::string(model), requested_version);
  if (!handle.ok()) return "";
  return std::to_string((*handle)->version);
}

RequestMetrics::Observer::Observer(const RequestMetrics* owner, std::string_view api,
                                   std::string_view method)
    : owner_(owner), api_(api), method_(method), start_(std::chrono::steady_clock::now()) {
  if (owner_) owner_->metrics()->AddInFlight(api_, 1);
}

RequestMetrics::Observer::~Observer() {
  if (owner_ && !finished_) Finish("", std::nullopt, StatusCode::kCancelled);
}

void RequestMetrics::Observer::Finish(std::string_view model,
                                      std::optional<int64_t> requested_version, StatusCode code) {
  if (!owner_ || finished_) return;
  finished_ = true;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::string model_label = owner_->ModelLabel(model);
  const std::string version_label =
      model_label == kUnknownModel ? "" : owner_->VersionLabel(model, requested_version);
  owner_->metrics()->RecordRequest({model_label, version_label, api_, method_}, code, seconds);
  owner_->metrics()->AddInFlight(api_, -1);
}

}  // namespace tern
