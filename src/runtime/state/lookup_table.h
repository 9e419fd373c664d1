// A hash table resource (TensorFlow's HashTable): immutable after it is initialised once, at
// load time, by the model's init op (LookupTableImportV2 / InitializeTableV2 from constants, or
// InitializeTableFromTextFileV2 from an asset file), then read by LookupTableFindV2 on every
// request. A mutable table (TensorFlow's MutableHashTable, Options::mutable_table) starts empty
// and readable, and each import replaces its whole contents: that is how a checkpoint restores
// it (Keras' lookup layers keep one). Keys are string or integer (int32/int64); values are one
// scalar of any non-resource dtype per key. Thread-safe: initialisation takes a writer lock,
// lookups a reader lock.
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "runtime/tensor.h"

namespace tern {

class LookupTable final : public Resource {
 public:
  struct Options {
    DataType key_dtype = tensorflow::DT_STRING;
    DataType value_dtype = tensorflow::DT_INT64;
    bool mutable_table = false;
  };
  // INVALID_ARGUMENT for key or value dtypes a table cannot hold.
  static StatusOr<std::shared_ptr<LookupTable>> Create(Options options);

  std::string TypeName() const override {
    return options_.mutable_table ? "MutableHashTable" : "HashTable";
  }
  bool mutable_table() const { return options_.mutable_table; }
  DataType key_dtype() const { return options_.key_dtype; }
  DataType value_dtype() const { return options_.value_dtype; }

  // Fills the table with keys[i] -> values[i] (same number of elements, the table's dtypes).
  // A table is initialised once: doing it again with the same entries is a no-op, with other
  // entries FAILED_PRECONDITION. A key given twice with different values is FAILED_PRECONDITION
  // and leaves the table uninitialised. A mutable table instead drops what it held and takes
  // the entries; a key given twice keeps its last value (TensorFlow's ImportValues).
  Status Initialize(const Tensor& keys, const Tensor& values);

  // values[i] = table[keys[i]] or the default (a scalar, or one per key). Output has the keys'
  // shape. FAILED_PRECONDITION until initialised.
  Status Find(const Tensor& keys, const Tensor& default_value, Tensor* values) const;

  int64_t size() const;

 private:
  explicit LookupTable(Options options)
      : options_(options),
        initialized_(options.mutable_table),
        values_(options.value_dtype, TensorShape{int64_t{0}}) {}
  Status Replace(const Tensor& keys, const Tensor& values);
  // Position of `keys[i]` in values_, or -1.
  int64_t IndexOf(const Tensor& keys, int64_t i) const;

  const Options options_;
  mutable std::shared_mutex mu_;
  bool initialized_;
  std::unordered_map<std::string, int64_t> string_index_;
  std::unordered_map<int64_t, int64_t> int_index_;
  Tensor values_;  // 1-D, one value per distinct key, in insertion order
};

}  // namespace tern
