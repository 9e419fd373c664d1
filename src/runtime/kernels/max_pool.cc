// MaxPool: the largest value in each ksize window (NHWC; strides; SAME/VALID/EXPLICIT padding,
// padded positions never win). float, double and the integer types; float through
// internal/vector_math.h's PoolRows (vectorized for the CPU at hand), split among idle cores.
#include <algorithm>
#include <limits>
#include <type_traits>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/internal/pool_rows.h"
#include "runtime/kernels/internal/window.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class MaxPoolKernel final : public OpKernel {
 public:
  explicit MaxPoolKernel(WindowAttrs attrs) : attrs_(attrs) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    TERN_ASSIGN_OR_RETURN(WindowGeometry g, ComputeWindow(ctx, attrs_, input.shape(),
                                                          attrs_.ksize_h, attrs_.ksize_w));
    return DispatchRealNumber(
        input.dtype(), "input",
        [&]<typename T>() -> Status {
          TERN_ASSIGN_OR_RETURN(
              Tensor * out, ctx.AllocateOutput(0, input.dtype(),
                                               TensorShape{g.batch, g.out_h, g.out_w, g.channels},
                                               Tensor::Contents::kUnset));  // each pixel filled
          const T* in = input.flat<T>();
          T* o = out->flat<T>();
          if constexpr (std::is_same_v<T, float>) {
            PoolFloatRows(g, attrs_, PoolArgs::Kind::kMax, in, o);
            return Status::Ok();
          }
          const int64_t c = g.channels;
          for (int64_t n = 0; n < g.batch; ++n) {
            for (int64_t oh = 0; oh < g.out_h; ++oh) {
              for (int64_t ow = 0; ow < g.out_w; ++ow) {
                T* dst = o + ((n * g.out_h + oh) * g.out_w + ow) * c;
                std::fill(dst, dst + c, std::numeric_limits<T>::lowest());
                for (int64_t kh = 0; kh < g.k_h; ++kh) {
                  const int64_t ih = oh * attrs_.stride_h - g.pad_top + kh;
                  if (ih < 0 || ih >= g.in_h) continue;
                  for (int64_t kw = 0; kw < g.k_w; ++kw) {
                    const int64_t iw = ow * attrs_.stride_w - g.pad_left + kw;
                    if (iw < 0 || iw >= g.in_w) continue;
                    const T* x = in + ((n * g.in_h + ih) * g.in_w + iw) * c;
                    for (int64_t j = 0; j < c; ++j) dst[j] = x[j] > dst[j] ? x[j] : dst[j];
                  }
                }
              }
            }
          }
          return Status::Ok();
        },
        ctx);
  }

 private:
  const WindowAttrs attrs_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateMaxPoolKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(WindowAttrs attrs, WindowAttrs::Parse(c, /*pool=*/true));
  return std::unique_ptr<OpKernel>(new MaxPoolKernel(attrs));
}

}  // namespace tern
