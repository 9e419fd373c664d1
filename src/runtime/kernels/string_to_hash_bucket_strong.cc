// StringToHashBucketStrong: SipHash-2-4 of each string keyed by attr key (two integers) mod
// num_buckets, as int64 (see string_hash.h).
#include "runtime/kernels/kernels.h"
#include "runtime/string_hash.h"

namespace tern {
namespace {

class StringToHashBucketStrongKernel final : public OpKernel {
 public:
  StringToHashBucketStrongKernel(uint64_t num_buckets, uint64_t key0, uint64_t key1)
      : num_buckets_(num_buckets), key0_(key0), key1_(key1) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    if (in.dtype() != tensorflow::DT_STRING) {
      return ctx.Error("input must be string, got " + DataTypeName(in.dtype()));
    }
    Tensor out(tensorflow::DT_INT64, in.shape());
    const std::string* s = in.flat<std::string>();
    int64_t* o = out.flat<int64_t>();
    for (int64_t i = 0, n = in.num_elements(); i < n; ++i) {
      o[i] = static_cast<int64_t>(SipHash24(key0_, key1_, s[i]) % num_buckets_);
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  const uint64_t num_buckets_, key0_, key1_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStringToHashBucketStrongKernel(
    const KernelConstruction& c) {
  ASSIGN_OR_RETURN(int64_t num_buckets, c.GetIntAttr("num_buckets"));
  if (num_buckets < 1) {
    return c.Error("num_buckets must be >= 1, got " + std::to_string(num_buckets));
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> key, c.GetIntListAttr("key"));
  if (key.size() != 2) {
    return c.Error("key must have exactly 2 elements, got " + std::to_string(key.size()));
  }
  return std::unique_ptr<OpKernel>(new StringToHashBucketStrongKernel(
      static_cast<uint64_t>(num_buckets), static_cast<uint64_t>(key[0]),
      static_cast<uint64_t>(key[1])));
}

}  // namespace tern
