// StringToHashBucketFast: Fingerprint64(s) mod num_buckets, as int64 (see internal/string_hash.h).
#include "runtime/kernels/internal/string_hash.h"
#include "runtime/kernels/internal/string_to_hash_bucket.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateStringToHashBucketFastKernel(
    const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(uint64_t num_buckets, NumBucketsAttr(c));
  return MakeStringToHashBucketKernel(num_buckets,
                                      [](const std::string& s) { return Fingerprint64(s); });
}

}  // namespace tern
