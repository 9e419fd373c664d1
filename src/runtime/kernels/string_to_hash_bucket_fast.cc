// StringToHashBucketFast: Fingerprint64(s) mod num_buckets, as int64 (see string_hash.h).
#include "runtime/kernels/kernels.h"
#include "runtime/string_hash.h"

namespace tern {
namespace {

class StringToHashBucketFastKernel final : public OpKernel {
 public:
  explicit StringToHashBucketFastKernel(uint64_t num_buckets) : num_buckets_(num_buckets) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    if (in.dtype() != tensorflow::DT_STRING) {
      return ctx.Error("input must be string, got " + DataTypeName(in.dtype()));
    }
    Tensor out(tensorflow::DT_INT64, in.shape());
    const std::string* s = in.flat<std::string>();
    int64_t* o = out.flat<int64_t>();
    for (int64_t i = 0, n = in.num_elements(); i < n; ++i) {
      o[i] = static_cast<int64_t>(Fingerprint64(s[i]) % num_buckets_);
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  const uint64_t num_buckets_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStringToHashBucketFastKernel(
    const KernelConstruction& c) {
  ASSIGN_OR_RETURN(int64_t num_buckets, c.GetIntAttr("num_buckets"));
  if (num_buckets < 1) {
    return c.Error("num_buckets must be >= 1, got " + std::to_string(num_buckets));
  }
  return std::unique_ptr<OpKernel>(
      new StringToHashBucketFastKernel(static_cast<uint64_t>(num_buckets)));
}

}  // namespace tern
