// A loaded model version. Requests hold it through a shared_ptr handle; it is freed when the
// last handle goes, so an unload never waits on a request and never pulls a model from under one.
// Immutable after construction; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/saved_model.h"

namespace tern {

struct ServableVersion {
  std::string model_name;
  int64_t version = 0;
  std::string path;
  std::unique_ptr<SavedModel> model;
};

using ServableHandle = std::shared_ptr<const ServableVersion>;

}  // namespace tern
