// Loads one version directory with the runtime its config asks for (docs/tensorflow_runtime.md):
// `tern`: Tern's own runtime; `tensorflow`: TensorFlow's through its C API; `auto`: Tern's when
// it has every op the graph uses, else TensorFlow's when its library is available, else Tern's
// unsupported-ops error (naming the ops), with TensorFlow's own error appended when it was tried
// and failed too. Only that one failure falls through to TensorFlow: any other error of Tern's
// runtime is the answer. Stateless; thread-safe.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "loader/model_config.h"
#include "runtime/saved_model/saved_model.h"

namespace tern {

struct LoadedModel {
  std::unique_ptr<ServableModel> model;
  // Why this runtime: "runtime: tern", "auto: Tern has every op", "auto: unsupported ops: ...".
  std::string reason;
};

StatusOr<LoadedModel> LoadServableModel(const std::string& export_dir, RuntimeChoice choice,
                                        const SavedModelLoadOptions& options);

}  // namespace tern
