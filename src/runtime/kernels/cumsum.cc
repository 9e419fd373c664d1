// Cumsum: running sums along `axis` (internal/scan.h); the first exclusive sum is 0.
#include "runtime/kernels/internal/scan.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

struct Sum {
  template <typename T>
  static T Identity() {
    return T(0);
  }
  template <typename T>
  static T Combine(T running, T x) {
    return WrappingAdd(running, x);
  }
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateCumsumKernel(const KernelConstruction& c) {
  return CreateScanKernel<Sum>(c);
}

}  // namespace tern
