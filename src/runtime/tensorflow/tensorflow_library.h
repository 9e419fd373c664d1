// The TensorFlow C API functions Tern uses, resolved once from libtensorflow_cc.so.2 (dlopen
// with RTLD_DEEPBIND: TensorFlow carries its own protobuf and absl, and without it their
// symbols bind to Debian's libprotobuf already in the process and the load crashes; see
// docs/tensorflow_runtime.md). Only compiled with TensorFlow's C headers. Process-wide; the
// table is immutable once loaded and safe to share between threads.
#pragma once

#include "common/status.h"
#include "runtime/tensorflow/tensorflow_runtime.h"
#include "tensorflow/c/c_api.h"
#include "tensorflow/c/tf_tstring.h"

namespace tern {

// clang-format does not settle on this list.
// clang-format off
#define TERN_TF_FUNCTIONS(X) \
  X(TF_Version) X(TF_NewStatus) X(TF_DeleteStatus) X(TF_GetCode) X(TF_Message) \
  X(TF_NewGraph) X(TF_DeleteGraph) X(TF_NewSessionOptions) X(TF_DeleteSessionOptions) \
  X(TF_SetConfig) X(TF_NewBuffer) X(TF_NewBufferFromString) X(TF_DeleteBuffer) \
  X(TF_LoadSessionFromSavedModel) X(TF_CloseSession) X(TF_DeleteSession) X(TF_SessionRun) \
  X(TF_GraphOperationByName) X(TF_OperationNumOutputs) X(TF_NewTensor) \
  X(TF_AllocateTensor) X(TF_DeleteTensor) X(TF_TensorData) X(TF_TensorByteSize) \
  X(TF_TensorType) X(TF_NumDims) X(TF_Dim) X(TF_LoadLibrary) X(TF_StringInit) \
  X(TF_StringCopy) X(TF_StringGetDataPointer) X(TF_StringGetSize) X(TF_StringDealloc)
// clang-format on

struct TfApi {
#define TERN_TF_MEMBER(name) decltype(&::name) name = nullptr;
  TERN_TF_FUNCTIONS(TERN_TF_MEMBER)
#undef TERN_TF_MEMBER
};

// The loaded table, or why TensorFlow is not available (cached after the first call).
StatusOr<const TfApi*> TensorflowApi();

// The options ConfigureTensorflow last set.
TensorflowOptions CurrentTensorflowOptions();

// A TF_Status's code and message as a Status, with `context` in front.
Status FromTfStatus(const TfApi& api, TF_Status* status, const std::string& context);

}  // namespace tern
