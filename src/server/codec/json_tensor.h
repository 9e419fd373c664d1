// JSON <-> tensor codec for TensorFlow Serving's REST API (v1 predict, classify, regress).
//
// Requests:
//   predict:           {"signature_name": "...", "instances": [...]}   (row format), or
//                      {"signature_name": "...", "inputs": ...}         (columnar format)
//   classify/regress:  {"signature_name": "...", "context": {...}, "examples": [{...}, ...]}
// Responses:
//   predict:           {"predictions": ...} for row requests, {"outputs": ...} for columnar ones
//   classify:          {"results": [[["label", score], ...], ...]}
//   regress:           {"results": [value, ...]}
//
// The request side follows TF Serving's acceptance rules (NaN/Infinity/-Infinity tokens are
// accepted as numbers, {"b64": "..."} carries bytes, ints are accepted for float inputs when
// exactly representable, a decimal for an int input is rejected, ...). Every failure is
// INVALID_ARGUMENT (UNIMPLEMENTED for a dtype JSON cannot carry) with a message that names the
// input, the instance and what was expected; parse errors give the byte offset.
//
// The response side writes the same bytes TF Serving does, including its pretty-printed layout
// (4-space indent, rows of a row-format response on one line), its float formatting (6
// significant digits when that round-trips, else max_digits10, with ".0" appended to whole
// numbers: 3.0f -> "3.0", 0.1f -> "0.1") and bare NaN / Infinity / -Infinity tokens.
//
// Thread-safety: every function here is a pure function of its arguments (no shared state) and
// may be called concurrently from any number of threads. The lookup callback given to
// ParsePredictRequest is called at most once, on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "runtime/tensor.h"
#include "tf/example.pb.h"

namespace tern {

// What a signature says about one input.
struct TensorSpec {
  DataType dtype = tensorflow::DT_INVALID;
  std::vector<int64_t> dims;  // -1 for a dimension of unknown size
  bool unknown_rank = false;  // when true, dims is ignored
};
using SignatureInputSpecs = std::map<std::string, TensorSpec>;

// Returns the input specs of a signature. The name is passed exactly as the request gave it
// ("" when the request has no "signature_name"; the callback decides what "" means, normally
// "serving_default"). An error status is returned to the caller of ParsePredictRequest as is.
using SignatureInputLookup =
    std::function<StatusOr<SignatureInputSpecs>(const std::string& signature_name)>;

enum class JsonFormat { kRow, kColumnar };

struct PredictJsonRequest {
  std::string signature_name;  // as given in the request; "" when absent
  JsonFormat format = JsonFormat::kRow;
  std::map<std::string, Tensor> inputs;
};

// Parses a predict request body. Row format ("instances"): a non-empty list whose elements are
// one input's value per instance (single-input signatures) or objects {input: value} (any
// signature); the instances are stacked along a new dimension 0. Columnar format ("inputs"): a
// single value (single-input signatures) or an object {input: value}, taken as the whole
// tensor. Nested lists give the shape; every input of the signature must be given, no other.
// Each tensor's dtype is the spec's; its shape is checked against the spec's known dims.
StatusOr<PredictJsonRequest> ParsePredictRequest(std::string_view body,
                                                 const SignatureInputLookup& lookup);

// Writes a predict response. kRow: {"predictions": [row, ...]} where a row is the value of the
// single output, or an object {output: value} when there are several; every output must have
// the same dimension 0 (INVALID_ARGUMENT otherwise, as TF Serving). kColumnar: {"outputs":
// value} for a single output, else {"outputs": {output: value}}. DT_STRING outputs whose name
// ends in "_bytes" are written as {"b64": "..."}; so is any other string element that is not
// valid UTF-8 (TF Serving would write the raw bytes, which is not valid JSON).
StatusOr<std::string> WritePredictResponse(const std::map<std::string, Tensor>& outputs,
                                           JsonFormat format);

struct ExamplesJsonRequest {
  std::string signature_name;  // as given in the request; "" when absent
  std::vector<tensorflow::Example> examples;
  std::optional<tensorflow::Example> context;
};

// Parses a classify or regress request body. A feature value is a JSON number, string, bool,
// {"b64": ...} or a list of these: integers (and bools, as 0/1) make an int64_list, decimals a
// float_list, strings and b64 objects a bytes_list; an empty list makes a feature with no kind.
StatusOr<ExamplesJsonRequest> ParseExamplesRequest(std::string_view body);

// {"results": [v, ...]}
std::string WriteRegressResponse(const std::vector<float>& values);

// {"results": [[["label", score], ...], ...]}: one list of (label, score) pairs per example.
using LabelScores = std::vector<std::pair<std::string, float>>;
std::string WriteClassifyResponse(const std::vector<LabelScores>& results);

// {"error": "<message>"}, laid out as TF Serving writes it.
std::string WriteErrorResponse(std::string_view message);

// ---- Building blocks, exposed for the other JSON front ends and for tests. ----

// A float as TF Serving writes it: "NaN", "Infinity", "-Infinity"; otherwise printf("%.6g") if
// that parses back to the same value, else "%.9g" ("%.17g" for double); ".0" is appended when
// the text has neither '.' nor an exponent.
std::string FormatJsonFloat(float value);
std::string FormatJsonDouble(double value);

// Standard base64 alphabet with '=' padding.
std::string Base64Encode(std::string_view bytes);
// Accepts the standard alphabet with or without padding; ASCII whitespace is skipped.
// Returns std::nullopt for anything else.
std::optional<std::string> Base64Decode(std::string_view text);

bool IsValidUtf8(std::string_view text);

}  // namespace tern
