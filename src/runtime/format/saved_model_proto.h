// Reading a SavedModel directory's graph file: saved_model.pb (binary, preferred) or
// saved_model.pbtxt (text format) into a tensorflow.SavedModel proto, with no loading. Used by
// SavedModel::Load, the loader's version check and `tern inspect`. Stateless; thread-safe.
#pragma once

#include <string>

#include "common/status.h"
#include "tf/saved_model.pb.h"

namespace tern {

// NOT_FOUND when export_dir has neither file; DATA_LOSS when the file does not parse.
Status ReadSavedModelProto(const std::string& export_dir, tensorflow::SavedModel* out);

}  // namespace tern
