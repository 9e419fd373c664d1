// StringLower: ASCII lower case of every string (see internal/string_case.h).
#include "runtime/kernels/internal/string_case.h"
#include "runtime/kernels/kernels.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateStringLowerKernel(const KernelConstruction& c) {
  return StringCaseKernel<std::tolower>::Create(c);
}

}  // namespace tern
