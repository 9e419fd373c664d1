// Tern's own convolution loops (NHWC), for what oneDNN does not take (double, shapes it only
// has a reference implementation for, TERN_ONEDNN=0): Conv2D lowered to GEMM, and a direct
// depthwise loop. The output must be zero-filled on entry. Stateless; thread-safe.
#pragma once

#include "runtime/kernels/internal/window.h"

namespace tern {

// out [N,OH,OW,OC] = conv(in, filter [KH,KW,C,OC]). float, double.
template <typename T>
void ConvByGemm(const T* in, const T* filter, const WindowGeometry& g, const WindowAttrs& a,
                int64_t out_channels, T* out);

// out [N,OH,OW,C*M] = depthwise conv(in, filter [KH,KW,C,M]). float, double.
template <typename T>
void DepthwiseDirect(const T* in, const T* filter, const WindowGeometry& g, const WindowAttrs& a,
                     int64_t mult, T* out);

}  // namespace tern
