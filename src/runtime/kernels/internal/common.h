// Small helpers shared by kernels: dtype dispatch, reading index tensors, strided element copy.
// Header-only and stateless; thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "common/status.h"
#include "runtime/kernel.h"
#include "runtime/tensor.h"

namespace tern {

// A kernel whose one output is the same tensor every run (a constant, or a handle to a session
// resource), built once at load and shared by every run.
class FixedOutputKernel final : public OpKernel {
 public:
  explicit FixedOutputKernel(Tensor value) : value_(std::move(value)) {}
  Status Compute(KernelContext& ctx) const override {
    ctx.set_output(0, value_);
    return Status::Ok();
  }
  const Tensor* FixedOutput() const override { return &value_; }

 private:
  const Tensor value_;
};

// Whether `held` are the kernel's inputs first, first+1, ... (as many as held): the same buffers
// and shapes. Kernels that derive something from weight inputs once (folded filters, batch-norm
// coefficients) check this each run; a Tensor is never mutated, so the same buffer means the
// same values, and holding the tensors keeps their buffers from being reused meanwhile.
inline bool SameInputBuffers(const std::vector<Tensor>& held, const KernelContext& ctx, int first) {
  if (first + static_cast<int>(held.size()) > ctx.num_inputs()) return false;
  for (size_t i = 0; i < held.size(); ++i) {
    const Tensor& t = ctx.input(first + static_cast<int>(i));
    if (held[i].raw_data() != t.raw_data() || held[i].shape() != t.shape()) return false;
  }
  return true;
}

// A 16-byte element (complex128) moved as raw bytes by the layout-only kernels.
struct Bytes16 {
  uint64_t lo;
  uint64_t hi;
};

// Calls fn.template operator()<T>() with T an element type of the same size as `dtype`'s
// elements (uint8_t ... uint64_t, Bytes16) or std::string for DT_STRING. Layout-only kernels
// (Concat, Pack, Tile, Transpose, StridedSlice, ...) move elements without looking at them, so
// one instantiation per element size serves every dtype. `what` names the value in the error.
template <typename Fn>
Status DispatchByElementSize(DataType dtype, std::string_view what, Fn&& fn,
                             const KernelContext& ctx) {
  if (dtype == tensorflow::DT_STRING) return fn.template operator()<std::string>();
  switch (DataTypeSize(dtype)) {
    case 1: return fn.template operator()<uint8_t>();
    case 2: return fn.template operator()<uint16_t>();
    case 4: return fn.template operator()<uint32_t>();
    case 8: return fn.template operator()<uint64_t>();
    case 16: return fn.template operator()<Bytes16>();
    default: return ctx.Error(std::string(what) + " has unsupported dtype " + DataTypeName(dtype));
  }
}

// Calls fn.template operator()<T>() for the real numeric dtypes (float, double and the
// signed/unsigned integers of 8 to 64 bits).
template <typename Fn>
Status DispatchRealNumber(DataType dtype, std::string_view what, Fn&& fn,
                          const KernelContext& ctx) {
  switch (dtype) {
    case tensorflow::DT_FLOAT: return fn.template operator()<float>();
    case tensorflow::DT_DOUBLE: return fn.template operator()<double>();
    case tensorflow::DT_INT32: return fn.template operator()<int32_t>();
    case tensorflow::DT_INT64: return fn.template operator()<int64_t>();
    case tensorflow::DT_INT16: return fn.template operator()<int16_t>();
    case tensorflow::DT_INT8: return fn.template operator()<int8_t>();
    case tensorflow::DT_UINT8: return fn.template operator()<uint8_t>();
    case tensorflow::DT_UINT16: return fn.template operator()<uint16_t>();
    case tensorflow::DT_UINT32: return fn.template operator()<uint32_t>();
    case tensorflow::DT_UINT64: return fn.template operator()<uint64_t>();
    default: return ctx.Error(std::string(what) + " has unsupported dtype " + DataTypeName(dtype));
  }
}

// Integer division by zero traps; the integer division kernels reject it the way TensorFlow
// does, before computing anything. Floating-point divisors pass (they give inf/NaN).
inline Status RejectIntegerZeroDivisor(KernelContext& ctx, const Tensor& divisor) {
  return DispatchRealNumber(
      divisor.dtype(), "y",
      [&]<typename T>() -> Status {
        if constexpr (std::is_integral_v<T>) {
          const T* p = divisor.flat<T>();
          for (int64_t i = 0, n = divisor.num_elements(); i < n; ++i) {
            if (p[i] == T(0)) return ctx.Error("Integer division by zero");
          }
        }
        return Status::Ok();
      },
      ctx);
}

// Wrapping addition for integers (no signed-overflow UB), plain addition for floating point.
template <typename T>
inline T WrappingAdd(T a, T b) {
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return static_cast<T>(a + b);
  }
}

// Reads an int16/int32/int64 tensor's elements as int64. Fails naming `what` for other dtypes.
inline Status ReadIndexValues(const KernelContext& ctx, const Tensor& t, std::string_view what,
                              std::vector<int64_t>* out) {
  const int64_t n = t.num_elements();
  out->resize(static_cast<size_t>(n));
  switch (t.dtype()) {
    case tensorflow::DT_INT32:
      for (int64_t i = 0; i < n; ++i) (*out)[i] = t.flat<int32_t>()[i];
      return Status::Ok();
    case tensorflow::DT_INT64:
      for (int64_t i = 0; i < n; ++i) (*out)[i] = t.flat<int64_t>()[i];
      return Status::Ok();
    case tensorflow::DT_INT16:
      for (int64_t i = 0; i < n; ++i) (*out)[i] = t.flat<int16_t>()[i];
      return Status::Ok();
    default:
      return ctx.Error(std::string(what) + " must be int32 or int64, got " +
                       DataTypeName(t.dtype()));
  }
}

// Reads a 1-D (or, with allow_scalar, 0-D) index tensor.
inline Status ReadIndexVector(const KernelContext& ctx, const Tensor& t, std::string_view what,
                              std::vector<int64_t>* out, bool allow_scalar = false) {
  if (t.rank() != 1 && !(allow_scalar && t.rank() == 0)) {
    return ctx.Error(std::string(what) + " must be " + (allow_scalar ? "a scalar or " : "") +
                     "1-D, got shape " + t.shape().DebugString());
  }
  return ReadIndexValues(ctx, t, what, out);
}

// OK when `perm` (named `what`) is a permutation of 0..rank-1 for `shape`, the shape of the
// tensor it moves (named `tensor_name` in the message).
inline Status CheckPermutation(const KernelContext& ctx, const std::vector<int64_t>& perm,
                               std::string_view what, const TensorShape& shape,
                               std::string_view tensor_name) {
  const int rank = shape.rank();
  if (static_cast<int>(perm.size()) != rank) {
    return ctx.Error(std::string(what) + " has " + std::to_string(perm.size()) + " entries but " +
                     std::string(tensor_name) + " " + shape.DebugString() + " has rank " +
                     std::to_string(rank));
  }
  std::vector<bool> seen(rank, false);
  for (int i = 0; i < rank; ++i) {
    const int64_t p = perm[i];
    if (p < 0 || p >= rank || seen[p]) {
      return ctx.Error(std::string(what) + " is not a permutation of 0.." +
                       std::to_string(rank - 1) + ": " + std::string(what) + "[" +
                       std::to_string(i) + "] = " + std::to_string(p));
    }
    seen[p] = true;
  }
  return Status::Ok();
}

// Reads a scalar (or, like TensorFlow accepts for axis inputs, a one-element tensor) index.
inline Status ReadIndexScalar(const KernelContext& ctx, const Tensor& t, std::string_view what,
                              int64_t* out) {
  if (t.num_elements() != 1) {
    return ctx.Error(std::string(what) + " must be a scalar, got shape " + t.shape().DebugString());
  }
  std::vector<int64_t> v;
  TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, t, what, &v));
  *out = v[0];
  return Status::Ok();
}

// An axis into `t` counted from the end when negative: *out = axis in [0, rank), or an error
// naming the input `name` and its shape.
inline Status ResolveAxis(const KernelContext& ctx, int64_t axis, const Tensor& t,
                          std::string_view name, int* out) {
  const int rank = t.rank();
  if (axis < -rank || axis >= rank) {
    return ctx.Error("axis " + std::to_string(axis) + " is out of range [" + std::to_string(-rank) +
                     ", " + std::to_string(rank) + ") for " + std::string(name) + " of shape " +
                     t.shape().DebugString());
  }
  *out = static_cast<int>(axis < 0 ? axis + rank : axis);
  return Status::Ok();
}

// Copies n elements; memcpy for trivially copyable types.
template <typename T>
inline void CopyElements(const T* src, int64_t n, T* dst) {
  if constexpr (std::is_trivially_copyable_v<T>) {
    if (n > 0) std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(T));
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
  }
}

// Row-major strides of `shape` (elements).
inline std::vector<int64_t> RowMajorStrides(std::span<const int64_t> dims) {
  std::vector<int64_t> strides(dims.size());
  int64_t s = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

// Gathers a strided view into a dense row-major output:
//   out[i0,...,ik] = in[offset + i0*strides[0] + ... + ik*strides[k]] for i < dims.
// Strides are in elements and may be negative or zero. The caller guarantees every address is
// inside `in`. The innermost dimension with stride 1 is copied as a block.
template <typename T>
void StridedGather(const T* in, int64_t offset, const std::vector<int64_t>& dims,
                   const std::vector<int64_t>& strides, T* out) {
  const int rank = static_cast<int>(dims.size());
  int64_t total = 1;
  for (int64_t d : dims) total *= d;
  if (total == 0) return;
  if (rank == 0) {
    out[0] = in[offset];
    return;
  }
  const int64_t inner = dims[rank - 1];
  const int64_t inner_stride = strides[rank - 1];
  std::vector<int64_t> counter(rank, 0);
  int64_t src = offset;
  for (int64_t o = 0; o < total; o += inner) {
    if (inner_stride == 1) {
      CopyElements(in + src, inner, out + o);
    } else {
      int64_t s = src;
      for (int64_t j = 0; j < inner; ++j, s += inner_stride) out[o + j] = in[s];
    }
    // Advance the outer counters (all dims but the innermost).
    for (int d = rank - 2; d >= 0; --d) {
      ++counter[d];
      src += strides[d];
      if (counter[d] < dims[d]) break;
      src -= strides[d] * counter[d];
      counter[d] = 0;
    }
  }
}

}  // namespace tern
