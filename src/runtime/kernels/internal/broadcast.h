// NumPy-style broadcasting for elementwise binary kernels.
// Stateless helpers; thread-safe.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <optional>
#include <vector>

#include "common/status.h"
#include "runtime/kernel.h"
#include "runtime/tensor.h"

namespace tern {

// The broadcast result shape of a and b, or INVALID_ARGUMENT naming both shapes.
StatusOr<TensorShape> BroadcastShape(const TensorShape& a, const TensorShape& b);

// For each output element, the flat index into an input broadcast to `out`.
// Computed per call; kernels use it only on the general (non-fast) path.
std::vector<int64_t> BroadcastIndex(const TensorShape& in, const TensorShape& out);

// `out` viewed as [outer, middle, inner] when `in` broadcast to it is [outer, 1, inner]: `in`
// repeats along one contiguous run of dims (a per-channel scale [N,1,1,C] over [N,H,W,C], a bias
// [C] over [N,C]). nullopt for any other broadcast, and when nothing is broadcast.
struct MiddleBroadcast {
  int64_t outer = 1, middle = 1, inner = 1;
};
std::optional<MiddleBroadcast> FindMiddleBroadcast(const TensorShape& in, const TensorShape& out);

// Applies out[i] = fn(a[i], b[i]) with broadcasting. In and out element types may differ
// (comparisons produce bool).
template <typename In, typename Out, typename Fn>
Status BinaryBroadcast(KernelContext& ctx, DataType out_dtype, Fn fn) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  auto shape = BroadcastShape(a.shape(), b.shape());
  if (!shape.ok()) return ctx.Error(shape.status().message());
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, out_dtype, *shape));
  const In* pa = a.flat<In>();
  const In* pb = b.flat<In>();
  Out* po = out->flat<Out>();
  const int64_t n = out->num_elements();
  const int64_t na = a.num_elements();
  const int64_t nb = b.num_elements();
  if (na == n && nb == n) {
    for (int64_t i = 0; i < n; ++i) po[i] = fn(pa[i], pb[i]);
  } else if (nb == 1 && na == n) {
    const In vb = pb[0];
    for (int64_t i = 0; i < n; ++i) po[i] = fn(pa[i], vb);
  } else if (na == 1 && nb == n) {
    const In va = pa[0];
    for (int64_t i = 0; i < n; ++i) po[i] = fn(va, pb[i]);
  } else if (std::optional<MiddleBroadcast> m;
             na == n && (m = FindMiddleBroadcast(b.shape(), *shape))) {
    for (int64_t o = 0, i = 0; o < m->outer; ++o) {
      const In* row = pb + o * m->inner;
      for (int64_t j = 0; j < m->middle; ++j, i += m->inner) {
        for (int64_t k = 0; k < m->inner; ++k) po[i + k] = fn(pa[i + k], row[k]);
      }
    }
  } else if (nb == n && (m = FindMiddleBroadcast(a.shape(), *shape))) {
    for (int64_t o = 0, i = 0; o < m->outer; ++o) {
      const In* row = pa + o * m->inner;
      for (int64_t j = 0; j < m->middle; ++j, i += m->inner) {
        for (int64_t k = 0; k < m->inner; ++k) po[i + k] = fn(row[k], pb[i + k]);
      }
    }
  } else if (n > 0) {
    std::vector<int64_t> ia = BroadcastIndex(a.shape(), *shape);
    std::vector<int64_t> ib = BroadcastIndex(b.shape(), *shape);
    for (int64_t i = 0; i < n; ++i) po[i] = fn(pa[ia[i]], pb[ib[i]]);
  }
  return Status::Ok();
}

// Dispatches on the dtype of input 0 for arithmetic ops over the numeric types. float16 runs
// only for ops that opt in with `static constexpr bool kSupportsHalf = true;`: Eigen::half
// computes in float and rounds to nearest-even, as TensorFlow's CPU kernels do.
template <template <typename> class Op>
Status ArithmeticBroadcast(KernelContext& ctx) {
  const DataType dtype = ctx.input(0).dtype();
  if (ctx.input(1).dtype() != dtype) {
    return ctx.Error("inputs have different dtypes: " + DataTypeName(dtype) + " and " +
                     DataTypeName(ctx.input(1).dtype()));
  }
  switch (dtype) {
    case tensorflow::DT_FLOAT: return BinaryBroadcast<float, float>(ctx, dtype, Op<float>());
    case tensorflow::DT_DOUBLE: return BinaryBroadcast<double, double>(ctx, dtype, Op<double>());
    case tensorflow::DT_HALF:
      if constexpr (requires { Op<float>::kSupportsHalf; }) {
        return BinaryBroadcast<Eigen::half, Eigen::half>(ctx, dtype, Op<Eigen::half>());
      }
      break;
    case tensorflow::DT_INT32: return BinaryBroadcast<int32_t, int32_t>(ctx, dtype, Op<int32_t>());
    case tensorflow::DT_INT64: return BinaryBroadcast<int64_t, int64_t>(ctx, dtype, Op<int64_t>());
    case tensorflow::DT_INT16: return BinaryBroadcast<int16_t, int16_t>(ctx, dtype, Op<int16_t>());
    case tensorflow::DT_INT8: return BinaryBroadcast<int8_t, int8_t>(ctx, dtype, Op<int8_t>());
    case tensorflow::DT_UINT8: return BinaryBroadcast<uint8_t, uint8_t>(ctx, dtype, Op<uint8_t>());
    case tensorflow::DT_UINT16:
      return BinaryBroadcast<uint16_t, uint16_t>(ctx, dtype, Op<uint16_t>());
    case tensorflow::DT_UINT32:
      return BinaryBroadcast<uint32_t, uint32_t>(ctx, dtype, Op<uint32_t>());
    case tensorflow::DT_UINT64:
      return BinaryBroadcast<uint64_t, uint64_t>(ctx, dtype, Op<uint64_t>());
    default: break;
  }
  return ctx.Error("dtype " + DataTypeName(dtype) + " is not supported");
}

// out = fn(a, b) with broadcasting for ops TensorFlow defines on float and double only; fn is a
// generic lambda.
template <typename Fn>
Status FloatBroadcast(KernelContext& ctx, Fn fn) {
  const DataType dtype = ctx.input(0).dtype();
  if (ctx.input(1).dtype() != dtype) {
    return ctx.Error("inputs have different dtypes: " + DataTypeName(dtype) + " and " +
                     DataTypeName(ctx.input(1).dtype()));
  }
  switch (dtype) {
    case tensorflow::DT_FLOAT: return BinaryBroadcast<float, float>(ctx, dtype, fn);
    case tensorflow::DT_DOUBLE: return BinaryBroadcast<double, double>(ctx, dtype, fn);
    default: return ctx.Error("dtype " + DataTypeName(dtype) + " is not supported (float, double)");
  }
}

// out = fn(a, b) with broadcasting over the integer dtypes (bitwise ops); fn is a generic lambda.
template <typename Fn>
Status IntegerBroadcast(KernelContext& ctx, Fn fn) {
  const DataType dtype = ctx.input(0).dtype();
  if (ctx.input(1).dtype() != dtype) {
    return ctx.Error("inputs have different dtypes: " + DataTypeName(dtype) + " and " +
                     DataTypeName(ctx.input(1).dtype()));
  }
  switch (dtype) {
    case tensorflow::DT_INT8: return BinaryBroadcast<int8_t, int8_t>(ctx, dtype, fn);
    case tensorflow::DT_INT16: return BinaryBroadcast<int16_t, int16_t>(ctx, dtype, fn);
    case tensorflow::DT_INT32: return BinaryBroadcast<int32_t, int32_t>(ctx, dtype, fn);
    case tensorflow::DT_INT64: return BinaryBroadcast<int64_t, int64_t>(ctx, dtype, fn);
    case tensorflow::DT_UINT8: return BinaryBroadcast<uint8_t, uint8_t>(ctx, dtype, fn);
    case tensorflow::DT_UINT16: return BinaryBroadcast<uint16_t, uint16_t>(ctx, dtype, fn);
    case tensorflow::DT_UINT32: return BinaryBroadcast<uint32_t, uint32_t>(ctx, dtype, fn);
    case tensorflow::DT_UINT64: return BinaryBroadcast<uint64_t, uint64_t>(ctx, dtype, fn);
    default: return ctx.Error("dtype " + DataTypeName(dtype) + " is not supported (integer types)");
  }
}

}  // namespace tern
