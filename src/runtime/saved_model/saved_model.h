// SavedModel: a loaded SavedModel directory, ready to run its signatures.
// Load restores the variables, runs the init op (tables, assets) and builds a plan for every
// signature, so anything that can fail fails at load. Immutable after Load; RunSignature is
// thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/saved_model/object_graph_restore.h"
#include "runtime/session.h"
#include "tf/meta_graph.pb.h"

namespace tern {

struct SignatureTensor {
  std::string tensor_name;  // "x:0"
  DataType dtype = tensorflow::DT_INVALID;
  std::vector<int64_t> dims;  // -1 for unknown; empty with unknown_rank for no information
  bool unknown_rank = false;
};

struct Signature {
  std::string name;
  std::string method_name;  // tensorflow/serving/predict, .../classify, .../regress
  std::map<std::string, SignatureTensor> inputs;
  std::map<std::string, SignatureTensor> outputs;
};

struct SavedModelLoadOptions {
  std::vector<std::string> tags = {"serve"};
};

class SavedModel {
 public:
  static StatusOr<std::unique_ptr<SavedModel>> Load(const std::string& export_dir,
                                                    const SavedModelLoadOptions& options);

  const std::string& export_dir() const { return export_dir_; }
  const tensorflow::MetaGraphDef& meta_graph() const { return meta_graph_; }
  // Serving signatures (the init-op pseudo signature is left out).
  const std::map<std::string, Signature>& signatures() const { return signatures_; }
  // NOT_FOUND naming the signature and the ones that exist.
  StatusOr<const Signature*> FindSignature(const std::string& name) const;

  // Runs `signature_name` on inputs keyed by the signature's input names. With a non-empty
  // output_filter only those outputs are computed and returned.
  StatusOr<std::map<std::string, Tensor>> RunSignature(
      const std::string& signature_name, const std::map<std::string, Tensor>& inputs,
      const std::vector<std::string>& output_filter, const RunOptions& options) const;

 private:
  SavedModel() = default;
  Status Restore(const std::vector<BoundVariable>& bound_variables);
  Status RunInitOp();
  Status BuildSignatures();

  std::string export_dir_;
  tensorflow::MetaGraphDef meta_graph_;
  std::unique_ptr<Session> session_;
  std::map<std::string, Signature> signatures_;
};

}  // namespace tern
