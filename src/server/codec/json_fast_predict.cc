// The fast path of predict request parsing: simdjson On Demand straight from the text into a float
// or double tensor, for the common hot case (inputs given as nested lists of numbers: columnar,
// bare or by input name, or unnamed rows). Anything else, including malformed JSON, and anything
// the DOM path would refuse or treat specially (NaN tokens, b64, lossy integers, out-of-range
// values, ragged or empty lists, unknown or repeated keys, shape mismatches), returns
// std::nullopt so that the DOM path answers with its own result or error: the fast path never
// changes what is accepted, only how fast.
// Thread-safety: each thread uses its own parser and buffers (thread_local), bounded in size.
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/codec/json_internal.h"
#include "server/codec/json_tensor.h"

namespace tern::json_internal {
namespace {

namespace od = simdjson::ondemand;

constexpr size_t kMaxRank = 254;  // as the DOM path

// Per-thread buffers reused across requests: fresh ones per request cost allocations and page
// faults (the padded copy, the structural index, the numbers: tens of MB for a 10 MB body).
// Buffers grown past kRetainedBodyBytes (body, or its numbers as doubles) are freed after the
// request, so one huge request does not pin memory for the life of the thread.
constexpr size_t kRetainedBodyBytes = size_t{16} << 20;

struct Scratch {
  od::parser parser;
  std::unique_ptr<char[]> padded;  // the body plus SIMDJSON_PADDING, as simdjson reads past it
  size_t padded_capacity = 0;      // bytes of body `padded` can hold, padding not counted
  std::vector<double> values;      // the numbers of every input, in document order
};

// Appends to a reused vector through an inlined bounds check (push_back was not inlined and cost
// ~5% of the decode); the vector only grows.
class Values {
 public:
  explicit Values(std::vector<double>* storage) : storage_(storage) {}
  __attribute__((always_inline)) void Append(double d) {
    if (__builtin_expect(size_ == storage_->size(), 0)) Grow();
    (*storage_)[size_++] = d;
  }
  size_t size() const { return size_; }
  const double* data() const { return storage_->data(); }

 private:
  __attribute__((noinline)) void Grow() { storage_->resize(std::max<size_t>(4096, 2 * size_)); }

  std::vector<double>* storage_;
  size_t size_ = 0;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Frees what grew past kRetainedBodyBytes; runs on every exit.
class ScratchTrim {
 public:
  ScratchTrim(Scratch* scratch, size_t body_bytes) : scratch_(scratch), body_bytes_(body_bytes) {}
  ~ScratchTrim() {
    if (scratch_->values.size() * sizeof(double) > kRetainedBodyBytes) {
      std::vector<double>().swap(scratch_->values);
    }
    if (body_bytes_ <= kRetainedBodyBytes) return;
    scratch_->parser = od::parser();
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
  std::vector<int64_t> dims;  // filled in on the first path down the nesting
  size_t rank = SIZE_MAX;     // depth of the first number; every number must sit there
  size_t begin = 0;           // this input's numbers are values[begin, end) of the scratch
  size_t end = 0;
  uint64_t max_integer = 0;  // largest magnitude of an integer literal
  bool has_decimal_outside_float = false;
};

// Appends one number to `values` as a double (exact for every integer ToTensor accepts: at most
// 2^53 - 1); false when `value` is not a number or not valid JSON.
inline __attribute__((always_inline)) bool AppendNumber(od::value value, Numbers* n,
                                                        Values* values) {
  od::number number;
  if (value.get_number().get(number)) return false;
  switch (number.get_number_type()) {
    case od::number_type::signed_integer: {
      const int64_t i = number.get_int64();
      const uint64_t m = i < 0 ? uint64_t{0} - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
      n->max_integer = std::max(n->max_integer, m);
      values->Append(static_cast<double>(i));
      return true;
    }
    case od::number_type::unsigned_integer: {
      const uint64_t u = number.get_uint64();
      n->max_integer = std::max(n->max_integer, u);
      values->Append(static_cast<double>(u));
      return true;
    }
    case od::number_type::floating_point_number: {
      const double d = number.get_double();
      if (!std::isfinite(d)) return false;
      if (!RoundsToFiniteFloat(d)) n->has_decimal_outside_float = true;
      values->Append(d);
      return true;
    }
    default: return false;
  }
}

// Appends the numbers of `value` (nested lists) at depth `level`; false when not dense numbers
// or not valid JSON. On Demand parses each number once, straight from the text, in this one pass.
bool Walk(od::value value, size_t level, Numbers* n, Values* values) {
  if (level == n->rank) return AppendNumber(value, n, values);
  od::json_type type;
  if (value.type().get(type)) return false;
  if (type == od::json_type::number) {
    if (n->rank != SIZE_MAX) return false;  // a number where a list belongs
    n->rank = level;
    return AppendNumber(value, n, values);
  }
  if (type != od::json_type::array) return false;
  if (level >= kMaxRank) return false;
  if (n->rank != SIZE_MAX && level >= n->rank) return false;  // a list where a number belongs
  const bool first_visit = n->dims.size() == level;
  if (first_visit) n->dims.push_back(-1);
  od::array array;
  if (value.get_array().get(array)) return false;
  int64_t count = 0;
  for (auto element : array) {
    od::value child;
    if (std::move(element).get(child)) return false;
    // The innermost lists hold nearly every element: their numbers skip the recursion.
    if (level + 1 == n->rank) {
      if (!AppendNumber(child, n, values)) return false;
    } else if (!Walk(child, level + 1, n, values)) {
      return false;
    }
    ++count;
  }
  if (count == 0) return false;  // empty lists: the DOM path knows the rules
  if (first_visit) n->dims[level] = count;
  return n->dims[level] == count;
}

// The collected numbers as T. The cast from double is the one TF Serving's parser makes
// (correctly rounded), and exact for the integers accepted here.
template <typename T>
std::optional<Tensor> ToTensor(const Numbers& n, const Values& values, DataType dtype) {
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
std::optional<Tensor> TensorFor(const Numbers& n, const Values& values, const TensorSpec& spec) {
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
bool WalkInput(od::value value, Numbers* n, Values* values) {
  n->begin = values->size();
  const bool dense = Walk(value, 0, n, values) && !n->dims.empty();
  n->end = values->size();
  return dense;
}

// Copies the body into the thread's padded buffer: simdjson reads up to SIMDJSON_PADDING bytes
// past the end and the caller's view promises none (a memcpy into a reused buffer: no
// allocation, no page faults).
void CopyPadded(std::string_view body, Scratch* scratch) {
  if (!scratch->padded || scratch->padded_capacity < body.size()) {
    scratch->padded = std::make_unique<char[]>(body.size() + simdjson::SIMDJSON_PADDING);
    scratch->padded_capacity = body.size();
  }
  std::memcpy(scratch->padded.get(), body.data(), body.size());
  std::memset(scratch->padded.get() + body.size(), 0, simdjson::SIMDJSON_PADDING);
}

// By input name; "" for the unnamed form (the signature's only input).
using InputNumbers = std::map<std::string, Numbers>;

// {"inputs": {"a": [...], ...}}: each named input's numbers.
bool WalkNamedInputs(od::value value, InputNumbers* numbers, Values* values) {
  od::object named;
  if (value.get_object().get(named)) return false;
  for (auto input : named) {
    od::field input_field;
    if (std::move(input).get(input_field)) return false;
    std::string_view input_key;
    if (input_field.unescaped_key().get(input_key)) return false;
    const std::string name(input_key);
    if (name.empty() || numbers->count(name)) return false;
    if (!WalkInput(input_field.value(), &(*numbers)[name], values)) return false;
  }
  return true;
}

// The data member, "instances" (rows) or "inputs" (columnar): its format and numbers.
bool WalkData(std::string_view key, od::value value, PredictJsonRequest* request,
              InputNumbers* numbers, Values* values) {
  request->format = key == "instances" ? JsonFormat::kRow : JsonFormat::kColumnar;
  od::json_type type;
  if (value.type().get(type)) return false;
  if (type == od::json_type::object && request->format == JsonFormat::kColumnar) {
    return WalkNamedInputs(value, numbers, values);
  }
  return WalkInput(value, &(*numbers)[""], values);  // a bare columnar number fails here too
}

// The root object's members: at most one signature_name and one data member, nothing else.
bool WalkRoot(od::object root, PredictJsonRequest* request, InputNumbers* numbers, Values* values) {
  bool have_signature = false, have_data = false;
  for (auto member : root) {
    od::field field;
    if (std::move(member).get(field)) return false;
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    od::value value = field.value();
    if (key == "signature_name" && !have_signature) {
      std::string_view name;
      if (value.get_string().get(name)) return false;
      request->signature_name = std::string(name);
      have_signature = true;
    } else if ((key == "instances" || key == "inputs") && !have_data) {
      have_data = true;
      if (!WalkData(key, value, request, numbers, values)) return false;
    } else {
      return false;
    }
  }
  return true;
}

// The signature's inputs as tensors of the numbers; false unless they match it exactly.
bool FillInputs(const InputNumbers& numbers, const Values& values, const SignatureInputSpecs& specs,
                PredictJsonRequest* request) {
  if (auto unnamed = numbers.find(""); unnamed != numbers.end()) {
    if (specs.size() != 1) return false;
    auto tensor = TensorFor(unnamed->second, values, specs.begin()->second);
    if (!tensor) return false;
    request->inputs.emplace(specs.begin()->first, std::move(*tensor));
    return true;
  }
  if (numbers.size() != specs.size()) return false;
  for (const auto& [name, spec] : specs) {
    auto it = numbers.find(name);
    if (it == numbers.end()) return false;
    auto tensor = TensorFor(it->second, values, spec);
    if (!tensor) return false;
    request->inputs.emplace(name, std::move(*tensor));
  }
  return true;
}

}  // namespace

std::optional<StatusOr<PredictJsonRequest>> FastParsePredictRequest(
    std::string_view body, const SignatureInputLookup& lookup) {
  Scratch& scratch = ThreadScratch();
  ScratchTrim trim(&scratch, body.size());
  CopyPadded(body, &scratch);
  // Stage 1 (finding the structure) runs the best kernel of this CPU, chosen at run time.
  od::document doc;
  if (scratch.parser
          .iterate(scratch.padded.get(), body.size(), body.size() + simdjson::SIMDJSON_PADDING)
          .get(doc)) {
    return std::nullopt;
  }
  od::object root;
  if (doc.get_object().get(root)) return std::nullopt;
  PredictJsonRequest request;
  InputNumbers numbers;
  Values values(&scratch.values);
  if (!WalkRoot(root, &request, &numbers, &values)) return std::nullopt;
  // On Demand stops at the root's closing brace: anything after it is the DOM path's error.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return std::nullopt;
  if (numbers.empty()) return std::nullopt;  // no data member, or no named inputs in it
  auto specs = lookup(request.signature_name);
  if (!specs.ok()) return StatusOr<PredictJsonRequest>(specs.status());
  if (!FillInputs(numbers, values, *specs, &request)) return std::nullopt;
  return StatusOr<PredictJsonRequest>(std::move(request));
}

}  // namespace tern::json_internal
