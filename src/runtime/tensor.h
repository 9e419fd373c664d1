// Tensor: a dtype (TensorFlow's DataType numbering), a shape and a ref-counted buffer.
// Copies are cheap and share the buffer; a kernel that writes allocates a fresh Tensor, so a
// tensor that has been handed out is never mutated (readers need no lock). Strings are stored
// as a vector of byte strings; DT_RESOURCE scalars hold a shared_ptr to a Resource; DT_VARIANT
// scalars hold their value (a TensorList) in the same slot, immutable once there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/memory_account.h"
#include "tf/types.pb.h"

namespace tern {

using tensorflow::DataType;

// Size of one element in bytes, or 0 for types not stored as a flat buffer (string, resource).
size_t DataTypeSize(DataType dtype);
// "float", "int64", ... as TensorFlow prints them.
std::string DataTypeName(DataType dtype);
bool IsRefType(DataType dtype);
DataType BaseType(DataType dtype);  // strips _REF

template <typename T>
struct DataTypeOf;
#define TERN_DATATYPE_OF(T, DT)                       \
  template <>                                         \
  struct DataTypeOf<T> {                              \
    static constexpr DataType value = tensorflow::DT; \
  }
TERN_DATATYPE_OF(float, DT_FLOAT);
TERN_DATATYPE_OF(double, DT_DOUBLE);
TERN_DATATYPE_OF(int32_t, DT_INT32);
TERN_DATATYPE_OF(uint8_t, DT_UINT8);
TERN_DATATYPE_OF(int16_t, DT_INT16);
TERN_DATATYPE_OF(int8_t, DT_INT8);
TERN_DATATYPE_OF(int64_t, DT_INT64);
TERN_DATATYPE_OF(bool, DT_BOOL);
TERN_DATATYPE_OF(uint16_t, DT_UINT16);
TERN_DATATYPE_OF(uint32_t, DT_UINT32);
TERN_DATATYPE_OF(uint64_t, DT_UINT64);
TERN_DATATYPE_OF(std::string, DT_STRING);
#undef TERN_DATATYPE_OF

// Dimensions of up to kInlineDims are stored in the shape itself: every kernel's output and
// every tensor copy carries a shape, and a heap vector there was a malloc and a free per op
// (DenseNet121 at batch 1: about 2% of a run).
class TensorShape {
 public:
  TensorShape() = default;
  TensorShape(std::initializer_list<int64_t> dims) { Assign(dims.begin(), dims.size()); }
  explicit TensorShape(std::span<const int64_t> dims) { Assign(dims.data(), dims.size()); }
  explicit TensorShape(const std::vector<int64_t>& dims) { Assign(dims.data(), dims.size()); }
  TensorShape(const TensorShape& other) { Assign(other.data(), other.size()); }
  TensorShape& operator=(const TensorShape& other) {
    if (this != &other) Assign(other.data(), other.size());
    return *this;
  }
  TensorShape(TensorShape&& other) noexcept { *this = std::move(other); }
  TensorShape& operator=(TensorShape&& other) noexcept;

  int rank() const { return rank_; }
  int64_t dim(int i) const { return data()[i]; }
  std::span<const int64_t> dims() const { return {data(), size()}; }
  std::vector<int64_t> dim_vector() const { return {data(), data() + size()}; }
  int64_t num_elements() const;
  void set_dim(int i, int64_t size) { data()[i] = size; }
  void AddDim(int64_t size);
  bool operator==(const TensorShape& other) const;
  bool operator!=(const TensorShape& other) const { return !(*this == other); }
  std::string DebugString() const;  // "[2,3]"

 private:
  static constexpr int kInlineDims = 6;
  size_t size() const { return static_cast<size_t>(rank_); }
  const int64_t* data() const { return heap_ != nullptr ? heap_.get() : inline_; }
  int64_t* data() { return heap_ != nullptr ? heap_.get() : inline_; }
  void Assign(const int64_t* dims, size_t rank);

  int rank_ = 0;
  int64_t inline_[kInlineDims] = {};
  std::unique_ptr<int64_t[]> heap_;  // set while rank_ > kInlineDims
};

// Anything a DT_RESOURCE tensor can point at (variables, lookup tables), and the value of a
// DT_VARIANT tensor (a TensorList; never mutated once in a tensor, so shared without locks).
class Resource {
 public:
  virtual ~Resource() = default;
  virtual std::string TypeName() const = 0;
};

class Tensor {
 public:
  Tensor() = default;
  // What a new tensor's buffer holds: zeros, or whatever the allocator returned, for a caller
  // that writes every element before anyone reads it (a kernel's output: zeroing megabytes it
  // then overwrites costs as much as the cheaper kernels themselves). Strings are always empty.
  enum class Contents { kZeros, kUnset };
  // Allocates a tensor (zero-filled unless kUnset), charged to the run in scope
  // (memory_account.h). Fails for a negative dimension or an unsupported dtype
  // (INVALID_ARGUMENT), and with RESOURCE_EXHAUSTED when the memory budgets would be exceeded or
  // the allocation fails.
  static StatusOr<Tensor> Create(DataType dtype, TensorShape shape,
                                 Contents contents = Contents::kZeros);
  // For callers that have validated the shape already and allocate little (constants, tests):
  // charged without a budget check; std::bad_alloc if the allocation fails.
  Tensor(DataType dtype, TensorShape shape);
  // A tensor over `bytes` bytes at `data` that Tern did not allocate (a TF_Tensor's output), so
  // it need not be copied: `release` runs once, when the last tensor sharing the buffer goes,
  // and frees it. The bytes are charged to the run in scope like an allocation. `data` must be
  // 64-byte aligned like Tern's own buffers, and `bytes` must be the shape's elements of a
  // fixed-size dtype (not string, resource or variant): else INVALID_ARGUMENT; over a budget,
  // RESOURCE_EXHAUSTED. On any error nothing is adopted: the caller still owns the buffer.
  static StatusOr<Tensor> AdoptBuffer(DataType dtype, TensorShape shape, void* data, size_t bytes,
                                      std::function<void()> release);

  template <typename T>
  static Tensor Scalar(T value) {
    Tensor t(DataTypeOf<T>::value, TensorShape{});
    t.flat<T>()[0] = std::move(value);
    return t;
  }
  template <typename T>
  static Tensor FromVector(const std::vector<T>& values, TensorShape shape) {
    Tensor t(DataTypeOf<T>::value, std::move(shape));
    for (size_t i = 0; i < values.size(); ++i) t.flat<T>()[i] = values[i];
    return t;
  }
  static Tensor FromResource(std::shared_ptr<Resource> resource);
  static Tensor FromVariant(std::shared_ptr<const Resource> value);

  bool initialized() const { return dtype_ != tensorflow::DT_INVALID; }
  DataType dtype() const { return dtype_; }
  const TensorShape& shape() const { return shape_; }
  int64_t num_elements() const { return shape_.num_elements(); }
  int rank() const { return shape_.rank(); }
  int64_t dim(int i) const { return shape_.dim(i); }
  // Bytes of element data (0 for strings and resources).
  size_t byte_size() const;

  // Typed element access. T must match the dtype (std::string for DT_STRING).
  template <typename T>
  T* flat() {
    if constexpr (std::is_same_v<T, std::string>) {
      return strings_->data();
    } else {
      return static_cast<T*>(buffer_->data);
    }
  }
  template <typename T>
  const T* flat() const {
    if constexpr (std::is_same_v<T, std::string>) {
      return strings_->data();
    } else {
      return static_cast<const T*>(buffer_->data);
    }
  }
  void* raw_data() { return buffer_ ? buffer_->data : nullptr; }
  const void* raw_data() const { return buffer_ ? buffer_->data : nullptr; }

  const std::shared_ptr<Resource>& resource() const { return resource_; }
  // The value of a DT_VARIANT scalar (null for other dtypes).
  const Resource* variant() const {
    return dtype_ == tensorflow::DT_VARIANT ? resource_.get() : nullptr;
  }

  // Same data, new shape with the same number of elements.
  StatusOr<Tensor> Reshaped(TensorShape shape) const;
  // Same data, new shape; the caller guarantees the element count matches.
  Tensor WithShape(TensorShape shape) const;
  // A deep copy of the elements.
  Tensor Clone() const;

  // "float[2,3]"
  std::string DebugString() const;

 private:
  // Holds `size` bytes charged to the process and to `run` (nullable) until destroyed.
  struct Buffer {
    // The bytes are charged already.
    Buffer(size_t bytes, std::shared_ptr<RunMemory> run, Contents contents);
    // Adopts `adopted` (AdoptBuffer); the bytes are charged already.
    Buffer(void* adopted, size_t bytes, std::shared_ptr<RunMemory> run,
           std::function<void()> release);
    ~Buffer();
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    void* data = nullptr;
    size_t size = 0;
    std::shared_ptr<RunMemory> run;
    std::function<void()>
        release;  // set for an adopted buffer: frees it instead of the buffer cache
  };
  enum class Charged { kYes };
  Tensor(DataType dtype, TensorShape shape, std::shared_ptr<RunMemory> run, Charged,
         Contents contents = Contents::kZeros);

  DataType dtype_ = tensorflow::DT_INVALID;
  TensorShape shape_;
  std::shared_ptr<Buffer> buffer_;
  std::shared_ptr<std::vector<std::string>> strings_;
  std::shared_ptr<Resource> resource_;
};

}  // namespace tern
