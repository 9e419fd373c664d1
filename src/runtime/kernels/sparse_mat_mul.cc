// SparseMatMul: MatMul whose a_is_sparse / b_is_sparse attrs only hint that many entries are zero
// (TensorFlow then takes a path that skips them); the product is the same, so it runs as MatMul.
// tf-keras' LocallyConnected layers (implementation 1 and 3) write it. Ta and Tb must be float:
// the bfloat16 forms are refused at load.
#include "runtime/kernels/kernels.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateSparseMatMulKernel(const KernelConstruction& c) {
  for (const char* attr : {"Ta", "Tb"}) {
    if (!c.HasAttr(attr)) continue;  // float is the default, and exports strip defaults
    TERN_ASSIGN_OR_RETURN(DataType dtype, c.GetTypeAttr(attr));
    if (dtype != tensorflow::DT_FLOAT) {
      return c.Error(std::string(attr) + " " + DataTypeName(dtype) + " is not supported (float)");
    }
  }
  return CreateMatMulKernel(c);
}

}  // namespace tern
