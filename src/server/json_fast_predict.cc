// The fast path of predict request parsing: simdjson's DOM API straight into a float or
// double tensor, for the common hot case (inputs given as nested lists of numbers: columnar,
// bare or by input name, or unnamed rows). Anything else, and anything the DOM path would refuse or treat specially (NaN
// tokens, b64, lossy integers, out-of-range values, ragged or empty lists, unknown or repeated
// keys, shape mismatches), returns std::nullopt so that the DOM path answers with its own result
// or error: the fast path never changes what is accepted, only how fast.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <simdjson.h>

#include "server/json_internal.h"
#include "server/json_tensor.h"

namespace tern::json_internal {
namespace {

namespace dom = simdjson::dom;

constexpr size_t kMaxRank = 254;  // as the DOM path

// Per-thread buffers reused across requests: a fresh parser per request costs the allocation
// and page faults of its tape (tens of MB for a 10 MB body), which was most of the gap to
// simdjson alone. Buffers grown for a body above kRetainedBodyBytes are freed after it, so one
// huge request does not pin memory for the life of the thread.
constexpr size_t kRetainedBodyBytes = size_t{16} << 20;

struct Scratch {
  dom::parser parser;
  std::unique_ptr<char[]> padded;  // the body plus SIMDJSON_PADDING, as simdjson reads past it
  size_t padded_capacity = 0;      // bytes of body `padded` can hold, padding not counted
  std::vector<double> values;      // the numbers of every input, in document order
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Frees what a body above kRetainedBodyBytes made the scratch grow to; runs on every exit.
class ScratchTrim {
 public:
  ScratchTrim(Scratch* scratch, size_t body_bytes) : scratch_(scratch), body_bytes_(body_bytes) {}
  ~ScratchTrim() {
    if (body_bytes_ <= kRetainedBodyBytes) return;
    scratch_->parser = dom::parser();
    scratch_->padded.reset();
    scratch_->padded_capacity = 0;
    std::vector<double>().swap(scratch_->values);
  }
  ScratchTrim(const ScratchTrim&) = delete;
  ScratchTrim& operator=(const ScratchTrim&) = delete;

 private:
  Scratch* scratch_;
  size_t body_bytes_;
};

struct Numbers {
  std::vector<int64_t> dims;    // filled in on the first path down the nesting
  size_t rank = SIZE_MAX;       // depth of the first number; every number must sit there
  size_t begin = 0;             // this input's numbers are values[begin, end) of the scratch
  size_t end = 0;
  uint64_t max_integer = 0;     // largest magnitude of an integer literal
  bool has_decimal_outside_float = false;
};

// Appends the numbers of `value` (nested lists) at depth `level` to `values` as doubles (exact
// for every integer ToTensor accepts: at most 2^53 - 1); false when not dense numbers. One pass
// over the tape both checks and collects.
bool Walk(dom::element value, size_t level, Numbers* n, std::vector<double>* values) {
  switch (value.type()) {
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: {
      if (n->rank == SIZE_MAX) n->rank = level;
      if (level != n->rank) return false;
      if (value.type() == dom::element_type::INT64) {
        int64_t i = 0;
        if (value.get_int64().get(i)) return false;
        const uint64_t m = i < 0 ? uint64_t{0} - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
        n->max_integer = std::max(n->max_integer, m);
        values->push_back(static_cast<double>(i));
      } else if (value.type() == dom::element_type::UINT64) {
        uint64_t u = 0;
        if (value.get_uint64().get(u)) return false;
        n->max_integer = std::max(n->max_integer, u);
        values->push_back(static_cast<double>(u));
      } else {
        double d = 0;
        if (value.get_double().get(d)) return false;
        if (!std::isfinite(d)) return false;
        if (!RoundsToFiniteFloat(d)) n->has_decimal_outside_float = true;
        values->push_back(d);
      }
      return true;
    }
    case dom::element_type::ARRAY:
      break;
    default:
      return false;
  }
  if (level >= kMaxRank) return false;
  if (n->rank != SIZE_MAX && level >= n->rank) return false;  // a list where a number belongs
  const bool first_visit = n->dims.size() == level;
  if (first_visit) n->dims.push_back(-1);
  dom::array array;
  if (value.get_array().get(array)) return false;
  int64_t count = 0;
  for (dom::element element : array) {
    if (!Walk(element, level + 1, n, values)) return false;
    ++count;
  }
  if (count == 0) return false;  // empty lists: the DOM path knows the rules
  if (first_visit) n->dims[level] = count;
  return n->dims[level] == count;
}

// The collected numbers as T. The cast from double is the one TF Serving's parser makes
// (correctly rounded), and exact for the integers accepted here.
template <typename T>
std::optional<Tensor> ToTensor(const Numbers& n, const std::vector<double>& values,
                               DataType dtype) {
  constexpr uint64_t kMaxExact = (uint64_t{1} << std::numeric_limits<T>::digits) - 1;
  if (n.max_integer > kMaxExact) return std::nullopt;
  if (std::is_same_v<T, float> && n.has_decimal_outside_float) return std::nullopt;
  auto tensor = Tensor::Create(dtype, TensorShape(n.dims));
  if (!tensor.ok()) return std::nullopt;
  if (static_cast<size_t>(tensor->num_elements()) != n.end - n.begin) return std::nullopt;
  T* out = tensor->template flat<T>();
  const double* in = values.data() + n.begin;
  for (size_t i = 0, count = n.end - n.begin; i < count; ++i) out[i] = static_cast<T>(in[i]);
  return std::move(tensor).value();
}

// Numbers that match the spec, as a tensor; std::nullopt otherwise.
std::optional<Tensor> TensorFor(const Numbers& n, const std::vector<double>& values,
                                const TensorSpec& spec) {
  if (!spec.unknown_rank) {
    if (spec.dims.size() != n.dims.size()) return std::nullopt;
    for (size_t i = 0; i < spec.dims.size(); ++i) {
      if (spec.dims[i] >= 0 && spec.dims[i] != n.dims[i]) return std::nullopt;
    }
  }
  if (spec.dtype == tensorflow::DT_FLOAT) return ToTensor<float>(n, values, spec.dtype);
  if (spec.dtype == tensorflow::DT_DOUBLE) return ToTensor<double>(n, values, spec.dtype);
  return std::nullopt;
}

// Walks one input's value; false unless it is a non-empty nested list of numbers.
bool WalkInput(dom::element value, Numbers* n, std::vector<double>* values) {
  n->begin = values->size();
  const bool dense = Walk(value, 0, n, values) && !n->dims.empty();
  n->end = values->size();
  return dense;
}

}  // namespace

std::optional<StatusOr<PredictJsonRequest>> FastParsePredictRequest(
    std::string_view body, const SignatureInputLookup& lookup) {
  Scratch& scratch = ThreadScratch();
  ScratchTrim trim(&scratch, body.size());
  // simdjson reads up to SIMDJSON_PADDING bytes past the end; the caller's view promises none,
  // so the body is copied into a reused padded buffer (a memcpy: no allocation, no page faults).
  if (scratch.padded_capacity < body.size()) {
    scratch.padded = std::make_unique<char[]>(body.size() + simdjson::SIMDJSON_PADDING);
    scratch.padded_capacity = body.size();
  }
  std::memcpy(scratch.padded.get(), body.data(), body.size());
  std::memset(scratch.padded.get() + body.size(), 0, simdjson::SIMDJSON_PADDING);
  std::vector<double>& values = scratch.values;
  values.clear();
  // The DOM API dispatches at run time to the best kernels of this CPU (AVX2 and up).
  dom::element doc;
  if (scratch.parser.parse(scratch.padded.get(), body.size(), /*realloc_if_needed=*/false)
          .get(doc)) {
    return std::nullopt;
  }
  dom::object object;
  if (doc.get_object().get(object)) return std::nullopt;
  PredictJsonRequest request;
  // By input name; "" for the unnamed form (the signature's only input).
  std::map<std::string, Numbers> numbers;
  bool have_signature = false, have_data = false;
  for (dom::key_value_pair field : object) {
    const std::string_view key = field.key;
    const dom::element value = field.value;
    if (key == "signature_name" && !have_signature) {
      std::string_view name;
      if (value.get_string().get(name)) return std::nullopt;
      request.signature_name = std::string(name);
      have_signature = true;
    } else if ((key == "instances" || key == "inputs") && !have_data) {
      have_data = true;
      request.format = key == "instances" ? JsonFormat::kRow : JsonFormat::kColumnar;
      if (value.is_object() && request.format == JsonFormat::kColumnar) {
        dom::object named;
        if (value.get_object().get(named)) return std::nullopt;
        for (dom::key_value_pair input : named) {
          const std::string name(input.key);
          if (name.empty() || numbers.count(name)) return std::nullopt;
          if (!WalkInput(input.value, &numbers[name], &values)) return std::nullopt;
        }
      } else if (!WalkInput(value, &numbers[""], &values)) {
        return std::nullopt;  // also a bare columnar number, left to the DOM path
      }
    } else {
      return std::nullopt;
    }
  }
  if (!have_data || numbers.empty()) return std::nullopt;
  auto specs = lookup(request.signature_name);
  if (!specs.ok()) return StatusOr<PredictJsonRequest>(specs.status());
  if (numbers.count("")) {
    if (specs->size() != 1) return std::nullopt;
    auto tensor = TensorFor(numbers[""], values, specs->begin()->second);
    if (!tensor) return std::nullopt;
    request.inputs.emplace(specs->begin()->first, std::move(*tensor));
    return StatusOr<PredictJsonRequest>(std::move(request));
  }
  if (numbers.size() != specs->size()) return std::nullopt;
  for (const auto& [name, spec] : *specs) {
    auto it = numbers.find(name);
    if (it == numbers.end()) return std::nullopt;
    auto tensor = TensorFor(it->second, values, spec);
    if (!tensor) return std::nullopt;
    request.inputs.emplace(name, std::move(*tensor));
  }
  return StatusOr<PredictJsonRequest>(std::move(request));
}

}  // namespace tern::json_internal
