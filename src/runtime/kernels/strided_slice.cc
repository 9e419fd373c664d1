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

class StridedSliceKernel final : public OpKernel {
 public:
  explicit StridedSliceKernel(Masks masks) : masks_(masks) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    std::vector<int64_t> begin, end, strides;
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "begin", &begin));
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(2), "end", &end));
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(3), "strides", &strides));
    if (ctx.input(2).dtype() != ctx.input(1).dtype() ||
        ctx.input(3).dtype() != ctx.input(1).dtype()) {
      return ctx.Error("begin, end and strides must have the same dtype");
    }
    if (begin.size() != end.size() || begin.size() != strides.size()) {
      return ctx.Error("begin, end and strides must have the same length, got " +
                       std::to_string(begin.size()) + ", " + std::to_string(end.size()) + " and " +
                       std::to_string(strides.size()));
    }
    if (begin.size() > 32) {
      return ctx.Error("at most 32 slice entries are supported, got " +
                       std::to_string(begin.size()));
    }

    // Sparse spec: the entries as given, plus an implicit trailing ellipsis if none is given.
    int sparse_dims = static_cast<int>(begin.size());
    Masks sparse = masks_;
    const uint64_t in_range = (uint64_t{1} << sparse_dims) - 1;
    sparse.begin &= in_range;
    sparse.end &= in_range;
    sparse.new_axis &= in_range;
    sparse.shrink &= in_range;
    sparse.ellipsis &= in_range;
    if (sparse.ellipsis & (sparse.ellipsis - 1)) {
      return ctx.Error("multiple ellipses in slice spec are not allowed");
    }
    if (sparse.ellipsis == 0) {
      sparse.ellipsis = uint64_t{1} << sparse_dims;
      ++sparse_dims;
    }
    int num_add_axis_after_ellipsis = 0;
    bool after_ellipsis = false;
    for (int i = 0; i < sparse_dims; ++i) {
      if (after_ellipsis && (sparse.new_axis & (uint64_t{1} << i))) ++num_add_axis_after_ellipsis;
      if (sparse.ellipsis & (uint64_t{1} << i)) after_ellipsis = true;
    }

    // Dense spec: one entry per input dimension.
    const int rank = input.rank();
    std::vector<int64_t> d_begin(rank, 0), d_end(rank, 0), d_stride(rank, 1);
    uint64_t d_begin_mask = 0, d_end_mask = 0, d_shrink = 0;
    std::vector<int64_t> gather;  // output dims: a dense dim, kNewAxis or kShrinkAxis
    int full = 0;
    for (int i = 0; i < sparse_dims; ++i) {
      const uint64_t bit = uint64_t{1} << i;
      if (sparse.ellipsis & bit) {
        const int next = std::min(rank - (sparse_dims - i) + 1 + num_add_axis_after_ellipsis, rank);
        for (; full < next; ++full) {
          d_begin_mask |= uint64_t{1} << full;
          d_end_mask |= uint64_t{1} << full;
          gather.push_back(full);
        }
      } else if (sparse.new_axis & bit) {
        gather.push_back(kNewAxis);
      } else {
        if (full == rank) {
          return ctx.Error("index out of range using input dim " + std::to_string(full) +
                           "; input " + input.shape().DebugString() + " has only " +
                           std::to_string(rank) + " dims");
        }
        d_begin[full] = begin[i];
        d_end[full] = end[i];
        d_stride[full] = strides[i];
        if (sparse.begin & bit) d_begin_mask |= uint64_t{1} << full;
        if (sparse.end & bit) d_end_mask |= uint64_t{1} << full;
        if (sparse.shrink & bit) {
          d_shrink |= uint64_t{1} << full;
          gather.push_back(kShrinkAxis);
        } else {
          gather.push_back(full);
        }
        ++full;
      }
    }

    // Canonical begin and size per input dimension.
    std::vector<int64_t> sizes(rank);
    bool identity = true;
    for (int i = 0; i < rank; ++i) {
      const uint64_t bit = uint64_t{1} << i;
      const int64_t dim = input.dim(i);
      const int64_t stride = d_stride[i];
      if (stride == 0) return ctx.Error("strides[" + std::to_string(i) + "] must be non-zero");
      const bool shrink = d_shrink & bit;
      if (shrink && stride <= 0) {
        return ctx.Error("only stride 1 allowed on non-range indexing (shrink_axis_mask)");
      }
      int64_t b = d_begin[i];
      int64_t e = d_end[i];
      if (shrink) {
        const int64_t fwd = b < 0 ? dim + b : b;
        if (fwd < 0 || fwd >= dim) {
          return ctx.Error("slice index " + std::to_string(b) + " of dimension " +
                           std::to_string(i) + " out of bounds for input " +
                           input.shape().DebugString());
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
        b = canonical(b, d_begin_mask & bit, false);
        e = canonical(e, d_end_mask & bit, true);
      }
      const int64_t interval = e - b;
      int64_t size = 0;
      if (interval != 0 && (interval < 0) == (stride < 0)) {
        size = interval / stride + (interval % stride != 0 ? 1 : 0);
      }
      d_begin[i] = b;
      sizes[i] = size;
      if (!(b == 0 && stride == 1 && size == dim)) identity = false;
    }

    std::vector<int64_t> out_dims;
    for (int64_t g : gather) {
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
      if (sizes[i] > 0) offset += d_begin[i] * in_strides[i];
      view_strides[i] = d_stride[i] * in_strides[i];
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
  const Masks masks_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStridedSliceKernel(const KernelConstruction& c) {
  Masks m;
  // Every mask defaults to 0; exports strip attrs equal to their default.
  const std::pair<const char*, uint64_t*> attrs[] = {
      {"begin_mask", &m.begin},       {"end_mask", &m.end},
      {"ellipsis_mask", &m.ellipsis}, {"new_axis_mask", &m.new_axis},
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
