#include "runtime/tensor.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "runtime/buffer_cache.h"

namespace tern {

size_t DataTypeSize(DataType dtype) {
  switch (BaseType(dtype)) {
    case tensorflow::DT_FLOAT: return 4;
    case tensorflow::DT_DOUBLE: return 8;
    case tensorflow::DT_INT32: return 4;
    case tensorflow::DT_UINT8: return 1;
    case tensorflow::DT_INT16: return 2;
    case tensorflow::DT_INT8: return 1;
    case tensorflow::DT_INT64: return 8;
    case tensorflow::DT_BOOL: return 1;
    case tensorflow::DT_UINT16: return 2;
    case tensorflow::DT_HALF: return 2;
    case tensorflow::DT_BFLOAT16: return 2;
    case tensorflow::DT_UINT32: return 4;
    case tensorflow::DT_UINT64: return 8;
    case tensorflow::DT_COMPLEX64: return 8;
    case tensorflow::DT_COMPLEX128: return 16;
    case tensorflow::DT_QINT8: return 1;
    case tensorflow::DT_QUINT8: return 1;
    case tensorflow::DT_QINT32: return 4;
    case tensorflow::DT_QINT16: return 2;
    case tensorflow::DT_QUINT16: return 2;
    default: return 0;
  }
}

std::string DataTypeName(DataType dtype) {
  if (IsRefType(dtype)) return DataTypeName(BaseType(dtype)) + "_ref";
  switch (dtype) {
    case tensorflow::DT_FLOAT: return "float";
    case tensorflow::DT_DOUBLE: return "double";
    case tensorflow::DT_INT32: return "int32";
    case tensorflow::DT_UINT8: return "uint8";
    case tensorflow::DT_INT16: return "int16";
    case tensorflow::DT_INT8: return "int8";
    case tensorflow::DT_STRING: return "string";
    case tensorflow::DT_INT64: return "int64";
    case tensorflow::DT_BOOL: return "bool";
    case tensorflow::DT_UINT16: return "uint16";
    case tensorflow::DT_HALF: return "half";
    case tensorflow::DT_BFLOAT16: return "bfloat16";
    case tensorflow::DT_UINT32: return "uint32";
    case tensorflow::DT_UINT64: return "uint64";
    case tensorflow::DT_COMPLEX64: return "complex64";
    case tensorflow::DT_COMPLEX128: return "complex128";
    case tensorflow::DT_RESOURCE: return "resource";
    case tensorflow::DT_VARIANT: return "variant";
    case tensorflow::DT_INVALID: return "invalid";
    default: return "dtype" + std::to_string(static_cast<int>(dtype));
  }
}

// TensorFlow's reference types are the dtypes plus 100. A proto's dtype field is an open enum
// (any int32 off the wire), so values beyond that range are unknown dtypes, not references:
// treating them as references made DataTypeName recurse once per 100 of the value.
bool IsRefType(DataType dtype) {
  const int value = static_cast<int>(dtype);
  return value > 100 && value < 200;
}

DataType BaseType(DataType dtype) {
  return IsRefType(dtype) ? static_cast<DataType>(static_cast<int>(dtype) - 100) : dtype;
}

void TensorShape::Assign(const int64_t* dims, size_t rank) {
  if (rank > static_cast<size_t>(kInlineDims)) {
    if (heap_ == nullptr || rank > size()) heap_ = std::make_unique<int64_t[]>(rank);
  } else {
    heap_.reset();
  }
  rank_ = static_cast<int>(rank);
  std::copy(dims, dims + rank, data());
}

TensorShape& TensorShape::operator=(TensorShape&& other) noexcept {
  if (this == &other) return *this;
  rank_ = other.rank_;
  heap_ = std::move(other.heap_);
  if (heap_ == nullptr) std::copy(other.inline_, other.inline_ + rank_, inline_);
  other.rank_ = 0;
  return *this;
}

void TensorShape::AddDim(int64_t size) {
  if (rank_ < kInlineDims) {
    inline_[rank_++] = size;
    return;
  }
  std::vector<int64_t> grown = dim_vector();
  grown.push_back(size);
  Assign(grown.data(), grown.size());
}

bool TensorShape::operator==(const TensorShape& other) const {
  return rank_ == other.rank_ && std::equal(data(), data() + size(), other.data());
}

int64_t TensorShape::num_elements() const {
  int64_t n = 1;
  for (int64_t d : dims()) n *= d;
  return n;
}

std::string TensorShape::DebugString() const {
  std::string out = "[";
  for (int i = 0; i < rank_; ++i) {
    if (i) out += ",";
    out += std::to_string(dim(i));
  }
  return out + "]";
}

namespace {

// Large tensor buffers come and go at every run (a BERT layer's activations are a few MB each).
// glibc serves blocks over its mmap threshold with fresh mappings and returns freed memory at the
// heap's top beyond its trim threshold, so every run paid ~10k page faults (each a kernel entry
// and a page zeroed) for the same sizes as the run before. Tensor buffers up to 256 MB come from
// the heap instead, and up to 1 GB of freed heap is kept for the next run, as TensorFlow's BFC
// allocator keeps its regions. Process-wide, set once, before the first buffer.
bool KeepLargeBuffersInHeap() {
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return true;
}

}  // namespace

Tensor::Buffer::Buffer(size_t bytes, std::shared_ptr<RunMemory> run_memory, Contents contents)
    : size(bytes), run(std::move(run_memory)) {
  static const bool heap_configured = KeepLargeBuffersInHeap();
  (void)heap_configured;
  constexpr size_t kAlignment = 64;
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0) rounded = kAlignment;
  // From the blocks earlier tensors released (buffer_cache.h), else from malloc.
  data = BufferCache::Process().Allocate(rounded);
  if (data == nullptr) {
    TensorMemory::Release(static_cast<int64_t>(size), run.get());
    throw std::bad_alloc();
  }
  if (contents == Contents::kZeros) std::memset(data, 0, rounded);
}

Tensor::Buffer::Buffer(void* adopted, size_t bytes, std::shared_ptr<RunMemory> run_memory,
                       std::function<void()> release_adopted)
    : data(adopted), size(bytes), run(std::move(run_memory)), release(std::move(release_adopted)) {}

Tensor::Buffer::~Buffer() {
  if (release) {
    release();
  } else {
    BufferCache::Process().Free(data);
  }
  TensorMemory::Release(static_cast<int64_t>(size), run.get());
}

namespace {

// What a tensor of this dtype and shape allocates up front (0: nothing): its flat buffer, or for
// DT_STRING its array of empty strings (the bytes the strings come to hold are not counted).
// Counting that array keeps a tiny request declaring a string tensor of 10^8 elements from
// allocating gigabytes outside the budget (found by tests/fuzz/tensor_proto_fuzz).
int64_t BufferBytes(DataType dtype, const TensorShape& shape) {
  const DataType base = BaseType(dtype);
  if (base == tensorflow::DT_STRING) {
    return shape.num_elements() * static_cast<int64_t>(sizeof(std::string));
  }
  if (base == tensorflow::DT_RESOURCE || base == tensorflow::DT_VARIANT) return 0;
  return shape.num_elements() * static_cast<int64_t>(DataTypeSize(base));
}

// Charges the buffer of the unchecked constructor before it is allocated (so a failed
// allocation releases exactly what was charged) and returns the run it went to.
std::shared_ptr<RunMemory> ChargeUnchecked(DataType dtype, const TensorShape& shape) {
  const std::shared_ptr<RunMemory>& run = RunMemoryScope::Current();
  if (const int64_t bytes = BufferBytes(dtype, shape); bytes > 0) {
    TensorMemory::ChargeUnchecked(bytes, run.get());
  }
  return run;
}

}  // namespace

StatusOr<Tensor> Tensor::Create(DataType dtype, TensorShape shape, Contents contents) {
  constexpr int64_t kMaxElements = int64_t{1} << 40;
  int64_t n = 1;
  for (int64_t d : shape.dims()) {
    if (d < 0) {
      return InvalidArgument("negative dimension in shape " + shape.DebugString());
    }
    if (d != 0 && n > kMaxElements / d) {
      return InvalidArgument("shape " + shape.DebugString() + " has too many elements");
    }
    n *= d;
  }
  if (dtype != tensorflow::DT_STRING && DataTypeSize(dtype) == 0) {
    return InvalidArgument("cannot allocate a tensor of dtype " + DataTypeName(dtype));
  }
  const int64_t bytes = BufferBytes(dtype, shape);
  const auto what = [&] {
    return "allocating " + DataTypeName(BaseType(dtype)) + shape.DebugString() + " (" +
           std::to_string(bytes) + " bytes): ";
  };
  const std::shared_ptr<RunMemory>& run = RunMemoryScope::Current();
  if (bytes > 0) {
    if (Status charged = TensorMemory::Charge(bytes, run.get()); !charged.ok()) {
      return ResourceExhausted(what() + charged.message());
    }
  }
  try {
    return Tensor(dtype, std::move(shape), run, Charged::kYes, contents);
  } catch (const std::bad_alloc&) {
    // Strings allocate outside the budget; a failed buffer has released its charge.
    return ResourceExhausted(what() + "out of memory");
  }
}

Tensor::Tensor(DataType dtype, TensorShape shape, std::shared_ptr<RunMemory> run, Charged,
               Contents contents)
    : dtype_(BaseType(dtype)), shape_(std::move(shape)) {
  const int64_t n = shape_.num_elements();
  if (dtype_ == tensorflow::DT_STRING) {
    // The array was charged (BufferBytes); it gives the charge back when the last tensor
    // sharing it goes, or at once when allocating it fails.
    const int64_t charged = BufferBytes(dtype_, shape_);
    std::vector<std::string>* strings = nullptr;
    try {
      strings = new std::vector<std::string>(static_cast<size_t>(n));
    } catch (...) {
      TensorMemory::Release(charged, run.get());
      throw;
    }
    strings_ = std::shared_ptr<std::vector<std::string>>(
        strings, [charged, run = std::move(run)](std::vector<std::string>* v) {
          delete v;
          TensorMemory::Release(charged, run.get());
        });
  } else if (dtype_ != tensorflow::DT_RESOURCE && dtype_ != tensorflow::DT_VARIANT) {
    buffer_ = std::make_shared<Buffer>(static_cast<size_t>(n) * DataTypeSize(dtype_),
                                       std::move(run), contents);
  }
}

Tensor::Tensor(DataType dtype, TensorShape shape)
    : Tensor(dtype, std::move(shape), ChargeUnchecked(dtype, shape), Charged::kYes) {}

StatusOr<Tensor> Tensor::AdoptBuffer(DataType dtype, TensorShape shape, void* data, size_t bytes,
                                     std::function<void()> release) {
  const size_t element = DataTypeSize(dtype);
  if (element == 0 || IsRefType(dtype)) {
    return InvalidArgument("cannot adopt a buffer of dtype " + DataTypeName(dtype));
  }
  int64_t n = 1;
  for (int64_t d : shape.dims()) {
    if (d < 0) return InvalidArgument("negative dimension in shape " + shape.DebugString());
    n *= d;
  }
  if (static_cast<size_t>(n) * element != bytes) {
    return InvalidArgument("a buffer of " + std::to_string(bytes) + " bytes does not hold " +
                           DataTypeName(dtype) + shape.DebugString());
  }
  if (data == nullptr || reinterpret_cast<uintptr_t>(data) % 64 != 0) {
    return InvalidArgument("cannot adopt a buffer that is not 64-byte aligned");
  }
  const std::shared_ptr<RunMemory>& run = RunMemoryScope::Current();
  if (Status charged = TensorMemory::Charge(static_cast<int64_t>(bytes), run.get());
      !charged.ok()) {
    return ResourceExhausted("adopting " + DataTypeName(dtype) + shape.DebugString() + " (" +
                             std::to_string(bytes) + " bytes): " + charged.message());
  }
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  try {
    t.buffer_ = std::make_shared<Buffer>(data, bytes, run, std::move(release));
  } catch (const std::bad_alloc&) {
    TensorMemory::Release(static_cast<int64_t>(bytes), run.get());
    return ResourceExhausted("adopting " + t.DebugString() + ": out of memory");
  }
  return t;
}

Tensor Tensor::FromResource(std::shared_ptr<Resource> resource) {
  Tensor t;
  t.dtype_ = tensorflow::DT_RESOURCE;
  t.resource_ = std::move(resource);
  return t;
}

Tensor Tensor::FromVariant(std::shared_ptr<const Resource> value) {
  Tensor t;
  t.dtype_ = tensorflow::DT_VARIANT;
  // Stored non-const alongside resources; variant() hands it out const only.
  t.resource_ = std::const_pointer_cast<Resource>(std::move(value));
  return t;
}

size_t Tensor::byte_size() const {
  return static_cast<size_t>(num_elements()) * DataTypeSize(dtype_);
}

StatusOr<Tensor> Tensor::Reshaped(TensorShape shape) const {
  if (shape.num_elements() != num_elements()) {
    return InvalidArgument("cannot reshape " + shape_.DebugString() + " (" +
                           std::to_string(num_elements()) + " elements) to " + shape.DebugString());
  }
  return WithShape(std::move(shape));
}

Tensor Tensor::WithShape(TensorShape shape) const {
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::Clone() const {
  Tensor t = *this;
  if (strings_) t.strings_ = std::make_shared<std::vector<std::string>>(*strings_);
  if (buffer_) {
    TensorMemory::ChargeUnchecked(static_cast<int64_t>(buffer_->size),
                                  RunMemoryScope::Current().get());
    t.buffer_ =
        std::make_shared<Buffer>(buffer_->size, RunMemoryScope::Current(), Contents::kUnset);
    std::memcpy(t.buffer_->data, buffer_->data, buffer_->size);
  }
  return t;
}

std::string Tensor::DebugString() const { return DataTypeName(dtype_) + shape_.DebugString(); }

}  // namespace tern
