// The TensorFlow runtime of a build without TensorFlow's C API headers: every call says so.
#include "runtime/tensorflow/tensorflow_runtime.h"

namespace tern {
namespace {

Status NotBuilt() {
  return FailedPrecondition(
      "TensorFlow is not available: this Tern was built without TensorFlow C API headers "
      "(configure with the tensorflow wheel installed in .venv, or "
      "-DTERN_TENSORFLOW_INCLUDE_DIR=<site-packages>/tensorflow/include)");
}

}  // namespace

void ConfigureTensorflow(const TensorflowOptions&) {}
Status TensorflowAvailable() { return NotBuilt(); }
std::string TensorflowDescription() { return ""; }
Status LoadCustomOpLibraries(const std::vector<std::string>& paths) {
  return paths.empty() ? Status::Ok() : NotBuilt();
}
StatusOr<std::unique_ptr<ServableModel>> LoadTensorflowSavedModel(const std::string&,
                                                                  const std::vector<std::string>&) {
  return NotBuilt();
}

}  // namespace tern
