// StringToHashBucketStrong: SipHash-2-4 of each string keyed by attr key (two integers) mod
// num_buckets, as int64 (see internal/string_hash.h).
#include "runtime/kernels/internal/string_hash.h"
#include "runtime/kernels/internal/string_to_hash_bucket.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateStringToHashBucketStrongKernel(
    const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(uint64_t num_buckets, NumBucketsAttr(c));
  TERN_ASSIGN_OR_RETURN(std::vector<int64_t> key, c.GetIntListAttr("key"));
  if (key.size() != 2) {
    return c.Error("key must have exactly 2 elements, got " + std::to_string(key.size()));
  }
  const uint64_t key0 = static_cast<uint64_t>(key[0]), key1 = static_cast<uint64_t>(key[1]);
  return MakeStringToHashBucketKernel(
      num_buckets, [key0, key1](const std::string& s) { return SipHash24(key0, key1, s); });
}

}  // namespace tern
