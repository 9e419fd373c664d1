// Bit shifts: the shift amount as TensorFlow applies it. Stateless; thread-safe.
#pragma once

#include <type_traits>

namespace tern {

// y clamped to [0, bits - 1]: TensorFlow's LeftShift and RightShift clamp rather than leave
// out-of-range shifts undefined.
template <typename T>
int ClampedShift(T y) {
  constexpr int kBits = static_cast<int>(sizeof(T) * 8);
  if constexpr (std::is_signed_v<T>) {
    if (y < 0) return 0;
  }
  return y >= static_cast<T>(kBits - 1) ? kBits - 1 : static_cast<int>(y);
}

}  // namespace tern
