// NumPy-style broadcasting for elementwise binary kernels.
// Stateless helpers; thread-safe.
#pragma once

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

#include "common/status.h"
#include "runtime/kernel.h"
#include "runtime/kernels/internal/parallel_rows.h"
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

// `out` walked in runs along its innermost dims, for inputs broadcast to it: dims are merged
// wherever every input stays contiguous (or repeated) across them, so each run is as long as the
// broadcast allows. For each run, fn(out_offset, in_offsets, length) with in_offsets[i] the
// flat offset of input i at the run's start; within the run input i advances by
// inner_strides[i] (1, or 0 where it repeats). Replaces a per-element index for the general
// broadcast: an outer product [N,1]*[1,M] is N runs of M, a mask [B,1,1,S] over [B,H,T,S] is
// B*H*T runs of S.
template <size_t kInputs>
struct BroadcastRuns {
  std::array<int64_t, kInputs> inner_strides{};
  int64_t length = 0;  // of one run
  // Merged outer dims and each input's stride along them.
  std::vector<int64_t> outer_dims;
  std::array<std::vector<int64_t>, kInputs> outer_strides;

  BroadcastRuns(const std::array<const TensorShape*, kInputs>& in, const TensorShape& out) {
    const int rank = out.rank();
    std::vector<int64_t> dims;
    std::array<std::vector<int64_t>, kInputs> strides;
    std::array<int64_t, kInputs> running;
    running.fill(1);
    // Innermost first, skipping dims of size 1.
    for (int d = rank - 1; d >= 0; --d) {
      if (out.dim(d) == 1) continue;
      std::array<int64_t, kInputs> st;
      for (size_t i = 0; i < kInputs; ++i) {
        const int id = in[i]->rank() - rank + d;
        const int64_t size = id >= 0 ? in[i]->dim(id) : 1;
        st[i] = size == 1 ? 0 : running[i];
        running[i] *= size;
      }
      bool merge = !dims.empty();
      for (size_t i = 0; merge && i < kInputs; ++i) {
        const int64_t inner = strides[i].back();
        merge = (st[i] == 0 && inner == 0) || (st[i] != 0 && st[i] == inner * dims.back());
      }
      if (merge) {
        dims.back() *= out.dim(d);
      } else {
        dims.push_back(out.dim(d));
        for (size_t i = 0; i < kInputs; ++i) strides[i].push_back(st[i]);
      }
    }
    if (dims.empty()) {  // a single element
      dims.push_back(1);
      for (size_t i = 0; i < kInputs; ++i) strides[i].push_back(0);
    }
    length = dims.front();
    for (size_t i = 0; i < kInputs; ++i) inner_strides[i] = strides[i].front();
    outer_dims.assign(dims.begin() + 1, dims.end());
    for (size_t i = 0; i < kInputs; ++i)
      outer_strides[i].assign(strides[i].begin() + 1, strides[i].end());
  }

  // How many runs cover `out`.
  int64_t Count() const {
    int64_t runs = length == 0 ? 0 : 1;
    for (int64_t d : outer_dims) runs *= d;
    return runs;
  }

  // fn(out_offset, in_offsets) for runs [begin, end) in order.
  template <typename Fn>
  void ForEachIn(int64_t begin, int64_t end, Fn fn) const {
    if (begin >= end) return;
    std::vector<int64_t> counter(outer_dims.size(), 0);
    std::array<int64_t, kInputs> offsets{};
    int64_t rest = begin;
    for (size_t d = 0; d < outer_dims.size(); ++d) {  // outer_dims[0] is the innermost
      counter[d] = rest % outer_dims[d];
      rest /= outer_dims[d];
      for (size_t i = 0; i < kInputs; ++i) offsets[i] += outer_strides[i][d] * counter[d];
    }
    for (int64_t r = begin; r < end; ++r) {
      fn(r * length, offsets);
      for (size_t d = 0; d < outer_dims.size(); ++d) {
        ++counter[d];
        for (size_t i = 0; i < kInputs; ++i) offsets[i] += outer_strides[i][d];
        if (counter[d] < outer_dims[d]) break;
        for (size_t i = 0; i < kInputs; ++i) offsets[i] -= outer_strides[i][d] * counter[d];
        counter[d] = 0;
      }
    }
  }

  template <typename Fn>
  void ForEach(Fn fn) const {
    ForEachIn(0, Count(), fn);
  }

  // ForEach with the runs split among idle cores (internal/parallel_rows.h) when they hold
  // enough bytes; `bytes_per_element` counts every input's and the output's.
  template <typename Fn>
  void ForEachParallel(int64_t bytes_per_element, Fn fn) const {
    ForEachRowRange(Count(), length * bytes_per_element,
                    [&](int64_t begin, int64_t end) { ForEachIn(begin, end, fn); });
  }
};

// Applies out[i] = fn(a[i], b[i]) with broadcasting. In and out element types may differ
// (comparisons produce bool).
template <typename In, typename Out, typename Fn>
Status BinaryBroadcast(KernelContext& ctx, DataType out_dtype, Fn fn) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  auto shape = BroadcastShape(a.shape(), b.shape());
  if (!shape.ok()) return ctx.Error(shape.status().message());
  TERN_ASSIGN_OR_RETURN(Tensor * out,
                        ctx.AllocateOutput(0, out_dtype, *shape, Tensor::Contents::kUnset));
  const In* pa = a.flat<In>();
  const In* pb = b.flat<In>();
  Out* po = out->flat<Out>();
  const int64_t n = out->num_elements();
  const int64_t na = a.num_elements();
  const int64_t nb = b.num_elements();
  // Numbers are split among idle cores; strings (allocating per element) stay on this one.
  constexpr bool kParallel = std::is_trivially_copyable_v<In> && std::is_trivially_copyable_v<Out>;
  constexpr int64_t kBytes = 2 * static_cast<int64_t>(sizeof(In)) + sizeof(Out);
  auto elements = [&](auto loop) {
    if constexpr (kParallel) {
      ForEachElementRange(n, kBytes, loop);
    } else {
      loop(int64_t{0}, n);
    }
  };
  // For a middle broadcast: loop(i, row, inner) for each of the outer * middle rows of `out`,
  // i its offset and row the broadcast input's row it reads.
  auto rows = [&](const MiddleBroadcast& mb, auto loop, const In* repeated) {
    auto some = [&](int64_t begin, int64_t end) {
      for (int64_t q = begin; q < end; ++q) {
        loop(q * mb.inner, repeated + (q / mb.middle) * mb.inner, mb.inner);
      }
    };
    if constexpr (kParallel) {
      ForEachRowRange(mb.outer * mb.middle, mb.inner * kBytes, some);
    } else {
      some(0, mb.outer * mb.middle);
    }
  };
  if (na == n && nb == n) {
    elements([&](int64_t begin, int64_t end) {
      const In* x = pa;  // locals: a store through o cannot change them, so the loop vectorizes
      const In* y = pb;
      Out* o = po;
      for (int64_t i = begin; i < end; ++i) o[i] = fn(x[i], y[i]);
    });
  } else if (nb == 1 && na == n) {
    const In vb = pb[0];
    elements([&](int64_t begin, int64_t end) {
      const In* x = pa;
      const In y = vb;
      Out* o = po;
      for (int64_t i = begin; i < end; ++i) o[i] = fn(x[i], y);
    });
  } else if (na == 1 && nb == n) {
    const In va = pa[0];
    elements([&](int64_t begin, int64_t end) {
      const In x = va;
      const In* y = pb;
      Out* o = po;
      for (int64_t i = begin; i < end; ++i) o[i] = fn(x, y[i]);
    });
  } else if (std::optional<MiddleBroadcast> m;
             na == n && (m = FindMiddleBroadcast(b.shape(), *shape)) && m->inner > 1) {
    rows(
        *m,
        [&](int64_t i, const In* row, int64_t inner) {
          const In* x = pa + i;
          Out* o = po + i;
          for (int64_t k = 0; k < inner; ++k) o[k] = fn(x[k], row[k]);
        },
        pb);
  } else if (nb == n && (m = FindMiddleBroadcast(a.shape(), *shape)) && m->inner > 1) {
    rows(
        *m,
        [&](int64_t i, const In* row, int64_t inner) {
          const In* y = pb + i;
          Out* o = po + i;
          for (int64_t k = 0; k < inner; ++k) o[k] = fn(row[k], y[k]);
        },
        pa);
  } else if (n > 0) {
    const BroadcastRuns<2> runs({&a.shape(), &b.shape()}, *shape);
    const int64_t len = runs.length;
    const int64_t sa = runs.inner_strides[0], sb = runs.inner_strides[1];
    auto run = [&, len, sa, sb](int64_t o, const std::array<int64_t, 2>& at) {
      const In* ra = pa + at[0];
      const In* rb = pb + at[1];
      Out* ro = po + o;
      // The three kinds of run, each a loop the compiler can vectorize.
      if (sa == 1 && sb == 1) {
        for (int64_t k = 0; k < len; ++k) ro[k] = fn(ra[k], rb[k]);
      } else if (sa == 1) {
        const In vb = rb[0];
        for (int64_t k = 0; k < len; ++k) ro[k] = fn(ra[k], vb);
      } else if (sb == 1) {
        const In va = ra[0];
        for (int64_t k = 0; k < len; ++k) ro[k] = fn(va, rb[k]);
      } else {
        const Out v = fn(ra[0], rb[0]);
        for (int64_t k = 0; k < len; ++k) ro[k] = v;
      }
    };
    if constexpr (kParallel) {
      runs.ForEachParallel(kBytes, run);
    } else {
      runs.ForEach(run);
    }
  }
  return Status::Ok();
}

// Dispatches on the dtype of input 0 for arithmetic ops over the numeric types. float16 and
// bfloat16 run only for ops that opt in with `static constexpr bool kSupportsHalf = true;`:
// Eigen::half and Eigen::bfloat16 compute each operation in float and round to nearest-even, as
// TensorFlow's CPU kernels (Eigen too) do.
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
    case tensorflow::DT_BFLOAT16:
      if constexpr (requires { Op<float>::kSupportsHalf; }) {
        return BinaryBroadcast<Eigen::bfloat16, Eigen::bfloat16>(ctx, dtype, Op<Eigen::bfloat16>());
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
