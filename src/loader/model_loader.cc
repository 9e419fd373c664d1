#include "loader/model_loader.h"

#include "runtime/tensorflow/tensorflow_runtime.h"

namespace tern {

StatusOr<LoadedModel> LoadServableModel(const std::string& export_dir, RuntimeChoice choice,
                                        const SavedModelLoadOptions& options) {
  LoadedModel out;
  if (choice == RuntimeChoice::kTensorflow) {
    TERN_ASSIGN_OR_RETURN(out.model, LoadTensorflowSavedModel(export_dir, options.tags));
    out.reason = "runtime: tensorflow";
    return out;
  }
  auto own = SavedModel::Load(export_dir, options);
  if (own.ok()) {
    out.model = std::move(*own);
    out.reason = choice == RuntimeChoice::kTern ? "runtime: tern" : "auto: Tern has every op";
    return out;
  }
  if (choice == RuntimeChoice::kTern || !IsUnsupportedOpsError(own.status())) return own.status();
  if (Status available = TensorflowAvailable(); !available.ok()) {
    return Status(own.status().code(), own.status().message() +
                                           "; the TensorFlow runtime would serve it, but " +
                                           available.message());
  }
  auto theirs = LoadTensorflowSavedModel(export_dir, options.tags);
  if (!theirs.ok()) {
    // Both messages: Tern's names every missing op, TensorFlow's says why it could not help
    // (e.g. a custom op whose library was not loaded).
    return Status(own.status().code(),
                  own.status().message() +
                      "; the TensorFlow runtime failed too: " + theirs.status().message());
  }
  out.model = std::move(*theirs);
  // The ops Tern lacks, without the path the load error appends.
  std::string missing = own.status().message();
  if (auto cut = missing.find(" (SavedModel '"); cut != std::string::npos) missing.resize(cut);
  out.reason = "auto: " + missing;
  return out;
}

}  // namespace tern
