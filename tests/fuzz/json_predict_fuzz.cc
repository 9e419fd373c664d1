// Fuzz target: a REST predict body (TF Serving's row and columnar JSON) through
// ParsePredictRequest, as the REST API parses it (simdjson fast path, then the DOM path). The
// request's signature_name picks one of a few signatures covering every dtype JSON carries, known
// and unknown dims and several inputs, so the fuzzer reaches each conversion. Any Status is fine;
// a crash, leak or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_memory.h"
#include "server/codec/json_tensor.h"

namespace {

using tern::SignatureInputSpecs;
using tern::StatusOr;
using tern::TensorSpec;

SignatureInputSpecs SpecsFor(const std::string& signature_name) {
  if (signature_name == "serving_default" || signature_name.empty()) {
    return {{"x", TensorSpec{tensorflow::DT_FLOAT, {-1, 3}, false}}};
  }
  if (signature_name == "multi") {
    return {{"a", TensorSpec{tensorflow::DT_INT64, {-1}, false}},
            {"b", TensorSpec{tensorflow::DT_STRING, {-1, 2}, false}},
            {"c", TensorSpec{tensorflow::DT_BOOL, {}, true}}};
  }
  if (signature_name == "bytes") return {{"s_bytes", TensorSpec{tensorflow::DT_STRING, {}, true}}};
  // Any other name: one unknown-rank input of a dtype picked by the name's length, so every
  // dtype JSON can carry (and one it cannot) is reachable.
  static const tensorflow::DataType kDtypes[] = {
      tensorflow::DT_FLOAT, tensorflow::DT_DOUBLE, tensorflow::DT_HALF,     tensorflow::DT_BFLOAT16,
      tensorflow::DT_INT8,  tensorflow::DT_UINT8,  tensorflow::DT_INT16,    tensorflow::DT_UINT16,
      tensorflow::DT_INT32, tensorflow::DT_UINT32, tensorflow::DT_INT64,    tensorflow::DT_UINT64,
      tensorflow::DT_BOOL,  tensorflow::DT_STRING, tensorflow::DT_COMPLEX64};
  const auto dtype = kDtypes[signature_name.size() % std::size(kDtypes)];
  return {{"in", TensorSpec{dtype, {}, true}}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tern::fuzz::LimitTensorMemory();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed =
      tern::ParsePredictRequest(body, [](const std::string& name) -> StatusOr<SignatureInputSpecs> {
        if (name == "missing") return tern::NotFound("no signature " + name);
        return SpecsFor(name);
      });
  if (parsed.ok()) {
    // The answer side too: what the server would write back from these tensors.
    (void)tern::WritePredictResponse(parsed->inputs, parsed->format);
  }
  return 0;
}
