#include "runtime/kernels/internal/window3d.h"

#include <algorithm>
#include <string>
#include <vector>

namespace tern {
namespace {

// A 5-element [1, d, h, w, 1] list attr, each >= 1.
Status ReadSpatial(const KernelConstruction& c, std::string_view name,
                   std::array<int64_t, 3>* out) {
  TERN_ASSIGN_OR_RETURN(std::vector<int64_t> v, c.GetIntListAttr(name));
  if (v.size() != 5 || v[0] != 1 || v[4] != 1 || v[1] < 1 || v[2] < 1 || v[3] < 1) {
    return c.Error(std::string(name) + " must be [1, d, h, w, 1] with d, h, w >= 1");
  }
  *out = {v[1], v[2], v[3]};
  return Status::Ok();
}

}  // namespace

StatusOr<Window3DAttrs> Window3DAttrs::Parse(const KernelConstruction& c, bool pool) {
  Window3DAttrs a;
  const std::string format = c.GetStringAttrOr("data_format", "NDHWC");
  if (format != "NDHWC") {
    return c.Error("data_format " + format +
                   " is not supported on CPU (NDHWC only, as in "
                   "TensorFlow)");
  }
  TERN_RETURN_IF_ERROR(ReadSpatial(c, "strides", &a.strides));
  if (c.HasAttr("dilations")) TERN_RETURN_IF_ERROR(ReadSpatial(c, "dilations", &a.dilations));
  if (pool) TERN_RETURN_IF_ERROR(ReadSpatial(c, "ksize", &a.ksize));
  TERN_ASSIGN_OR_RETURN(std::string padding, c.GetStringAttr("padding"));
  if (padding != "SAME" && padding != "VALID") {
    return c.Error("padding must be SAME or VALID, got '" + padding + "'");
  }
  a.same_padding = padding == "SAME";
  return a;
}

StatusOr<Window3DGeometry> ComputeWindow3D(const KernelContext& ctx, const Window3DAttrs& a,
                                           const TensorShape& input,
                                           const std::array<int64_t, 3>& k) {
  if (input.rank() != 5) {
    return ctx.Error("input must be 5-D (NDHWC), got shape " + input.DebugString());
  }
  Window3DGeometry g;
  g.batch = input.dim(0);
  g.channels = input.dim(4);
  g.k = k;
  for (int i = 0; i < 3; ++i) {
    const int64_t in = input.dim(i + 1);
    const int64_t effective = (k[i] - 1) * a.dilations[i] + 1;
    g.in[i] = in;
    if (a.same_padding) {
      g.out[i] = (in + a.strides[i] - 1) / a.strides[i];
      g.pad[i] = std::max<int64_t>((g.out[i] - 1) * a.strides[i] + effective - in, 0) / 2;
    } else {
      // TensorFlow's rule: a window wider than the input by less than a stride gives an empty
      // output, a wider one is an error.
      g.out[i] = (in - effective + a.strides[i]) / a.strides[i];
      if (in - effective + a.strides[i] < 0) {
        return ctx.Error("the " + std::to_string(k[0]) + "x" + std::to_string(k[1]) + "x" +
                         std::to_string(k[2]) + " window (dilated) does not fit input " +
                         input.DebugString() + " with VALID padding");
      }
      g.pad[i] = 0;
    }
  }
  return g;
}

}  // namespace tern
