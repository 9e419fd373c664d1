// TensorflowSavedModel: a SavedModel loaded into a TensorFlow session through the C API.
// Owns the TF_Session and TF_Graph; closed and freed with the model. Immutable after Load;
// RunSignature is thread-safe (TF_SessionRun is). Only compiled with TensorFlow's C headers.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/servable_model.h"
#include "runtime/tensorflow/tensorflow_library.h"

namespace tern {

class TensorflowSavedModel : public ServableModel {
 public:
  static StatusOr<std::unique_ptr<TensorflowSavedModel>> Load(const std::string& export_dir,
                                                              const std::vector<std::string>& tags);
  ~TensorflowSavedModel() override;

  const char* runtime_name() const override { return "tensorflow"; }

  StatusOr<std::map<std::string, Tensor>> RunSignature(
      const std::string& signature_name, const std::map<std::string, Tensor>& inputs,
      const std::vector<std::string>& output_filter, const RunOptions& options) const override;

 private:
  explicit TensorflowSavedModel(const TfApi* api) : api_(api) {}
  // The graph's endpoint for "node:index", resolved at load for every signature tensor.
  StatusOr<TF_Output> Endpoint(const std::string& tensor_name) const;
  Status ResolveSignatures();

  const TfApi* api_;
  TF_Graph* graph_ = nullptr;
  TF_Session* session_ = nullptr;
  std::map<std::string, TF_Output> endpoints_;
};

}  // namespace tern
