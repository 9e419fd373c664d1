// The one table of ops Tern runs. Output arg names follow TensorFlow's OpDefs (function bodies
// refer to outputs by them); keep the table sorted by op name.
#include <algorithm>
#include <unordered_map>

#include "runtime/kernel_registry.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

const std::vector<KernelRegistration>& Table() {
  static const std::vector<KernelRegistration> table = {
      {"Add", CreateAddKernel, {{"z"}}},
      {"AddV2", CreateAddKernel, {{"z"}}},
      {"Assign", CreateAssignKernel, {{"output_ref"}}, /*ref_inputs=*/{0}},
      {"AssignVariableOp", CreateAssignVariableOpKernel, {}},
      {"BiasAdd", CreateBiasAddKernel, {{"output"}}},
      {"Bucketize", CreateBucketizeKernel, {{"output"}}},
      {"Cast", CreateCastKernel, {{"y"}}},
      {"ConcatV2", CreateConcatV2Kernel, {{"output"}}},
      {"Const", CreateConstKernel, {{"output"}}},
      {"DisableCopyOnRead", CreateNoOpKernel, {}},
      {"ExpandDims", CreateExpandDimsKernel, {{"output"}}},
      {"Identity", CreateIdentityKernel, {{"output"}}},
      {"MatMul", CreateMatMulKernel, {{"product"}}},
      {"Mul", CreateMulKernel, {{"z"}}},
      {"NoOp", CreateNoOpKernel, {}},
      {"OneHot", CreateOneHotKernel, {{"output"}}},
      {"Pack", CreatePackKernel, {{"output"}}},
      {"ParseExample", CreateParseExampleKernel,
       {{"sparse_indices", "Nsparse"}, {"sparse_values", "sparse_types"},
        {"sparse_shapes", "Nsparse"}, {"dense_values", "Tdense"}}},
      {"ParseExampleV2", CreateParseExampleV2Kernel,
       {{"sparse_indices", "num_sparse"}, {"sparse_values", "sparse_types"},
        {"sparse_shapes", "num_sparse"}, {"dense_values", "Tdense"},
        {"ragged_values", "ragged_value_types"}, {"ragged_row_splits", "ragged_split_types"}}},
      {"Placeholder", CreatePlaceholderKernel, {{"output"}}},
      {"PlaceholderWithDefault", CreateIdentityKernel, {{"output"}}},
      {"Range", CreateRangeKernel, {{"output"}}},
      {"ReadVariableOp", CreateReadVariableOpKernel, {{"value"}}},
      {"Relu", CreateReluKernel, {{"activations"}}},
      {"Reshape", CreateReshapeKernel, {{"output"}}},
      {"RestoreV2", CreateRestoreV2Kernel, {{"tensors", "dtypes"}}},
      {"Shape", CreateShapeKernel, {{"output"}}},
      {"Snapshot", CreateIdentityKernel, {{"output"}}},
      {"SparseCross", CreateSparseCrossKernel,
       {{"output_indices"}, {"output_values"}, {"output_shape"}}},
      {"SparseToDense", CreateSparseToDenseKernel, {{"dense"}}},
      {"StopGradient", CreateIdentityKernel, {{"output"}}},
      {"StridedSlice", CreateStridedSliceKernel, {{"output"}}},
      {"Sub", CreateSubKernel, {{"z"}}},
      {"Sum", CreateSumKernel, {{"output"}}},
      {"Tile", CreateTileKernel, {{"output"}}},
      {"Transpose", CreateTransposeKernel, {{"y"}}},
      {"VarHandleOp", CreateVarHandleOpKernel, {{"resource"}}},
      {"VarIsInitializedOp", CreateVarIsInitializedOpKernel, {{"is_initialized"}}},
      {"VariableV2", CreateVariableV2Kernel, {{"ref"}}, {}, /*produces_ref=*/true},
  };
  return table;
}

const std::unordered_map<std::string_view, const KernelRegistration*>& Index() {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const KernelRegistration*>();
    for (const auto& r : Table()) (*m)[r.op] = &r;
    return m;
  }();
  return *index;
}

}  // namespace

const KernelRegistration* FindKernel(std::string_view op) {
  auto it = Index().find(op);
  return it == Index().end() ? nullptr : it->second;
}

std::vector<std::string> RegisteredOps() {
  std::vector<std::string> ops;
  for (const auto& r : Table()) ops.emplace_back(r.op);
  std::sort(ops.begin(), ops.end());
  return ops;
}

}  // namespace tern
