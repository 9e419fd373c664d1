// A loaded model version. Requests hold it through a shared_ptr handle; it is freed when the
// last handle goes, so an unload never waits on a request and never pulls a model from under one.
// Immutable after construction; thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "loader/instance_pool.h"
#include "runtime/memory_account.h"
#include "runtime/servable_model.h"

namespace tern {

struct ServableVersion {
  std::string model_name;
  int64_t version = 0;
  std::string path;
  std::unique_ptr<ServableModel> model;  // Tern's runtime or TensorFlow's
  // Why model->runtime_name() runs it (loader/model_loader.h): logs, status and metrics say so.
  std::string runtime_reason;
  // The model's executor lanes and activity clock, shared by all its versions.
  std::shared_ptr<InstancePool> instances;
  // The tensors the version holds (weights, constants, tables), charged to this account while
  // it loaded (and to the process budget, like every request's).
  std::shared_ptr<const RunMemory> memory;
  // Its files' size (saved_model.pb and variable shards), estimated before the load.
  int64_t file_estimate_bytes = 0;
  // What the model budget counts: the tensors, or the file estimate when larger, since that
  // also stands for the graph and plan that small models mostly consist of.
  int64_t memory_bytes() const {
    return std::max(file_estimate_bytes, memory != nullptr ? memory->in_use_bytes() : 0);
  }
};

using ServableHandle = std::shared_ptr<const ServableVersion>;

}  // namespace tern
