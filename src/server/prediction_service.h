// PredictionService: what every front end (REST, gRPC, later KServe v2) calls, free of any
// transport. Resolves model/version/signature, runs the signature, reports model status.
// Holds non-owning pointers to the ModelManager and (when batching is on) the SignatureBatcher,
// which must outlive it. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "batching/signature_batcher.h"
#include "loader/model_manager.h"

namespace tern {

struct ModelRef {
  std::string name;
  std::optional<int64_t> version;  // empty: the latest available version
};

class PredictionService {
 public:
  // batcher: null runs every request alone.
  explicit PredictionService(ModelManager* manager, SignatureBatcher* batcher = nullptr)
      : manager_(manager), batcher_(batcher) {}

  StatusOr<ServableHandle> GetServable(const ModelRef& ref) const;

  // "" means "serving_default", as in TF Serving.
  static StatusOr<const Signature*> GetSignature(const ServableHandle& servable,
                                                 const std::string& signature_name);

  StatusOr<std::map<std::string, Tensor>> Predict(const ServableHandle& servable,
                                                  const Signature& signature,
                                                  const std::map<std::string, Tensor>& inputs,
                                                  const std::vector<std::string>& output_filter,
                                                  const RunOptions& options) const;

  StatusOr<std::vector<VersionStatus>> GetModelStatus(const ModelRef& ref) const;

 private:
  ModelManager* manager_;
  SignatureBatcher* batcher_;
};

}  // namespace tern
