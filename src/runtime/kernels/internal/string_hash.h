// The string hashes TensorFlow's hashing ops use, bit for bit:
//  - Fingerprint64: FarmHash's Fingerprint64 (the "na" 64-bit hash, seedless, stable across
//    platforms), used by StringToHashBucketFast, feature-column hash buckets and SparseCross.
//  - SipHash24: SipHash-2-4 with a 128-bit key, used by StringToHashBucketStrong.
//  - FingerprintCat64: two fingerprints combined into one (not commutative), used by SparseCross.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace tern {

uint64_t Fingerprint64(std::string_view s);
uint64_t SipHash24(uint64_t key0, uint64_t key1, std::string_view s);
uint64_t FingerprintCat64(uint64_t fp1, uint64_t fp2);

}  // namespace tern
