// Internal to the JSON codec (json_*.cc): parsing a request body into an nlohmann DOM the way
// TF Serving's parser accepts it, dtype dispatch and small helpers for messages.
// Pure functions; thread-safe.
#pragma once

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "runtime/tensor.h"
#include "server/codec/json_tensor.h"

namespace tern::json_internal {

using Json = nlohmann::json;

// Parses `body`, which must be a JSON object. Besides standard JSON it accepts the tokens TF
// Serving accepts for non-finite numbers: NaN, Inf, Infinity, each optionally preceded by '-'.
// Errors are INVALID_ARGUMENT and give the byte offset of a syntax error.
StatusOr<Json> ParseJsonObject(std::string_view body);

// simdjson fast path of ParsePredictRequest (json_fast_predict.cc): std::nullopt when it does not
// apply, and then the DOM path must run; otherwise exactly the DOM path's answer. Calls `lookup`
// at most once, and only when it answers.
std::optional<StatusOr<PredictJsonRequest>> FastParsePredictRequest(
    std::string_view body, const SignatureInputLookup& lookup);

// {"b64": "<string>"} and nothing else.
bool IsBase64Object(const Json& value);

// "string", "decimal number", "integer", "boolean", "null", "object", "list".
std::string JsonKind(const Json& value);
// A short rendering of a value for error messages (truncated; NaN and Infinity as tokens).
std::string JsonSnippet(const Json& value);
// Reads "signature_name" (absent -> "").
StatusOr<std::string> ReadSignatureName(const Json& doc);

// Whether a finite double is within float's range once rounded to nearest (values that round
// to FLT_MAX are; from FLT_MAX + half an ulp on, rounding gives infinity).
inline bool RoundsToFiniteFloat(double d) {
  return d > -(static_cast<double>(std::numeric_limits<float>::max()) + 0x1p103) &&
         d < static_cast<double>(std::numeric_limits<float>::max()) + 0x1p103;
}

template <typename T>
struct Tag {
  using type = T;
};

// The 16-bit floats: JSON numbers, converted through float with round-to-nearest-even.
template <typename T>
inline constexpr bool kIsHalfFloat =
    std::is_same_v<T, Eigen::half> || std::is_same_v<T, Eigen::bfloat16>;

// Calls fn(Tag<T>{}) with the element type T of `dtype`, for the dtypes JSON can carry (those
// of TF Serving plus uint16, half and bfloat16); UNIMPLEMENTED for the others.
template <typename Fn>
Status VisitJsonDtype(DataType dtype, Fn&& fn) {
  switch (dtype) {
    case tensorflow::DT_FLOAT: return fn(Tag<float>{});
    case tensorflow::DT_DOUBLE: return fn(Tag<double>{});
    case tensorflow::DT_HALF: return fn(Tag<Eigen::half>{});
    case tensorflow::DT_BFLOAT16: return fn(Tag<Eigen::bfloat16>{});
    case tensorflow::DT_INT8: return fn(Tag<int8_t>{});
    case tensorflow::DT_UINT8: return fn(Tag<uint8_t>{});
    case tensorflow::DT_INT16: return fn(Tag<int16_t>{});
    case tensorflow::DT_UINT16: return fn(Tag<uint16_t>{});
    case tensorflow::DT_INT32: return fn(Tag<int32_t>{});
    case tensorflow::DT_UINT32: return fn(Tag<uint32_t>{});
    case tensorflow::DT_INT64: return fn(Tag<int64_t>{});
    case tensorflow::DT_UINT64: return fn(Tag<uint64_t>{});
    case tensorflow::DT_BOOL: return fn(Tag<bool>{});
    case tensorflow::DT_STRING: return fn(Tag<std::string>{});
    default: return Unimplemented("dtype " + DataTypeName(dtype) + " has no JSON representation");
  }
}

}  // namespace tern::json_internal
