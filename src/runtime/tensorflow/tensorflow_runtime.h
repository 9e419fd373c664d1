// The optional TensorFlow runtime: SavedModels that Tern's own runtime cannot run (ops it lacks,
// custom ops such as TF Text's) are run by TensorFlow's C API, loaded with dlopen from a
// tensorflow wheel at run time, so the tern binary has no link-time dependency on TensorFlow
// and runs without it. This header needs no TensorFlow headers; the build without them (no
// TERN_HAVE_TF_C_API) answers every call with "built without TensorFlow C API headers".
// Process-wide; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/servable_model.h"

namespace tern {

struct TensorflowOptions {
  // --tensorflow_library: libtensorflow_cc.so.2, or the directory holding it (the wheel's
  // tensorflow/ package). Empty: discover a Python environment with tensorflow.
  std::string library;
  // TensorFlow's session thread pools (ConfigProto); 0 lets TensorFlow choose.
  int intra_op_threads = 0;
  int inter_op_threads = 0;
};

// Sets the options; takes effect if called before the library is first needed.
void ConfigureTensorflow(const TensorflowOptions& options);

// OK once TensorFlow's library is loaded (loading it on the first call); otherwise why it is not
// available (no headers at build time, no wheel found, dlopen failed). The answer is cached.
Status TensorflowAvailable();

// "TensorFlow 2.21.0 (<directory>)" once available, else empty.
std::string TensorflowDescription();

// TF_LoadLibrary on each (custom ops and kernels, e.g. TF Text's .so files), before any model
// is loaded. FAILED_PRECONDITION when TensorFlow is not available; the library's own error else.
Status LoadCustomOpLibraries(const std::vector<std::string>& paths);

// Loads the SavedModel with TF_LoadSessionFromSavedModel. Signatures and metadata come from the
// MetaGraphDef TensorFlow returns, read by the same code as Tern's runtime.
StatusOr<std::unique_ptr<ServableModel>> LoadTensorflowSavedModel(
    const std::string& export_dir, const std::vector<std::string>& tags);

}  // namespace tern
