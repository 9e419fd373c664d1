// HashTableV2: a handle to the session's hash table (see internal/table_handle.h), filled once by
// the model's init op and read-only after that.
#include "runtime/kernels/internal/table_handle.h"
#include "runtime/kernels/kernels.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateHashTableV2Kernel(const KernelConstruction& c) {
  return CreateTableHandleKernel(c, /*mutable_table=*/false);
}

}  // namespace tern
