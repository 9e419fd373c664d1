// What StringToHashBucketFast and StringToHashBucketStrong share: hash(s) mod num_buckets over a
// string tensor, as int64, and the num_buckets attribute. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/kernels/kernels.h"

namespace tern {

// `Hash` maps a std::string to uint64_t; it must be callable from several threads at once.
template <typename Hash>
class StringToHashBucketKernel final : public OpKernel {
 public:
  StringToHashBucketKernel(uint64_t num_buckets, Hash hash)
      : num_buckets_(num_buckets), hash_(std::move(hash)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    if (in.dtype() != tensorflow::DT_STRING) {
      return ctx.Error("input must be string, got " + DataTypeName(in.dtype()));
    }
    Tensor out(tensorflow::DT_INT64, in.shape());
    const std::string* s = in.flat<std::string>();
    int64_t* o = out.flat<int64_t>();
    for (int64_t i = 0, n = in.num_elements(); i < n; ++i) {
      o[i] = static_cast<int64_t>(hash_(s[i]) % num_buckets_);
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  const uint64_t num_buckets_;
  const Hash hash_;
};

// The num_buckets attribute, which must be >= 1.
inline StatusOr<uint64_t> NumBucketsAttr(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(int64_t num_buckets, c.GetIntAttr("num_buckets"));
  if (num_buckets < 1) {
    return c.Error("num_buckets must be >= 1, got " + std::to_string(num_buckets));
  }
  return static_cast<uint64_t>(num_buckets);
}

template <typename Hash>
std::unique_ptr<OpKernel> MakeStringToHashBucketKernel(uint64_t num_buckets, Hash hash) {
  return std::make_unique<StringToHashBucketKernel<Hash>>(num_buckets, std::move(hash));
}

}  // namespace tern
