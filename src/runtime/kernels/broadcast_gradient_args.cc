// BroadcastGradientArgs: for shapes s0 and s1 (1-D int32/int64), the dimensions of their
// broadcast shape along which each was broadcast (so a gradient sums over them). Training graphs
// (Keras train signatures) use it.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ComputeBroadcastGradientArgs(KernelContext& ctx) {
  std::vector<int64_t> s0, s1;
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(0), "s0", &s0));
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "s1", &s1));
  const size_t n = std::max(s0.size(), s1.size());
  std::vector<int64_t> x(n - s0.size(), 1), y(n - s1.size(), 1);
  x.insert(x.end(), s0.begin(), s0.end());
  y.insert(y.end(), s1.begin(), s1.end());
  std::vector<int64_t> r0, r1;
  for (size_t i = 0; i < n; ++i) {
    if (x[i] == y[i]) {
      if (x[i] == 1) {
        r0.push_back(static_cast<int64_t>(i));
        r1.push_back(static_cast<int64_t>(i));
      }
    } else if (x[i] == 1) {
      r0.push_back(static_cast<int64_t>(i));
    } else if (y[i] == 1) {
      r1.push_back(static_cast<int64_t>(i));
    } else {
      return ctx.Error("incompatible shapes: " + TensorShape(s0).DebugString() + " vs. " +
                       TensorShape(s1).DebugString());
    }
  }
  const DataType dtype = ctx.input(0).dtype();
  for (int k = 0; k < 2; ++k) {
    const std::vector<int64_t>& r = k == 0 ? r0 : r1;
    TERN_ASSIGN_OR_RETURN(
        Tensor * out, ctx.AllocateOutput(k, dtype, TensorShape{static_cast<int64_t>(r.size())}));
    for (size_t i = 0; i < r.size(); ++i) {
      if (dtype == tensorflow::DT_INT64) {
        out->flat<int64_t>()[i] = r[i];
      } else {
        out->flat<int32_t>()[i] = static_cast<int32_t>(r[i]);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateBroadcastGradientArgsKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeBroadcastGradientArgs>::Create(c);
}

}  // namespace tern
