// StridedSlice: NumPy-style basic indexing, input[begin:end:strides] per dimension, with the
// five masks of TensorFlow's OpDef (all default 0):
//   begin_mask / end_mask   bit i: ignore begin[i] / end[i] and take the fullest range
//   ellipsis_mask           bit i: entry i is "...", covering the dims not otherwise named
//   new_axis_mask           bit i: entry i inserts a dimension of size 1
//   shrink_axis_mask        bit i: entry i takes the single index begin[i] and drops the dim
// begin, end and strides are 1-D int32/int64 of one length; negative indices count from the
// end, out-of-range range bounds are clamped, negative strides walk backwards. Any dtype.
// The spec is canonicalised as TensorFlow's ValidateStridedSliceOp does (sparse spec -> dense
// spec over the input's dims -> per-dim begin/size), so shapes and errors match it.
#include <algorithm>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

struct Masks {
  uint64_t begin = 0;
  uint64_t end = 0;
  uint64_t ellipsis = 0;
  uint64_t new_axis = 0;
  uint64_t shrink = 0;
};

constexpr int64_t kNewAxis = -1;
constexpr int64_t kShrinkAxis = -2;

// The slice entries as given, plus an implicit trailing ellipsis if none is given.
struct SparseSpec {
  std::vector<int64_t> begin, end, strides;
  Masks masks;
  int dims = 0;
  int new_axes_after_ellipsis = 0;
};

// One entry per input dimension.
struct DenseSpec {
  std::vector<int64_t> begin, end, strides;
  uint64_t begin_mask = 0, end_mask = 0, shrink = 0;
  std::vector<int64_t> gather;  // output dims: a dense dim, kNewAxis or kShrinkAxis
};

// Rewrites dense->begin[i] to the canonical begin of input dimension i; sets its size.
Status CanonicalizeDim(const KernelContext& ctx, const Tensor& input, int i, DenseSpec* dense,
                       int64_t* size) {
  const uint64_t bit = uint64_t{1} << i;
  const int64_t dim = input.dim(i);
  const int64_t stride = dense->strides[i];
  if (stride == 0) return ctx.Error("strides[" + std::to_string(i) + "] must be non-zero");
  const bool shrink = dense->shrink & bit;
  if (shrink && stride <= 0) {
    return ctx.Error("only stride 1 allowed on non-range indexing (shrink_axis_mask)");
  }
  int64_t b = dense->begin[i];
  int64_t e = dense->end[i];
  if (shrink) {
    const int64_t fwd = b < 0 ? dim + b : b;
    if (fwd < 0 || fwd >= dim) {
      return ctx.Error("slice index " + std::to_string(b) + " of dimension " + std::to_string(i) +
                       " out of bounds for input " + input.shape().DebugString());
    }
    b = fwd;
    e = fwd + 1;
  } else {
    const int64_t lo = stride > 0 ? 0 : -1;
    const int64_t hi = stride > 0 ? dim : dim - 1;
    auto canonical = [&](int64_t x, bool masked, bool is_end) {
      if (masked) return (stride > 0) != is_end ? lo : hi;
      const int64_t fwd = x < 0 ? dim + x : x;
      return std::clamp(fwd, lo, hi);
    };
    b = canonical(b, dense->begin_mask & bit, false);
    e = canonical(e, dense->end_mask & bit, true);
  }
  const int64_t interval = e - b;
  *size = 0;
  if (interval != 0 && (interval < 0) == (stride < 0)) {
    *size = interval / stride + (interval % stride != 0 ? 1 : 0);
  }
  dense->begin[i] = b;
  return Status::Ok();
}

class StridedSliceKernel final : public OpKernel {
 public:
  explicit StridedSliceKernel(Masks masks) : masks_(masks) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    SparseSpec sparse;
    TERN_RETURN_IF_ERROR(ReadSparseSpec(ctx, &sparse));
    DenseSpec dense;
    TERN_RETURN_IF_ERROR(Densify(ctx, sparse, input, &dense));

    const int rank = input.rank();
    std::vector<int64_t> sizes(rank);
    bool identity = true;
    for (int i = 0; i < rank; ++i) {
      TERN_RETURN_IF_ERROR(CanonicalizeDim(ctx, input, i, &dense, &sizes[i]));
      if (!(dense.begin[i] == 0 && dense.strides[i] == 1 && sizes[i] == input.dim(i))) {
        identity = false;
      }
    }

    std::vector<int64_t> out_dims;
    for (int64_t g : dense.gather) {
      if (g == kNewAxis) {
        out_dims.push_back(1);
      } else if (g != kShrinkAxis) {
        out_dims.push_back(sizes[g]);
      }
    }
    if (identity) {
      ctx.set_output(0, input.WithShape(TensorShape(std::move(out_dims))));
      return Status::Ok();
    }
    const std::vector<int64_t> in_strides = RowMajorStrides(input.shape().dims());
    int64_t offset = 0;
    std::vector<int64_t> view_strides(rank);
    for (int i = 0; i < rank; ++i) {
      if (sizes[i] > 0) offset += dense.begin[i] * in_strides[i];
      view_strides[i] = dense.strides[i] * in_strides[i];
    }
    return DispatchByElementSize(
        input.dtype(), "input",
        [&]<typename T>() -> Status {
          TERN_ASSIGN_OR_RETURN(Tensor * out,
                                ctx.AllocateOutput(0, input.dtype(), TensorShape(out_dims)));
          StridedGather(input.flat<T>(), offset, sizes, view_strides, out->flat<T>());
          return Status::Ok();
        },
        ctx);
  }

 private:
  Status ReadSparseSpec(const KernelContext& ctx, SparseSpec* sparse) const {
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "begin", &sparse->begin));
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(2), "end", &sparse->end));
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(3), "strides", &sparse->strides));
    const size_t entries = sparse->begin.size();
    if (ctx.input(2).dtype() != ctx.input(1).dtype() ||
        ctx.input(3).dtype() != ctx.input(1).dtype()) {
      return ctx.Error("begin, end and strides must have the same dtype");
    }
    if (entries != sparse->end.size() || entries != sparse->strides.size()) {
      return ctx.Error("begin, end and strides must have the same length, got " +
                       std::to_string(entries) + ", " + std::to_string(sparse->end.size()) +
                       " and " + std::to_string(sparse->strides.size()));
    }
    if (entries > 32) {
      return ctx.Error("at most 32 slice entries are supported, got " + std::to_string(entries));
    }
    sparse->dims = static_cast<int>(entries);
    Masks& m = sparse->masks;
    m = masks_;
    const uint64_t in_range = (uint64_t{1} << sparse->dims) - 1;
    m.begin &= in_range;
    m.end &= in_range;
    m.new_axis &= in_range;
    m.shrink &= in_range;
    m.ellipsis &= in_range;
    if (m.ellipsis & (m.ellipsis - 1)) {
      return ctx.Error("multiple ellipses in slice spec are not allowed");
    }
    if (m.ellipsis == 0) {
      m.ellipsis = uint64_t{1} << sparse->dims;
      ++sparse->dims;
    }
    bool after_ellipsis = false;
    for (int i = 0; i < sparse->dims; ++i) {
      if (after_ellipsis && (m.new_axis & (uint64_t{1} << i))) ++sparse->new_axes_after_ellipsis;
      if (m.ellipsis & (uint64_t{1} << i)) after_ellipsis = true;
    }
    return Status::Ok();
  }

  static Status Densify(const KernelContext& ctx, const SparseSpec& sparse, const Tensor& input,
                        DenseSpec* dense) {
    const int rank = input.rank();
    dense->begin.assign(rank, 0);
    dense->end.assign(rank, 0);
    dense->strides.assign(rank, 1);
    int full = 0;
    for (int i = 0; i < sparse.dims; ++i) {
      const uint64_t bit = uint64_t{1} << i;
      if (sparse.masks.ellipsis & bit) {
        const int next =
            std::min(rank - (sparse.dims - i) + 1 + sparse.new_axes_after_ellipsis, rank);
        for (; full < next; ++full) {
          dense->begin_mask |= uint64_t{1} << full;
          dense->end_mask |= uint64_t{1} << full;
          dense->gather.push_back(full);
        }
      } else if (sparse.masks.new_axis & bit) {
        dense->gather.push_back(kNewAxis);
      } else {
        if (full == rank) {
          return ctx.Error("index out of range using input dim " + std::to_string(full) +
                           "; input " + input.shape().DebugString() + " has only " +
                           std::to_string(rank) + " dims");
        }
        dense->begin[full] = sparse.begin[i];
        dense->end[full] = sparse.end[i];
        dense->strides[full] = sparse.strides[i];
        if (sparse.masks.begin & bit) dense->begin_mask |= uint64_t{1} << full;
        if (sparse.masks.end & bit) dense->end_mask |= uint64_t{1} << full;
        if (sparse.masks.shrink & bit) {
          dense->shrink |= uint64_t{1} << full;
          dense->gather.push_back(kShrinkAxis);
        } else {
          dense->gather.push_back(full);
        }
        ++full;
      }
    }
    return Status::Ok();
  }

  const Masks masks_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStridedSliceKernel(const KernelConstruction& c) {
  Masks m;
  // Every mask defaults to 0; exports strip attrs equal to their default.
  const std::pair<const char*, uint64_t*> attrs[] = {{"begin_mask", &m.begin},
                                                     {"end_mask", &m.end},
                                                     {"ellipsis_mask", &m.ellipsis},
                                                     {"new_axis_mask", &m.new_axis},
                                                     {"shrink_axis_mask", &m.shrink}};
  for (const auto& [name, field] : attrs) {
    if (!c.HasAttr(name)) continue;
    TERN_ASSIGN_OR_RETURN(int64_t v, c.GetIntAttr(name));
    if (v < 0 || v > INT32_MAX) {
      return c.Error(std::string(name) + " must be a non-negative 32-bit mask, got " +
                     std::to_string(v));
    }
    *field = static_cast<uint64_t>(v);
  }
  return std::unique_ptr<OpKernel>(new StridedSliceKernel(m));
}

}  // namespace tern
