// CRC32C (Castagnoli polynomial), as used by LevelDB tables and TensorFlow tensor bundles.
// Pure functions over caller-owned bytes; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern::crc32c {

// Returns the CRC32C of `init_crc`'s message followed by data[0, n).
uint32_t Extend(uint32_t init_crc, const void* data, size_t n);

inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

// Stored checksums are masked: a CRC computed over bytes that themselves contain CRCs is
// otherwise prone to degenerate values, so LevelDB and TensorFlow rotate and offset it.
inline constexpr uint32_t kMaskDelta = 0xa282ead8u;

inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

inline uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

// A checksum as error messages print it: "0x" and eight hex digits.
std::string ToHex(uint32_t crc);

}  // namespace tern::crc32c
