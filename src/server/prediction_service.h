// PredictionService: what every front end (REST, gRPC, later KServe v2) calls, free of any
// transport. Resolves model/version/signature, runs the signature, reports model status.
// Holds a non-owning pointer to the ModelManager, which must outlive it. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "loader/model_manager.h"

namespace tern {

struct ModelRef {
  std::string name;
  std::optional<int64_t> version;  // empty: the latest available version
  std::optional<std::string> label;  // a version_labels entry; exclusive with version
};

class PredictionService {
 public:
  explicit PredictionService(ModelManager* manager) : manager_(manager) {}

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
};

}  // namespace tern
