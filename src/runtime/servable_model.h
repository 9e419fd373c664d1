// ServableModel: what the loader and the server need of a loaded SavedModel, whichever runtime
// runs it (Tern's own, saved_model/saved_model.h, or TensorFlow's through its C API,
// tensorflow/). The signatures come from the MetaGraphDef the same way for both, so metadata,
// input checks and error messages do not depend on the runtime. Immutable after load;
// RunSignature is thread-safe.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "runtime/kernel.h"
#include "runtime/tensor.h"
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

// The MetaGraphDef's serving signatures (the init-op pseudo signature left out).
std::map<std::string, Signature> SignaturesOf(const tensorflow::MetaGraphDef& meta_graph);

class ServableModel {
 public:
  virtual ~ServableModel() = default;

  // "tern" or "tensorflow": which runtime runs the model (logs, status, metrics).
  virtual const char* runtime_name() const = 0;

  const std::string& export_dir() const { return export_dir_; }
  // The graph itself may have been moved out (into the session); signatures and collections stay.
  const tensorflow::MetaGraphDef& meta_graph() const { return meta_graph_; }
  const std::map<std::string, Signature>& signatures() const { return signatures_; }
  // NOT_FOUND naming the signature and the ones that exist.
  StatusOr<const Signature*> FindSignature(const std::string& name) const;

  // Runs `signature_name` on inputs keyed by the signature's input names. With a non-empty
  // output_filter only those outputs are computed and returned.
  virtual StatusOr<std::map<std::string, Tensor>> RunSignature(
      const std::string& signature_name, const std::map<std::string, Tensor>& inputs,
      const std::vector<std::string>& output_filter, const RunOptions& options) const = 0;

 protected:
  // A request checked against its signature: feeds by tensor name, and the fetches in the order
  // of `keys` (the output names the answer carries).
  struct SignatureCall {
    std::vector<std::pair<std::string, Tensor>> feeds;
    std::vector<std::string> keys;
    std::vector<std::string> fetches;
  };
  // INVALID_ARGUMENT for an unknown or missing input, a wrong dtype or an unknown output.
  StatusOr<SignatureCall> PrepareCall(const std::string& signature_name,
                                      const std::map<std::string, Tensor>& inputs,
                                      const std::vector<std::string>& output_filter) const;

  std::string export_dir_;
  tensorflow::MetaGraphDef meta_graph_;
  std::map<std::string, Signature> signatures_;
};

}  // namespace tern
