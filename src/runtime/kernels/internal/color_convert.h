// What the colour-space ops (RGBToHSV, HSVToRGB) share: the check that the innermost dimension
// holds 3 channels, the output of the same shape and dtype, and the float/double dispatch. Each
// op passes its per-pixel conversion. Stateless; thread-safe.
#pragma once

#include <cstdint>

#include "runtime/kernel.h"

namespace tern {

// `convert(in, pixels, out)` is called with float or double pointers; 3 values per pixel.
template <typename Convert>
Status ComputeColorConversion(KernelContext& ctx, Convert convert) {
  const Tensor& images = ctx.input(0);
  if (images.rank() < 1 || images.dim(images.rank() - 1) != 3) {
    return ctx.Error("input must have 3 channels in its last dimension, got shape " +
                     images.shape().DebugString());
  }
  TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, images.dtype(), images.shape(),
                                                         Tensor::Contents::kUnset));
  const int64_t pixels = images.num_elements() / 3;
  switch (images.dtype()) {
    case tensorflow::DT_FLOAT: convert(images.flat<float>(), pixels, out->flat<float>()); break;
    case tensorflow::DT_DOUBLE: convert(images.flat<double>(), pixels, out->flat<double>()); break;
    default:
      return ctx.Error("images must be float or double, got " + DataTypeName(images.dtype()));
  }
  return Status::Ok();
}

}  // namespace tern
