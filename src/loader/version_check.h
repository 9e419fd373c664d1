// Decides whether a version directory is completely written, so a half-copied export is never
// loaded: saved_model.pb parses, and when the export has variables, the index and every shard
// it names are present with matching checksums. Reads files only; thread-safe.
#pragma once

#include <string>

#include "common/status.h"

namespace tern {

// OK when complete. Otherwise the error says what is missing or corrupt, naming the file.
Status CheckVersionComplete(const std::string& version_dir);

}  // namespace tern
