// MatrixBandPart: keeps the band of each innermost matrix [..., M, N] and zeroes the rest:
// element (m, n) stays when (num_lower < 0 || m - n <= num_lower) and
// (num_upper < 0 || n - m <= num_upper). A negative bound keeps that whole triangle
// (band_part(ones, -1, 0) is the lower-triangular causal mask). Any dtype; the bounds are
// int32 or int64 scalars.
#include <algorithm>
#include <string>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

Status ReadBound(const KernelContext& ctx, const Tensor& t, const char* name, int64_t limit,
                 const char* limit_name, int64_t* out) {
  if (t.rank() != 0) {
    return ctx.Error(std::string(name) + " must be scalar, got shape " + t.shape().DebugString());
  }
  TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, t, name, out));
  if (*out > limit) {
    return ctx.Error(std::string(name) + " must be negative or less or equal to number of " +
                     limit_name + " (" + std::to_string(limit) + ") got: " + std::to_string(*out));
  }
  return Status::Ok();
}

Status ComputeMatrixBandPart(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) {
    return ctx.Error("input must be at least 2-dim, received shape: " + x.shape().DebugString());
  }
  const int64_t rows = x.dim(x.rank() - 2);
  const int64_t cols = x.dim(x.rank() - 1);
  int64_t lower = 0, upper = 0;
  TERN_RETURN_IF_ERROR(ReadBound(ctx, ctx.input(1), "num_lower", rows, "rows", &lower));
  TERN_RETURN_IF_ERROR(ReadBound(ctx, ctx.input(2), "num_upper", cols, "columns", &upper));
  if (lower < 0) lower = rows;  // m - n < rows always
  if (upper < 0) upper = cols;
  return DispatchByElementSize(
      x.dtype(), "input",
      [&]<typename T>() -> Status {
        TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
        const T* in = x.flat<T>();
        T* o = out->flat<T>();  // zero-filled (empty strings)
        const int64_t matrices = rows * cols == 0 ? 0 : x.num_elements() / (rows * cols);
        for (int64_t b = 0; b < matrices; ++b) {
          for (int64_t m = 0; m < rows; ++m) {
            // Columns n with m - n <= lower and n - m <= upper.
            const int64_t begin = std::max<int64_t>(0, m - lower);
            const int64_t end = std::min<int64_t>(cols, m + upper + 1);
            const int64_t row = (b * rows + m) * cols;
            for (int64_t n = begin; n < end; ++n) o[row + n] = in[row + n];
          }
        }
        return Status::Ok();
      },
      ctx);
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateMatrixBandPartKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeMatrixBandPart>::Create(c);
}

}  // namespace tern
