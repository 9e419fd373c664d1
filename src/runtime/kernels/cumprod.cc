// Cumprod: running products along `axis` (internal/scan.h); the first exclusive product is 1.
#include <cstdint>
#include <type_traits>

#include "runtime/kernels/internal/scan.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

struct Product {
  template <typename T>
  static T Identity() {
    return T(1);
  }
  // Integers multiply in uint64 and truncate, so signed overflow wraps as TensorFlow's does
  // instead of being undefined.
  template <typename T>
  static T Combine(T running, T x) {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(static_cast<uint64_t>(running) * static_cast<uint64_t>(x));
    } else {
      return running * x;
    }
  }
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateCumprodKernel(const KernelConstruction& c) {
  return CreateScanKernel<Product>(c);
}

}  // namespace tern
