// Sum: adds input over the dims in reduction_indices (int32/int64 scalar or vector; negative
// counts from the end; duplicates are an error), keeping them as size 1 with keep_dims (default
// false). float sums accumulate in double; integer sums wrap. float, double and the integers.
#include <type_traits>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/reduction.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
using Accumulator = std::conditional_t<std::is_same_v<T, float>, double, T>;

// Sums `in` viewed as the collapsed `dims`, whose reduced flags alternate, into `out` (the kept
// dims in order). Walks the input once in memory order.
template <typename T>
void ReduceSum(const T* in, const std::vector<int64_t>& dims, const std::vector<bool>& reduced,
               int64_t out_size, T* out) {
  using Acc = Accumulator<T>;
  std::vector<Acc> acc(static_cast<size_t>(out_size), Acc(0));
  const int rank = static_cast<int>(dims.size());
  int64_t total = 1;
  for (int64_t d : dims) total *= d;
  if (total > 0) {
    // Output strides: 0 for reduced dims.
    std::vector<int64_t> out_strides(rank, 0);
    int64_t s = 1;
    for (int i = rank - 1; i >= 0; --i) {
      if (!reduced[i]) {
        out_strides[i] = s;
        s *= dims[i];
      }
    }
    const int64_t inner = dims[rank - 1];
    const bool inner_reduced = reduced[rank - 1];
    std::vector<int64_t> counter(rank, 0);
    int64_t o = 0;
    for (int64_t i = 0; i < total; i += inner) {
      const T* row = in + i;
      if (inner_reduced) {
        Acc a = acc[o];
        for (int64_t j = 0; j < inner; ++j) a = WrappingAdd<Acc>(a, static_cast<Acc>(row[j]));
        acc[o] = a;
      } else {
        Acc* dst = acc.data() + o;
        for (int64_t j = 0; j < inner; ++j)
          dst[j] = WrappingAdd<Acc>(dst[j], static_cast<Acc>(row[j]));
      }
      for (int d = rank - 2; d >= 0; --d) {
        ++counter[d];
        o += out_strides[d];
        if (counter[d] < dims[d]) break;
        o -= out_strides[d] * counter[d];
        counter[d] = 0;
      }
    }
  }
  for (int64_t i = 0; i < out_size; ++i) out[i] = static_cast<T>(acc[i]);
}

class SumKernel final : public OpKernel {
 public:
  explicit SumKernel(bool keep_dims) : keep_dims_(keep_dims) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    TERN_ASSIGN_OR_RETURN(const std::vector<bool> reduce, ReducedDimensions(ctx, input));
    const int rank = input.rank();
    std::vector<int64_t> out_dims;
    // Collapsed view: adjacent dims with the same flag merged; size-1 dims dropped.
    std::vector<int64_t> dims;
    std::vector<bool> reduced;
    for (int i = 0; i < rank; ++i) {
      if (!reduce[i]) {
        out_dims.push_back(input.dim(i));
      } else if (keep_dims_) {
        out_dims.push_back(1);
      }
      if (input.dim(i) == 1) continue;
      if (!dims.empty() && reduced.back() == reduce[i]) {
        dims.back() *= input.dim(i);
      } else {
        dims.push_back(input.dim(i));
        reduced.push_back(reduce[i]);
      }
    }
    if (dims.empty()) {  // a single element
      dims.push_back(1);
      reduced.push_back(false);
    }
    return DispatchRealNumber(
        input.dtype(), "input",
        [&]<typename T>() -> Status {
          TERN_ASSIGN_OR_RETURN(Tensor * out,
                                ctx.AllocateOutput(0, input.dtype(), TensorShape(out_dims)));
          ReduceSum<T>(input.flat<T>(), dims, reduced, out->num_elements(), out->flat<T>());
          return Status::Ok();
        },
        ctx);
  }

 private:
  const bool keep_dims_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSumKernel(const KernelConstruction& c) {
  // keep_dims defaults to false (stripped from exports when false).
  return std::unique_ptr<OpKernel>(new SumKernel(c.GetBoolAttrOr("keep_dims", false)));
}

}  // namespace tern
