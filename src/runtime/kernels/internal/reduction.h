// Reductions over the dims named by a reduction_indices input (Mean, Max, Min, Prod; Sum has its
// own kernel and shares only the axis validation): keep_dims, and one pass over the input in
// memory order.
// Stateless; thread-safe.
#pragma once

#include <Eigen/Core>

#include <array>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/vector_math.h"

namespace tern {

// The dims that input 1 (`reduction_indices`: an int32/int64 scalar or vector, negative counting
// from the end) names, as one flag per dim of `input`. Out-of-range or repeated dims are errors.
inline StatusOr<std::vector<bool>> ReducedDimensions(const KernelContext& ctx,
                                                     const Tensor& input) {
  std::vector<int64_t> axes;
  TERN_RETURN_IF_ERROR(
      ReadIndexVector(ctx, ctx.input(1), "reduction_indices", &axes, /*allow_scalar=*/true));
  const int rank = input.rank();
  std::vector<bool> reduce(rank, false);
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) {
      return ctx.Error("invalid reduction dimension " + std::to_string(a) + " for input of shape " +
                       input.shape().DebugString());
    }
    const int64_t d = a < 0 ? a + rank : a;
    if (reduce[d]) {
      return ctx.Error("reduction_indices contains duplicate dimension " + std::to_string(d));
    }
    reduce[d] = true;
  }
  return reduce;
}

// When the reduced dims (ignoring dims of size 1) are one contiguous run, the input as
// [outer, reduced, inner]: global pooling's Mean over H and W of NHWC; [1, 1, all] when every
// reduced dim has size 1 (that Mean over a 1x1 map, which the element-wise loop below took
// 4-5 ns per element for).
inline std::optional<std::array<int64_t, 3>> ReducedBlock(const TensorShape& shape,
                                                          const std::vector<bool>& reduce) {
  int first = -1, last = -1;
  for (int i = 0; i < shape.rank(); ++i) {
    if (reduce[i] && shape.dim(i) != 1) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return std::array<int64_t, 3>{1, 1, shape.num_elements()};
  for (int i = first; i <= last; ++i) {
    if (!reduce[i] && shape.dim(i) != 1) return std::nullopt;
  }
  std::array<int64_t, 3> block = {1, 1, 1};
  for (int i = 0; i < shape.rank(); ++i) block[i < first ? 0 : i <= last ? 1 : 2] *= shape.dim(i);
  return block;
}

// Reducer<T> provides: using Acc; Acc Init(); Acc Combine(Acc, T); T Finish(Acc, int64_t count).
// A reducer whose Combine is a floating-point sum declares `static constexpr bool kFloatSum`
// true: a reduction over the innermost dim then keeps eight partial sums, which vectorize (a
// single running sum waits on each add; in double, as Mean accumulates, the order matters less
// than float's rounding).
// float16 runs only for reducers that opt in with `static constexpr bool kSupportsHalf = true;`
// (exact ones such as Max; Mean and Prod would need TensorFlow's accumulation order). Logical
// reducers (Any, All) declare `static constexpr bool kBooleanOnly = true;` and take bool only.
// Whether reducer R sums floats into doubles (Mean of float): AddRowsInDouble's case.
template <typename R, typename T>
constexpr bool SumsFloatsInDouble() {
  if constexpr (requires { R::kFloatSum; }) {
    return R::kFloatSum && std::is_same_v<T, float> && std::is_same_v<typename R::Acc, double>;
  }
  return false;
}

template <template <typename> class Reducer>
class ReductionKernel final : public OpKernel {
 public:
  explicit ReductionKernel(bool keep_dims) : keep_dims_(keep_dims) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    TERN_ASSIGN_OR_RETURN(const std::vector<bool> reduce, ReducedDimensions(ctx, input));
    const int rank = input.rank();
    std::vector<int64_t> out_dims, out_strides(rank, 0);
    int64_t count = 1;
    for (int i = 0; i < rank; ++i) {
      if (!reduce[i]) {
        out_dims.push_back(input.dim(i));
      } else {
        count *= input.dim(i);
        if (keep_dims_) out_dims.push_back(1);
      }
    }
    int64_t stride = 1;
    for (int i = rank - 1; i >= 0; --i) {
      if (!reduce[i]) {
        out_strides[i] = stride;
        stride *= input.dim(i);
      }
    }
    auto reduce_as = [&]<typename T>() -> Status {
      using R = Reducer<T>;
      TERN_ASSIGN_OR_RETURN(
          Tensor * out,
          ctx.AllocateOutput(0, input.dtype(), TensorShape(out_dims), Tensor::Contents::kUnset));
      const int64_t n_out = out->num_elements();
      std::vector<typename R::Acc> acc(static_cast<size_t>(n_out), R::Init());
      const T* in = input.flat<T>();
      const int64_t total = input.num_elements();
      if (const auto block = ReducedBlock(input.shape(), reduce)) {
        // The same order of Combine calls per output as the general loop below, vectorizable.
        const auto [outer, middle, inner] = *block;
        if constexpr (requires { R::kFloatSum; }) {
          if (R::kFloatSum && inner == 1) {
            T* po = out->flat<T>();
            for (int64_t o = 0; o < outer; ++o) {
              const T* x = in + o * middle;
              typename R::Acc part[8] = {};
              int64_t m = 0;
              for (; m + 8 <= middle; m += 8) {
                for (int j = 0; j < 8; ++j) part[j] += static_cast<typename R::Acc>(x[m + j]);
              }
              for (; m < middle; ++m) part[0] += static_cast<typename R::Acc>(x[m]);
              po[o] = R::Finish(((part[0] + part[4]) + (part[1] + part[5])) +
                                    ((part[2] + part[6]) + (part[3] + part[7])),
                                count);
            }
            return Status::Ok();
          }
        }
        for (int64_t o = 0; o < outer; ++o) {
          typename R::Acc* row = acc.data() + o * inner;
          if constexpr (SumsFloatsInDouble<R, T>()) {
            // The same adds in the same order, vectorized per ISA.
            AddRowsInDouble(in + o * middle * inner, middle, inner, row);
            continue;
          }
          for (int64_t m = 0; m < middle; ++m) {
            const T* x = in + (o * middle + m) * inner;
            for (int64_t k = 0; k < inner; ++k) row[k] = R::Combine(row[k], x[k]);
          }
        }
        T* po = out->flat<T>();
        for (int64_t i = 0; i < n_out; ++i) po[i] = R::Finish(acc[i], count);
        return Status::Ok();
      }
      std::vector<int64_t> counter(rank, 0);
      int64_t o = 0;
      for (int64_t i = 0; i < total; ++i) {
        acc[o] = R::Combine(acc[o], in[i]);
        for (int d = rank - 1; d >= 0; --d) {
          ++counter[d];
          o += out_strides[d];
          if (counter[d] < input.dim(d)) break;
          o -= out_strides[d] * counter[d];
          counter[d] = 0;
        }
      }
      T* po = out->flat<T>();
      for (int64_t i = 0; i < n_out; ++i) po[i] = R::Finish(acc[i], count);
      return Status::Ok();
    };
    if constexpr (requires { Reducer<bool>::kBooleanOnly; }) {
      if (input.dtype() != tensorflow::DT_BOOL) {
        return ctx.Error("input has dtype " + DataTypeName(input.dtype()) + ", expected bool");
      }
      return reduce_as.template operator()<bool>();
    }
    if (input.dtype() == tensorflow::DT_HALF) {
      if constexpr (requires { Reducer<float>::kSupportsHalf; }) {
        return reduce_as.template operator()<Eigen::half>();
      }
    }
    return DispatchRealNumber(input.dtype(), "input", reduce_as, ctx);
  }

  static StatusOr<std::unique_ptr<OpKernel>> Create(const KernelConstruction& c) {
    // keep_dims defaults to false (stripped from exports when false).
    return std::unique_ptr<OpKernel>(new ReductionKernel(c.GetBoolAttrOr("keep_dims", false)));
  }

 private:
  const bool keep_dims_;
};

}  // namespace tern
