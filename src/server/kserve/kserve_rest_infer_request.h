// Reading a KServe v2 REST infer request (/v2/models/{m}/infer) into tensors: the JSON header,
// with tensors in 'data' or in the binary tensor extension's bytes after the header
// (Inference-Header-Content-Length), or in registered shared memory. A function of the request
// bytes (and the shared memory registry), no model and no networking: kserve_rest.cc calls it
// before running the model, tests/fuzz/kserve_infer_request_fuzz.cc fuzzes it. Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/http/rest_handler.h"
#include "server/kserve/kserve_service.h"
#include "server/kserve/shared_memory.h"

namespace tern {

// Which outputs an infer answers as binary data: those whose 'parameters' say binary_data, else
// all of them when the request's binary_data_output is true.
struct BinaryOutputs {
  bool all = false;
  std::map<std::string, bool> named;

  bool operator()(const std::string& name) const {
    auto it = named.find(name);
    return it != named.end() ? it->second : all;
  }
};

// An infer request's body: the JSON header and the binary tensor data that follows it. Views
// into the request's body.
struct InferBody {
  std::string_view header;
  std::string_view binary;
  bool raw = false;  // Inference-Header-Content-Length: 0: the whole body is one raw input
};

// Splits the body at Inference-Header-Content-Length (absent: all JSON). INVALID_ARGUMENT for a
// length that is not a number or exceeds the body.
StatusOr<InferBody> SplitInferBody(const RestRequest& request);

// A JSON infer request, its tensors read; what its answer needs besides the result.
struct ParsedInfer {
  V2InferRequest infer;
  std::string id_json;  // the request's id as JSON, or ""
  BinaryOutputs binary_outputs;
};

// Parses the JSON header and reads every input's tensor (at most `max_elements` elements each,
// refused before allocating). INVALID_ARGUMENT naming the input and what was wrong.
StatusOr<ParsedInfer> ParseInferBody(const InferBody& body, const ModelRef& ref,
                                     int64_t max_elements, const SharedMemoryRegistry& registry);

}  // namespace tern
