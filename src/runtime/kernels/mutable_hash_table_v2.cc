// MutableHashTableV2: a handle to the session's mutable hash table (see internal/table_handle.h).
// It is readable while empty, and LookupTableImportV2 replaces its contents: Keras' lookup layers
// (StringLookup, IntegerLookup, TextVectorization) keep one that the restore op fills from the
// checkpoint. Tern serves, so nothing inserts into it at request time.
#include "runtime/kernels/internal/table_handle.h"
#include "runtime/kernels/kernels.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateMutableHashTableV2Kernel(const KernelConstruction& c) {
  return CreateTableHandleKernel(c, /*mutable_table=*/true);
}

}  // namespace tern
