// SelectV2: condition ? t : e elementwise, with NumPy broadcasting across all three inputs.
// Select (v1) is the same when the shapes match or condition is a scalar; its other form (a
// vector condition picking rows) is handled too.
#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
void Select3(const bool* c, const T* t, const T* e, const std::vector<int64_t>& ic,
             const std::vector<int64_t>& it, const std::vector<int64_t>& ie, int64_t n, T* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = c[ic[i]] ? t[it[i]] : e[ie[i]];
}

Status ComputeSelectV2(KernelContext& ctx) {
  const Tensor& cond = ctx.input(0);
  const Tensor& t = ctx.input(1);
  const Tensor& e = ctx.input(2);
  if (cond.dtype() != tensorflow::DT_BOOL) {
    return ctx.Error("condition must be bool, got " + DataTypeName(cond.dtype()));
  }
  if (t.dtype() != e.dtype()) {
    return ctx.Error("t and e have different dtypes: " + DataTypeName(t.dtype()) + " and " +
                     DataTypeName(e.dtype()));
  }
  TensorShape cond_shape = cond.shape();
  // Select v1 with a vector condition over the rows of a higher-rank t.
  if (ctx.op() == "Select" && cond.rank() == 1 && t.rank() > 1) {
    if (cond.dim(0) != t.dim(0)) {
      return ctx.Error("condition has " + std::to_string(cond.dim(0)) + " elements, t has " +
                       std::to_string(t.dim(0)) + " rows");
    }
    std::vector<int64_t> dims(t.rank(), 1);
    dims[0] = cond.dim(0);
    cond_shape = TensorShape(std::move(dims));
  }
  auto te = BroadcastShape(t.shape(), e.shape());
  if (!te.ok()) return ctx.Error(te.status().message());
  auto shape = BroadcastShape(cond_shape, *te);
  if (!shape.ok()) return ctx.Error(shape.status().message());
  const auto ic = BroadcastIndex(cond_shape, *shape);
  const auto it = BroadcastIndex(t.shape(), *shape);
  const auto ie = BroadcastIndex(e.shape(), *shape);
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, t.dtype(), *shape));
  const int64_t n = out->num_elements();
  return DispatchByElementSize(
      t.dtype(), "t",
      [&]<typename T>() -> Status {
        Select3<T>(cond.flat<bool>(), t.flat<T>(), e.flat<T>(), ic, it, ie, n, out->flat<T>());
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSelectV2Kernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSelectV2>::Create(c);
}

}  // namespace tern
