// What the loader serves: one entry per model (name, base path, version policy, labels), read
// from flags or from TF Serving's text-format ModelServerConfig. Pure functions over values;
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "serving/model_server_config.pb.h"

namespace tern {

// TF Serving's ServableVersionPolicy: which of the versions on disk should be served.
struct VersionPolicy {
  enum class Kind { kLatest, kAll, kSpecific };
  Kind kind = Kind::kLatest;
  int64_t num_versions = 1;       // kLatest
  std::set<int64_t> versions;     // kSpecific
  bool operator==(const VersionPolicy&) const = default;
};

struct ServedModelConfig {
  std::string name;
  std::string base_path;
  VersionPolicy policy;
  std::map<std::string, int64_t> version_labels;
  bool operator==(const ServedModelConfig&) const = default;
};

// The versions the policy picks out of those present on disk.
std::set<int64_t> AspiredVersions(const VersionPolicy& policy, const std::set<int64_t>& on_disk);

// Validates and converts. INVALID_ARGUMENT naming the model and field for: custom_model_config,
// an empty or duplicate name, an empty base_path, a platform other than tensorflow, an empty
// `specific` policy, a non-positive version or label value.
StatusOr<std::vector<ServedModelConfig>> ModelConfigsFromProto(
    const tensorflow::serving::ModelServerConfig& config);

// Parses the text-format file (errors carry the line and column) and validates it.
StatusOr<std::vector<ServedModelConfig>> ReadModelConfigFile(const std::string& path);
StatusOr<std::vector<ServedModelConfig>> ParseModelConfigText(const std::string& text,
                                                              const std::string& source_name);

}  // namespace tern
