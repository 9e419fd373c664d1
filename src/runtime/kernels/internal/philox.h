// Philox4x32-10, the counter-based generator behind TensorFlow's stateless random ops, and the
// conversions TensorFlow applies to its 32-bit words, so Tern draws the same stream as
// TensorFlow for the same key and counter. Header-only and stateless; thread-safe.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>

namespace tern {

using PhiloxKey = std::array<uint32_t, 2>;
using PhiloxCounter = std::array<uint32_t, 4>;  // a 128-bit counter, least significant word first

// The ten-round Philox block function of (counter, key), with the multipliers and key
// increments of the Philox paper (Salmon et al., SC11).
inline PhiloxCounter PhiloxBlock(PhiloxCounter x, PhiloxKey key) {
  constexpr uint64_t kMulA = 0xD2511F53, kMulB = 0xCD9E8D57;
  constexpr uint32_t kKeyStepA = 0x9E3779B9, kKeyStepB = 0xBB67AE85;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += kKeyStepA;
      key[1] += kKeyStepB;
    }
    const uint64_t p0 = kMulA * x[0];
    const uint64_t p1 = kMulB * x[2];
    x = {static_cast<uint32_t>(p1 >> 32) ^ x[1] ^ key[0], static_cast<uint32_t>(p1),
         static_cast<uint32_t>(p0 >> 32) ^ x[3] ^ key[1], static_cast<uint32_t>(p0)};
  }
  return x;
}

// counter + n, as a 128-bit addition.
inline PhiloxCounter PhiloxAdvance(PhiloxCounter c, uint64_t n) {
  uint64_t low = (static_cast<uint64_t>(c[1]) << 32) | c[0];
  const uint64_t sum = low + n;
  if (sum < low) {
    uint64_t high = (static_cast<uint64_t>(c[3]) << 32) | c[2];
    ++high;
    c[2] = static_cast<uint32_t>(high);
    c[3] = static_cast<uint32_t>(high >> 32);
  }
  low = sum;
  c[0] = static_cast<uint32_t>(low);
  c[1] = static_cast<uint32_t>(low >> 32);
  return c;
}

// A float in [0, 1) from the low 23 bits of x: 1.m - 1.
inline float PhiloxToFloat(uint32_t x) {
  const uint32_t bits = (127u << 23) | (x & 0x7fffffu);
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f - 1.0f;
}

// A double in [0, 1) from the low 20 bits of hi and all of lo: 1.m - 1.
inline double PhiloxToDouble(uint32_t hi, uint32_t lo) {
  const uint64_t bits = (uint64_t{1023} << 52) | (static_cast<uint64_t>(hi & 0xfffffu) << 32) | lo;
  double d;
  std::memcpy(&d, &bits, sizeof(d));
  return d - 1.0;
}

// Two standard normals from one Philox block, as TensorFlow's double normal distribution draws
// them (also inside its gamma sampler): Box-Muller on two uniforms of two words each, the first
// clamped below at 1e-7 so its log is finite.
inline void PhiloxToNormalPair(const PhiloxCounter& w, double* d0, double* d1) {
  double u1 = PhiloxToDouble(w[0], w[1]);
  if (u1 < 1.0e-7) u1 = 1.0e-7;
  const double v1 = 2 * std::numbers::pi * PhiloxToDouble(w[2], w[3]);
  const double u2 = std::sqrt(-2.0 * std::log(u1));
  ::sincos(v1, d0, d1);
  *d0 *= u2;
  *d1 *= u2;
}

}  // namespace tern
