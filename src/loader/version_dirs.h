// Lists the version directories under a model's base path: positive integer names
// (leading zeros allowed, as TF Serving's test models use).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"

namespace tern {

// version -> directory path. NOT_FOUND when base_path does not exist.
StatusOr<std::map<int64_t, std::string>> ListVersionDirs(const std::string& base_path);

}  // namespace tern
