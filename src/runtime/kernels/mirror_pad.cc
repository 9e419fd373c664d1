// MirrorPad: pads every dimension with a mirror image of the input, as paddings [rank, 2]
// (before, after; int32 or int64) says. REFLECT leaves the edge out (abc -> cb|abc|ba) and allows
// pads up to dim - 1; SYMMETRIC repeats it (abc -> ba|abc|cb) and allows pads up to dim. Every
// dtype. Keras 3's spectrogram layers pad frames this way (tf.signal.stft's pad_end / center).
#include <string>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/paddings.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class MirrorPadKernel final : public OpKernel {
 public:
  explicit MirrorPadKernel(bool symmetric) : symmetric_(symmetric) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    const Tensor& paddings = ctx.input(1);
    const int rank = input.rank();
    std::vector<int64_t> pads;
    TERN_RETURN_IF_ERROR(ReadPaddings(ctx, input, paddings, &pads));
    const int64_t slack = symmetric_ ? 0 : 1;  // REFLECT cannot reuse the edge
    // For every dim, the input index each output position reads.
    std::vector<std::vector<int64_t>> source(rank);
    std::vector<int64_t> out_dims(rank);
    for (int d = 0; d < rank; ++d) {
      const int64_t dim = input.dim(d), before = pads[2 * d], after = pads[2 * d + 1];
      if (before < 0 || after < 0 || before > dim - slack || after > dim - slack) {
        return ctx.Error("paddings must be in [0, " + std::to_string(dim - slack) + "] for dim " +
                         std::to_string(d) + " of size " + std::to_string(dim) + " in mode " +
                         (symmetric_ ? "SYMMETRIC" : "REFLECT") + ", got " +
                         std::to_string(before) + ", " + std::to_string(after));
      }
      out_dims[d] = dim + before + after;
      for (int64_t o = 0; o < out_dims[d]; ++o) {
        const int64_t i = o - before;
        if (i < 0) {
          source[d].push_back(-i - 1 + slack);
        } else if (i >= dim) {
          source[d].push_back(2 * dim - 1 - slack - i);
        } else {
          source[d].push_back(i);
        }
      }
    }
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, input.dtype(), TensorShape(out_dims),
                                                           Tensor::Contents::kUnset));
    const std::vector<int64_t> strides = RowMajorStrides(input.shape().dims());
    const int64_t total = out->num_elements();
    return DispatchByElementSize(
        input.dtype(), "input",
        [&]<typename T>() -> Status {
          const T* in = input.flat<T>();
          T* o = out->flat<T>();
          std::vector<int64_t> counter(rank, 0);
          for (int64_t k = 0; k < total; ++k) {
            int64_t src = 0;
            for (int d = 0; d < rank; ++d) src += source[d][counter[d]] * strides[d];
            o[k] = in[src];
            for (int d = rank - 1; d >= 0; --d) {
              if (++counter[d] < out_dims[d]) break;
              counter[d] = 0;
            }
          }
          return Status::Ok();
        },
        ctx);
  }

 private:
  const bool symmetric_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateMirrorPadKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(std::string mode, c.GetStringAttr("mode"));
  if (mode != "REFLECT" && mode != "SYMMETRIC") {
    return c.Error("mode must be REFLECT or SYMMETRIC, got " + mode);
  }
  return std::unique_ptr<OpKernel>(new MirrorPadKernel(mode == "SYMMETRIC"));
}

}  // namespace tern
