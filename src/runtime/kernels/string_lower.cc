// StringLower: ASCII lower case of every string (see string_case.h).
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/string_case.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateStringLowerKernel(const KernelConstruction& c) {
  return StringCaseKernel<std::tolower>::Create(c);
}

}  // namespace tern
