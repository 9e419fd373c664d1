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
      {"Abs", CreateAbsKernel, {{"y"}}},
      {"Add", CreateAddKernel, {{"z"}}},
      {"AddN", CreateAddNKernel, {{"sum"}}},
      {"AddV2", CreateAddKernel, {{"z"}}},
      {"AsString", CreateAsStringKernel, {{"output"}}},
      {"Assert", CreateAssertKernel, {}},
      {"Assign", CreateAssignKernel, {{"output_ref"}}, /*ref_inputs=*/{0}, /*produces_ref=*/true},
      {"AssignAdd", CreateAssignAddKernel, {{"output_ref"}}, /*ref_inputs=*/{0},
       /*produces_ref=*/true},
      {"AssignAddVariableOp", CreateAssignAddVariableOpKernel, {}},
      {"AssignVariableOp", CreateAssignVariableOpKernel, {}},
      {"AvgPool", CreateAvgPoolKernel, {{"output"}}},
      {"BatchMatMul", CreateBatchMatMulKernel, {{"output"}}},
      {"BatchMatMulV2", CreateBatchMatMulKernel, {{"output"}}},
      {"BatchMatMulV3", CreateBatchMatMulKernel, {{"output"}}},
      {"BatchToSpaceND", CreateBatchToSpaceNDKernel, {{"output"}}},
      {"BiasAdd", CreateBiasAddKernel, {{"output"}}},
      {"BroadcastGradientArgs", CreateBroadcastGradientArgsKernel, {{"r0"}, {"r1"}}},
      {"Bucketize", CreateBucketizeKernel, {{"output"}}},
      {"Cast", CreateCastKernel, {{"y"}}},
      {"ConcatV2", CreateConcatV2Kernel, {{"output"}}},
      {"Const", CreateConstKernel, {{"output"}}},
      {"Conv2D", CreateConv2DKernel, {{"output"}}},
      {"Cumsum", CreateCumsumKernel, {{"out"}}},
      {"DenseBincount", CreateDenseBincountKernel, {{"output"}}},
      {"DepthwiseConv2dNative", CreateDepthwiseConv2dNativeKernel, {{"output"}}},
      {"DisableCopyOnRead", CreateNoOpKernel, {}},
      {"Einsum", CreateEinsumKernel, {{"output"}}},
      {"Equal", CreateEqualKernel, {{"z"}}},
      {"Erf", CreateErfKernel, {{"y"}}},
      {"Exp", CreateExpKernel, {{"y"}}},
      {"ExpandDims", CreateExpandDimsKernel, {{"output"}}},
      {"Fill", CreateFillKernel, {{"output"}}},
      {"FloorDiv", CreateFloorDivKernel, {{"z"}}},
      {"FloorMod", CreateFloorModKernel, {{"z"}}},
      {"FusedBatchNorm", CreateFusedBatchNormKernel,
       {{"y"}, {"batch_mean"}, {"batch_variance"}, {"reserve_space_1"}, {"reserve_space_2"}}},
      {"FusedBatchNormV2", CreateFusedBatchNormKernel,
       {{"y"}, {"batch_mean"}, {"batch_variance"}, {"reserve_space_1"}, {"reserve_space_2"}}},
      {"FusedBatchNormV3", CreateFusedBatchNormKernel,
       {{"y"}, {"batch_mean"}, {"batch_variance"}, {"reserve_space_1"},
        {"reserve_space_2"}, {"reserve_space_3"}}},
      {"GatherV2", CreateGatherV2Kernel, {{"output"}}},
      {"Greater", CreateGreaterKernel, {{"z"}}},
      {"GreaterEqual", CreateGreaterEqualKernel, {{"z"}}},
      {"HashTableV2", CreateHashTableV2Kernel, {{"table_handle"}}},
      {"Identity", CreateIdentityKernel, {{"output"}}},
      {"IdentityN", CreateIdentityNKernel, {{"output", "T"}}},
      {"If", CreateIfKernel, {{"output", "Tout"}}},
      {"InitializeTableFromTextFileV2", CreateInitializeTableFromTextFileV2Kernel, {}},
      {"InitializeTableV2", CreateLookupTableImportV2Kernel, {}},
      {"Less", CreateLessKernel, {{"z"}}},
      {"LessEqual", CreateLessEqualKernel, {{"z"}}},
      {"Log", CreateLogKernel, {{"y"}}},
      {"LogicalAnd", CreateLogicalAndKernel, {{"z"}}},
      {"LogicalNot", CreateLogicalNotKernel, {{"y"}}},
      {"LogicalOr", CreateLogicalOrKernel, {{"z"}}},
      {"LookupTableFindV2", CreateLookupTableFindV2Kernel, {{"values"}}},
      {"LookupTableImportV2", CreateLookupTableImportV2Kernel, {}},
      {"LookupTableSizeV2", CreateLookupTableSizeV2Kernel, {{"size"}}},
      {"MatMul", CreateMatMulKernel, {{"product"}}},
      {"Max", CreateMaxKernel, {{"output"}}},
      {"MaxPool", CreateMaxPoolKernel, {{"output"}}},
      {"Maximum", CreateMaximumKernel, {{"z"}}},
      {"Mean", CreateMeanKernel, {{"output"}}},
      {"Min", CreateMinKernel, {{"output"}}},
      {"Minimum", CreateMinimumKernel, {{"z"}}},
      {"Mul", CreateMulKernel, {{"z"}}},
      {"Neg", CreateNegKernel, {{"y"}}},
      {"NoOp", CreateNoOpKernel, {}},
      {"NotEqual", CreateNotEqualKernel, {{"z"}}},
      {"OneHot", CreateOneHotKernel, {{"output"}}},
      {"Pack", CreatePackKernel, {{"output"}}},
      {"Pad", CreatePadKernel, {{"output"}}},
      {"PadV2", CreatePadKernel, {{"output"}}},
      {"ParseExample", CreateParseExampleKernel,
       {{"sparse_indices", "Nsparse"}, {"sparse_values", "sparse_types"},
        {"sparse_shapes", "Nsparse"}, {"dense_values", "Tdense"}}},
      {"ParseExampleV2", CreateParseExampleV2Kernel,
       {{"sparse_indices", "num_sparse"}, {"sparse_values", "sparse_types"},
        {"sparse_shapes", "num_sparse"}, {"dense_values", "Tdense"},
        {"ragged_values", "ragged_value_types"}, {"ragged_row_splits", "ragged_split_types"}}},
      {"Placeholder", CreatePlaceholderKernel, {{"output"}}},
      {"PlaceholderWithDefault", CreateIdentityKernel, {{"output"}}},
      {"Prod", CreateProdKernel, {{"output"}}},
      {"RandomUniform", CreateRandomUniformKernel, {{"output"}}},
      {"RaggedTensorToTensor", CreateRaggedTensorToTensorKernel, {{"result"}}},
      {"Range", CreateRangeKernel, {{"output"}}},
      {"Rank", CreateRankKernel, {{"output"}}},
      {"ReadVariableOp", CreateReadVariableOpKernel, {{"value"}}},
      {"RealDiv", CreateRealDivKernel, {{"z"}}},
      {"ReduceJoin", CreateReduceJoinKernel, {{"output"}}},
      {"Relu", CreateReluKernel, {{"activations"}}},
      {"Relu6", CreateRelu6Kernel, {{"activations"}}},
      {"Reshape", CreateReshapeKernel, {{"output"}}},
      {"ResourceApplyGradientDescent", CreateResourceApplyGradientDescentKernel, {}},
      {"ResourceGather", CreateResourceGatherKernel, {{"output"}}},
      {"RestoreV2", CreateRestoreV2Kernel, {{"tensors", "dtypes"}}},
      {"Rsqrt", CreateRsqrtKernel, {{"y"}}},
      {"Select", CreateSelectV2Kernel, {{"output"}}},
      {"SelectV2", CreateSelectV2Kernel, {{"output"}}},
      {"Shape", CreateShapeKernel, {{"output"}}},
      {"Sigmoid", CreateSigmoidKernel, {{"y"}}},
      {"Size", CreateSizeKernel, {{"output"}}},
      {"Slice", CreateSliceKernel, {{"output"}}},
      {"Snapshot", CreateIdentityKernel, {{"output"}}},
      {"Softmax", CreateSoftmaxKernel, {{"softmax"}}},
      {"SpaceToBatchND", CreateSpaceToBatchNDKernel, {{"output"}}},
      {"SparseCross", CreateSparseCrossKernel,
       {{"output_indices"}, {"output_values"}, {"output_shape"}}},
      {"SparseFillEmptyRows", CreateSparseFillEmptyRowsKernel, {{"output_indices"}, {"output_values"}, {"empty_row_indicator"}, {"reverse_index_map"}}},
      {"SparseReshape", CreateSparseReshapeKernel, {{"output_indices"}, {"output_shape"}}},
      {"SparseSegmentMean", CreateSparseSegmentMeanKernel, {{"output"}}},
      {"SparseSegmentSqrtN", CreateSparseSegmentSqrtNKernel, {{"output"}}},
      {"SparseSegmentSum", CreateSparseSegmentSumKernel, {{"output"}}},
      {"SparseToDense", CreateSparseToDenseKernel, {{"dense"}}},
      {"Split", CreateSplitKernel, {{"output", "num_split"}}},
      {"SplitV", CreateSplitVKernel, {{"output", "num_split"}}},
      {"Sqrt", CreateSqrtKernel, {{"y"}}},
      {"Square", CreateSquareKernel, {{"y"}}},
      {"SquaredDifference", CreateSquaredDifferenceKernel, {{"z"}}},
      {"Squeeze", CreateSqueezeKernel, {{"output"}}},
      {"StatelessIf", CreateIfKernel, {{"output", "Tout"}}},
      {"StatelessWhile", CreateWhileKernel, {{"output", "T"}}},
      {"StaticRegexReplace", CreateStaticRegexReplaceKernel, {{"output"}}},
      {"StopGradient", CreateIdentityKernel, {{"output"}}},
      {"StridedSlice", CreateStridedSliceKernel, {{"output"}}},
      {"StringJoin", CreateStringJoinKernel, {{"output"}}},
      {"StringLength", CreateStringLengthKernel, {{"output"}}},
      {"StringLower", CreateStringLowerKernel, {{"output"}}},
      {"StringSplit", CreateStringSplitKernel, {{"indices"}, {"values"}, {"shape"}}},
      {"StringSplitV2", CreateStringSplitV2Kernel, {{"indices"}, {"values"}, {"shape"}}},
      {"StringToHashBucketFast", CreateStringToHashBucketFastKernel, {{"output"}}},
      {"StringToHashBucketStrong", CreateStringToHashBucketStrongKernel, {{"output"}}},
      {"StringUpper", CreateStringUpperKernel, {{"output"}}},
      {"Sub", CreateSubKernel, {{"z"}}},
      {"Sum", CreateSumKernel, {{"output"}}},
      {"Tanh", CreateTanhKernel, {{"y"}}},
      {"TensorListElementShape", CreateTensorListElementShapeKernel, {{"element_shape"}}},
      {"TensorListFromTensor", CreateTensorListFromTensorKernel, {{"output_handle"}}},
      {"TensorListGetItem", CreateTensorListGetItemKernel, {{"item"}}},
      {"TensorListLength", CreateTensorListLengthKernel, {{"length"}}},
      {"TensorListReserve", CreateTensorListReserveKernel, {{"handle"}}},
      {"TensorListSetItem", CreateTensorListSetItemKernel, {{"output_handle"}}},
      {"TensorListStack", CreateTensorListStackKernel, {{"tensor"}}},
      {"Tile", CreateTileKernel, {{"output"}}},
      {"Transpose", CreateTransposeKernel, {{"y"}}},
      {"Unique", CreateUniqueKernel, {{"y"}, {"idx"}}},
      {"Unpack", CreateUnpackKernel, {{"output", "num"}}},
      {"VarHandleOp", CreateVarHandleOpKernel, {{"resource"}}},
      {"VarIsInitializedOp", CreateVarIsInitializedOpKernel, {{"is_initialized"}}},
      {"VariableV2", CreateVariableV2Kernel, {{"ref"}}, {}, /*produces_ref=*/true},
      {"Where", CreateWhereKernel, {{"index"}}},
      {"While", CreateWhileKernel, {{"output", "T"}}},
      {"ZerosLike", CreateZerosLikeKernel, {{"y"}}},
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
