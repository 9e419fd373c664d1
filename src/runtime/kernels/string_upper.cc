// StringUpper: ASCII upper case of every string (see internal/string_case.h).
#include "runtime/kernels/internal/string_case.h"
#include "runtime/kernels/kernels.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateStringUpperKernel(const KernelConstruction& c) {
  return StringCaseKernel<std::toupper>::Create(c);
}

}  // namespace tern
