// UnsortedSegmentJoin: joins the strings of `inputs` that share a segment id, in input order, with
// the `separator` attr. segment_ids' shape is a prefix of the inputs' shape (rank >= 1); the
// output is [num_segments] + the rest of the inputs' shape, "" where a segment got nothing.
// Every id must be in [0, num_segments), as TensorFlow requires (negative ids are not dropped).
// Like TensorFlow, a separator goes in only once the joined string is non-empty, so leading
// empty strings vanish: ["", "a", ""] joins to "a|", ["", ""] to "".
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class UnsortedSegmentJoinKernel final : public OpKernel {
 public:
  explicit UnsortedSegmentJoinKernel(std::string separator) : separator_(std::move(separator)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const Tensor& ids_t = ctx.input(1);
    if (in.dtype() != tensorflow::DT_STRING) {
      return ctx.Error("inputs must be string, got " + DataTypeName(in.dtype()));
    }
    int64_t num_segments = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(2), "num_segments", &num_segments));
    if (num_segments < 0) {
      return ctx.Error("Number of segments must be non-negative but got " +
                       std::to_string(num_segments));
    }
    if (ids_t.rank() == 0) return ctx.Error("Segment_id cannot have rank 0");
    if (ids_t.rank() > in.rank()) {
      return ctx.Error("Invalid segment_id rank " + std::to_string(ids_t.rank()) +
                       " for input with " + std::to_string(in.rank()) + " dimension(s)");
    }
    const std::span<const int64_t> dims = in.shape().dims();
    for (int d = 0; d < ids_t.rank(); ++d) {
      if (ids_t.shape().dim(d) != dims[d]) {
        return ctx.Error("segment_ids shape " + ids_t.shape().DebugString() +
                         " is not a prefix of the inputs' shape " + in.shape().DebugString());
      }
    }
    std::vector<int64_t> ids;
    TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, ids_t, "segment_ids", &ids));
    std::vector<int64_t> out_dims = {num_segments};
    out_dims.insert(out_dims.end(), dims.begin() + ids_t.rank(), dims.end());
    Tensor out(tensorflow::DT_STRING, TensorShape(out_dims));
    int64_t inner = 1;
    for (size_t d = ids_t.rank(); d < dims.size(); ++d) inner *= dims[d];
    for (int64_t id : ids) {
      if (id < 0 || id >= num_segments) {
        return ctx.Error(
            "segment_ids are not allowed to exceed num_segments or to have negative values.");
      }
    }
    const std::string* src = in.flat<std::string>();
    std::string* dst = out.flat<std::string>();
    for (size_t i = 0; i < ids.size(); ++i) {
      const int64_t id = ids[i];
      for (int64_t j = 0; j < inner; ++j) {
        std::string& joined = dst[id * inner + j];
        if (!joined.empty()) joined += separator_;
        joined += src[static_cast<int64_t>(i) * inner + j];
      }
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  const std::string separator_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateUnsortedSegmentJoinKernel(const KernelConstruction& c) {
  return std::unique_ptr<OpKernel>(
      new UnsortedSegmentJoinKernel(c.GetStringAttrOr("separator", "")));
}

}  // namespace tern
