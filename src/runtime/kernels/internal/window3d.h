// Sliding-window geometry of the 3-D ops (Conv3D, Conv3DBackpropInputV2, MaxPool3D, AvgPool3D;
// NDHWC): the strides/dilations/ksize/padding attrs and the output size and padding TensorFlow
// computes for an input. Stateless; thread-safe.
#pragma once

#include <array>
#include <cstdint>

#include "runtime/kernel.h"

namespace tern {

struct Window3DAttrs {
  std::array<int64_t, 3> strides = {1, 1, 1};    // D, H, W
  std::array<int64_t, 3> dilations = {1, 1, 1};  // convolutions only
  std::array<int64_t, 3> ksize = {1, 1, 1};      // pools only; convolutions take the filter's
  bool same_padding = false;                     // SAME, else VALID

  // Reads strides, padding (SAME/VALID), dilations (default 1s), data_format (NDHWC only) and,
  // with `pool`, ksize. Errors name the node and the attr.
  static StatusOr<Window3DAttrs> Parse(const KernelConstruction& c, bool pool);
};

struct Window3DGeometry {
  int64_t batch = 0, channels = 0;
  std::array<int64_t, 3> in{}, k{}, out{}, pad{};  // pad: implicit zeros before the input

  int64_t out_positions() const { return batch * out[0] * out[1] * out[2]; }
};

// Output size and padding for an NDHWC `input` shape and a window `k` (D, H, W).
StatusOr<Window3DGeometry> ComputeWindow3D(const KernelContext& ctx, const Window3DAttrs& a,
                                           const TensorShape& input,
                                           const std::array<int64_t, 3>& k);

}  // namespace tern
