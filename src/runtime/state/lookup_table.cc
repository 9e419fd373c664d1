#include "runtime/state/lookup_table.h"

#include <cstring>
#include <mutex>

namespace tern {
namespace {

bool IsIntegerKey(DataType d) { return d == tensorflow::DT_INT32 || d == tensorflow::DT_INT64; }

int64_t IntKey(const Tensor& t, int64_t i) {
  return t.dtype() == tensorflow::DT_INT32 ? t.flat<int32_t>()[i] : t.flat<int64_t>()[i];
}

std::string KeyString(const Tensor& t, int64_t i) {
  return t.dtype() == tensorflow::DT_STRING ? t.flat<std::string>()[i]
                                            : std::to_string(IntKey(t, i));
}

// Copies element `from` of src to element `to` of dst (same dtype), by element size.
void CopyElement(const Tensor& src, int64_t from, Tensor& dst, int64_t to) {
  if (src.dtype() == tensorflow::DT_STRING) {
    dst.flat<std::string>()[to] = src.flat<std::string>()[from];
    return;
  }
  const size_t size = DataTypeSize(src.dtype());
  std::memcpy(static_cast<char*>(dst.raw_data()) + to * size,
              static_cast<const char*>(src.raw_data()) + from * size, size);
}

bool ElementsEqual(const Tensor& a, int64_t i, const Tensor& b, int64_t j) {
  if (a.dtype() == tensorflow::DT_STRING)
    return a.flat<std::string>()[i] == b.flat<std::string>()[j];
  const size_t size = DataTypeSize(a.dtype());
  return std::memcmp(static_cast<const char*>(a.raw_data()) + i * size,
                     static_cast<const char*>(b.raw_data()) + j * size, size) == 0;
}

std::string ValueString(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case tensorflow::DT_STRING: return t.flat<std::string>()[i];
    case tensorflow::DT_INT32: return std::to_string(t.flat<int32_t>()[i]);
    case tensorflow::DT_INT64: return std::to_string(t.flat<int64_t>()[i]);
    case tensorflow::DT_FLOAT: return std::to_string(t.flat<float>()[i]);
    case tensorflow::DT_DOUBLE: return std::to_string(t.flat<double>()[i]);
    default: return "<" + DataTypeName(t.dtype()) + ">";
  }
}

}  // namespace

StatusOr<std::shared_ptr<LookupTable>> LookupTable::Create(Options options) {
  if (options.key_dtype != tensorflow::DT_STRING && !IsIntegerKey(options.key_dtype)) {
    return InvalidArgument("lookup table keys must be string, int32 or int64, got " +
                           DataTypeName(options.key_dtype));
  }
  if (options.value_dtype != tensorflow::DT_STRING && DataTypeSize(options.value_dtype) == 0) {
    return InvalidArgument("lookup table values cannot be " + DataTypeName(options.value_dtype));
  }
  return std::shared_ptr<LookupTable>(new LookupTable(options));
}

int64_t LookupTable::IndexOf(const Tensor& keys, int64_t i) const {
  if (keys.dtype() == tensorflow::DT_STRING) {
    auto it = string_index_.find(keys.flat<std::string>()[i]);
    return it == string_index_.end() ? -1 : it->second;
  }
  auto it = int_index_.find(IntKey(keys, i));
  return it == int_index_.end() ? -1 : it->second;
}

Status LookupTable::Initialize(const Tensor& keys, const Tensor& values) {
  if (keys.dtype() != options_.key_dtype || values.dtype() != options_.value_dtype) {
    return InvalidArgument("table of " + DataTypeName(options_.key_dtype) + " -> " +
                           DataTypeName(options_.value_dtype) + " cannot take " +
                           DataTypeName(keys.dtype()) + " keys and " +
                           DataTypeName(values.dtype()) + " values");
  }
  const int64_t n = keys.num_elements();
  if (values.num_elements() != n) {
    return InvalidArgument("keys and values must have the same size: " +
                           keys.shape().DebugString() + " vs " + values.shape().DebugString());
  }
  if (options_.mutable_table) return Replace(keys, values);
  std::unique_lock lock(mu_);
  if (initialized_) {
    // The same entries again (as a re-run init op gives) are fine; anything else is not.
    std::unordered_map<std::string, int> distinct;
    bool same = true;
    for (int64_t i = 0; same && i < n; ++i) {
      const int64_t at = IndexOf(keys, i);
      same = at >= 0 && ElementsEqual(values_, at, values, i);
      distinct[KeyString(keys, i)] = 1;
    }
    if (same && static_cast<int64_t>(distinct.size()) == values_.num_elements()) {
      return Status::Ok();
    }
    return FailedPrecondition("Table was already initialized with different data.");
  }
  std::unordered_map<std::string, int64_t> string_index;
  std::unordered_map<int64_t, int64_t> int_index;
  std::vector<int64_t> first;  // input position of each distinct key
  for (int64_t i = 0; i < n; ++i) {
    const int64_t next = static_cast<int64_t>(first.size());
    const int64_t pos =
        keys.dtype() == tensorflow::DT_STRING
            ? string_index.try_emplace(keys.flat<std::string>()[i], next).first->second
            : int_index.try_emplace(IntKey(keys, i), next).first->second;
    if (pos == next) {
      first.push_back(i);
    } else if (!ElementsEqual(values, first[pos], values, i)) {
      return FailedPrecondition("HashTable has different value for same key. Key " +
                                KeyString(keys, i) + " has " + ValueString(values, first[pos]) +
                                " and trying to add value " + ValueString(values, i));
    }
  }
  Tensor stored(options_.value_dtype, TensorShape{static_cast<int64_t>(first.size())});
  for (size_t k = 0; k < first.size(); ++k) CopyElement(values, first[k], stored, k);
  string_index_ = std::move(string_index);
  int_index_ = std::move(int_index);
  values_ = std::move(stored);
  initialized_ = true;
  return Status::Ok();
}

Status LookupTable::Replace(const Tensor& keys, const Tensor& values) {
  std::unordered_map<std::string, int64_t> string_index;
  std::unordered_map<int64_t, int64_t> int_index;
  std::vector<int64_t> last;  // input position of each distinct key's last value
  for (int64_t i = 0, n = keys.num_elements(); i < n; ++i) {
    const int64_t next = static_cast<int64_t>(last.size());
    const int64_t pos =
        keys.dtype() == tensorflow::DT_STRING
            ? string_index.try_emplace(keys.flat<std::string>()[i], next).first->second
            : int_index.try_emplace(IntKey(keys, i), next).first->second;
    if (pos == next) {
      last.push_back(i);
    } else {
      last[pos] = i;
    }
  }
  Tensor stored(options_.value_dtype, TensorShape{static_cast<int64_t>(last.size())});
  for (size_t k = 0; k < last.size(); ++k) CopyElement(values, last[k], stored, k);
  std::unique_lock lock(mu_);
  string_index_ = std::move(string_index);
  int_index_ = std::move(int_index);
  values_ = std::move(stored);
  return Status::Ok();
}

Status LookupTable::Find(const Tensor& keys, const Tensor& default_value, Tensor* out) const {
  if (keys.dtype() != options_.key_dtype) {
    return InvalidArgument("table keys are " + DataTypeName(options_.key_dtype) + ", got " +
                           DataTypeName(keys.dtype()) + " keys");
  }
  if (default_value.dtype() != options_.value_dtype) {
    return InvalidArgument("table values are " + DataTypeName(options_.value_dtype) + ", got a " +
                           DataTypeName(default_value.dtype()) + " default");
  }
  const bool per_key_default = default_value.rank() != 0;
  if (per_key_default && default_value.shape() != keys.shape()) {
    return InvalidArgument("Expected shape [] or " + keys.shape().DebugString() +
                           " for default value, got " + default_value.shape().DebugString());
  }
  std::shared_lock lock(mu_);
  if (!initialized_) return FailedPrecondition("Table not initialized.");
  Tensor result(options_.value_dtype, keys.shape());
  for (int64_t i = 0, n = keys.num_elements(); i < n; ++i) {
    const int64_t at = IndexOf(keys, i);
    if (at >= 0) {
      CopyElement(values_, at, result, i);
    } else {
      CopyElement(default_value, per_key_default ? i : 0, result, i);
    }
  }
  *out = std::move(result);
  return Status::Ok();
}

int64_t LookupTable::size() const {
  std::shared_lock lock(mu_);
  return initialized_ ? values_.num_elements() : 0;
}

}  // namespace tern
