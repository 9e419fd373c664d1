// SelectV2: condition ? t : e elementwise, with NumPy broadcasting across all three inputs.
// Select (v1) is the same when the shapes match or condition is a scalar; its other form (a
// vector condition picking rows) is handled too.
#include <type_traits>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
void Select3(const bool* c, const T* t, const T* e, const BroadcastRuns<3>& runs, T* out) {
  const int64_t len = runs.length;
  const int64_t sc = runs.inner_strides[0], st = runs.inner_strides[1], se = runs.inner_strides[2];
  auto run = [&, len, sc, st, se](int64_t o, const std::array<int64_t, 3>& at) {
    const bool* rc = c + at[0];
    const T* rt = t + at[1];
    const T* re = e + at[2];
    T* ro = out + o;
    if (sc == 1 && st == 1 && se == 1) {
      for (int64_t k = 0; k < len; ++k) ro[k] = rc[k] ? rt[k] : re[k];
    } else if (sc == 1 && st == 1) {
      const T ve = re[0];
      for (int64_t k = 0; k < len; ++k) ro[k] = rc[k] ? rt[k] : ve;
    } else if (sc == 1 && se == 1) {
      const T vt = rt[0];
      for (int64_t k = 0; k < len; ++k) ro[k] = rc[k] ? vt : re[k];
    } else {
      for (int64_t k = 0; k < len; ++k) ro[k] = rc[k * sc] ? rt[k * st] : re[k * se];
    }
  };
  if constexpr (std::is_trivially_copyable_v<T>) {  // numbers: split among idle cores
    runs.ForEachParallel(1 + 3 * static_cast<int64_t>(sizeof(T)), run);
  } else {
    runs.ForEach(run);
  }
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
  const BroadcastRuns<3> runs({&cond_shape, &t.shape(), &e.shape()}, *shape);
  TERN_ASSIGN_OR_RETURN(Tensor * out,
                        ctx.AllocateOutput(0, t.dtype(), *shape, Tensor::Contents::kUnset));
  return DispatchByElementSize(
      t.dtype(), "t",
      [&]<typename T>() -> Status {
        Select3<T>(cond.flat<bool>(), t.flat<T>(), e.flat<T>(), runs, out->flat<T>());
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSelectV2Kernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeSelectV2>::Create(c);
}

}  // namespace tern
