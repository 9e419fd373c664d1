// ReduceJoin: joins strings along the axes in reduction_indices (negative counts from the end)
// with `separator`. Axes are joined in the order given: the first listed axis varies fastest in
// the joined string. keep_dims keeps reduced axes as size 1.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class ReduceJoinKernel final : public OpKernel {
 public:
  ReduceJoinKernel(bool keep_dims, std::string separator)
      : keep_dims_(keep_dims), separator_(std::move(separator)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    if (in.dtype() != tensorflow::DT_STRING) {
      return ctx.Error("inputs must be string, got " + DataTypeName(in.dtype()));
    }
    std::vector<int64_t> axes;
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(1), "reduction_indices", &axes,
                                         /*allow_scalar=*/true));
    const int rank = in.rank();
    std::vector<bool> reduced(rank, false);
    for (int64_t& a : axes) {
      if (a < -rank || a >= rank) {
        return ctx.Error("Invalid reduction dimension " + std::to_string(a) + " for input with " +
                         std::to_string(rank) + " dimension(s)");
      }
      if (a < 0) a += rank;
      if (reduced[a]) return ctx.Error("Duplicate reduction dimension " + std::to_string(a));
      reduced[a] = true;
    }
    const std::span<const int64_t> dims = in.shape().dims();
    const std::vector<int64_t> strides = RowMajorStrides(dims);
    std::vector<int64_t> kept, out_dims;
    for (int d = 0; d < rank; ++d) {
      if (!reduced[d]) kept.push_back(d);
      if (!reduced[d])
        out_dims.push_back(dims[d]);
      else if (keep_dims_)
        out_dims.push_back(1);
    }
    Tensor out(tensorflow::DT_STRING, TensorShape(out_dims));
    int64_t joined = 1;
    for (int64_t a : axes) joined *= dims[a];
    const std::string* src = in.flat<std::string>();
    std::vector<int64_t> kept_index(kept.size(), 0), red_index(axes.size(), 0);
    for (int64_t o = 0, n = out.num_elements(); o < n; ++o) {
      int64_t base = 0;
      for (size_t k = 0; k < kept.size(); ++k) base += kept_index[k] * strides[kept[k]];
      std::string s;
      std::fill(red_index.begin(), red_index.end(), 0);
      for (int64_t j = 0; j < joined; ++j) {
        int64_t at = base;
        for (size_t r = 0; r < axes.size(); ++r) at += red_index[r] * strides[axes[r]];
        if (j > 0) s += separator_;
        s += src[at];
        for (size_t r = 0; r < axes.size(); ++r) {  // first listed axis fastest
          if (++red_index[r] < dims[axes[r]]) break;
          red_index[r] = 0;
        }
      }
      out.flat<std::string>()[o] = std::move(s);
      for (size_t k = kept.size(); k-- > 0;) {  // row-major over the kept axes
        if (++kept_index[k] < dims[kept[k]]) break;
        kept_index[k] = 0;
      }
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  const bool keep_dims_;
  const std::string separator_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateReduceJoinKernel(const KernelConstruction& c) {
  return std::unique_ptr<OpKernel>(new ReduceJoinKernel(c.GetBoolAttrOr("keep_dims", false),
                                                        c.GetStringAttrOr("separator", "")));
}

}  // namespace tern
