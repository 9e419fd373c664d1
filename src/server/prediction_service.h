// PredictionService: what every front end (REST, gRPC, later KServe v2) calls, free of any
// transport. Resolves model/version/signature, runs the signature, reports model status.
// Holds non-owning pointers to the ModelManager, the Metrics (nullable: no compute timing) and
// (when batching is on) the SignatureBatcher,
// which must outlive it. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "batching/signature_batcher.h"
#include "loader/model_manager.h"

namespace tern {

struct ModelRef {
  std::string name;
  std::optional<int64_t> version;  // empty: the latest available version
  std::optional<std::string> label;  // a version_labels entry; exclusive with version
  // Bounds the wait for a model at zero instances to load (with --model_load_wait_timeout_ms).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

class PredictionService {
 public:
  // metrics: null records no compute time; batcher: null runs every request alone.
  PredictionService(ModelManager* manager, Metrics* metrics, SignatureBatcher* batcher = nullptr)
      : manager_(manager), metrics_(metrics), batcher_(batcher) {}

  // A model at zero instances is loaded first (see ModelManager::GetHandle).
  StatusOr<ServableHandle> GetServable(const ModelRef& ref) const;

  // "" means "serving_default", as in TF Serving.
  static StatusOr<const Signature*> GetSignature(const ServableHandle& servable,
                                                 const std::string& signature_name);

  // Without batching, the run takes one of the model's instances (max_instances) first; with
  // batching, the batcher's threads bound parallel runs instead.
  StatusOr<std::map<std::string, Tensor>> Predict(const ServableHandle& servable,
                                                  const Signature& signature,
                                                  const std::map<std::string, Tensor>& inputs,
                                                  const std::vector<std::string>& output_filter,
                                                  const RunOptions& options) const;

  StatusOr<std::vector<VersionStatus>> GetModelStatus(const ModelRef& ref) const;

  std::vector<std::string> ModelNames() const { return manager_->ModelNames(); }

 private:
  ModelManager* manager_;
  Metrics* metrics_;
  SignatureBatcher* batcher_;
};

}  // namespace tern
