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
  int64_t num_versions = 1;    // kLatest
  std::set<int64_t> versions;  // kSpecific
  bool operator==(const VersionPolicy&) const = default;
};

// Which runtime runs a model's versions (docs/tensorflow_runtime.md).
enum class RuntimeChoice { kAuto, kTern, kTensorflow };
const char* RuntimeChoiceName(RuntimeChoice choice);
// "auto", "tern" or "tensorflow" (empty: auto); INVALID_ARGUMENT naming them otherwise.
StatusOr<RuntimeChoice> ParseRuntimeChoice(const std::string& text);

struct ServedModelConfig {
  std::string name;
  std::string base_path;
  VersionPolicy policy;
  std::map<std::string, int64_t> version_labels;
  // Tern's scale 0..N fields (see model_server_config.proto). The defaults are TF Serving's
  // behaviour: always loaded, no limit on parallel runs.
  int32_t min_instances = 1;        // 0: load on the first request; else always loaded
  int32_t max_instances = 0;        // parallel runs of the model; 0: no limit
  int64_t idle_unload_seconds = 0;  // min_instances 0 only; 0: never unload for idleness
  RuntimeChoice runtime = RuntimeChoice::kAuto;
  bool operator==(const ServedModelConfig&) const = default;
};

// The versions the policy picks out of those present on disk.
std::set<int64_t> AspiredVersions(const VersionPolicy& policy, const std::set<int64_t>& on_disk);

// Validates and converts. INVALID_ARGUMENT naming the model and field for: custom_model_config,
// an empty or duplicate name, an empty base_path, a platform other than tensorflow, an empty
// `specific` policy, a non-positive version or label value, a negative or out-of-range
// min_instances, max_instances or idle_unload_seconds, a runtime other than auto, tern or
// tensorflow.
StatusOr<std::vector<ServedModelConfig>> ModelConfigsFromProto(
    const tensorflow::serving::ModelServerConfig& config);

// The single model of --model_name/--model_base_path (and Tern's scale flags), validated as a
// config file entry would be.
struct SingleModelOptions {
  std::string name;
  std::string base_path;
  int32_t min_instances = 1;
  int32_t max_instances = 0;
  int64_t idle_unload_seconds = 0;
  std::string runtime;  // --runtime
};
StatusOr<ServedModelConfig> SingleModelConfig(const SingleModelOptions& options);

// Parses the text-format file (errors carry the line and column) and validates it.
StatusOr<std::vector<ServedModelConfig>> ReadModelConfigFile(const std::string& path);
StatusOr<std::vector<ServedModelConfig>> ParseModelConfigText(const std::string& text,
                                                              const std::string& source_name);

}  // namespace tern
