// SavedModel: a loaded SavedModel directory, ready to run its signatures on Tern's own runtime.
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
#include "runtime/servable_model.h"
#include "runtime/session.h"
#include "tf/meta_graph.pb.h"

namespace tern {

struct SavedModelLoadOptions {
  std::vector<std::string> tags = {"serve"};
};

// True for Load's failure when the graph uses ops Tern has no kernel for (the error lists them
// all): the one failure another runtime may cure (loader/model_loader.h's `auto`).
bool IsUnsupportedOpsError(const Status& status);

class SavedModel : public ServableModel {
 public:
  static StatusOr<std::unique_ptr<SavedModel>> Load(const std::string& export_dir,
                                                    const SavedModelLoadOptions& options);

  const char* runtime_name() const override { return "tern"; }

  StatusOr<std::map<std::string, Tensor>> RunSignature(
      const std::string& signature_name, const std::map<std::string, Tensor>& inputs,
      const std::vector<std::string>& output_filter, const RunOptions& options) const override;

 private:
  SavedModel() = default;
  Status Restore(const std::vector<BoundVariable>& bound_variables);
  Status RunInitOp();
  Status BuildSignatures();

  std::unique_ptr<Session> session_;
};

}  // namespace tern
