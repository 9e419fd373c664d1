// A loaded model version. Requests hold it through a shared_ptr handle; it is freed when the
// last handle goes, so an unload never waits on a request and never pulls a model from under one.
// Immutable after construction; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "loader/instance_pool.h"
#include "runtime/saved_model/saved_model.h"

namespace tern {

struct ServableVersion {
  std::string model_name;
  int64_t version = 0;
  std::string path;
  std::unique_ptr<SavedModel> model;
  // The model's executor lanes and activity clock, shared by all its versions.
  std::shared_ptr<InstancePool> instances;
  // Estimated from the version's files (weights and graph constants); drives the memory budget.
  int64_t memory_estimate_bytes = 0;
};

using ServableHandle = std::shared_ptr<const ServableVersion>;

}  // namespace tern
