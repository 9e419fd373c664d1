// Factories of every kernel, one per file in this directory. The table in registry.cc maps op
// names to them; nothing registers itself.
#pragma once

#include <memory>
#include <string>

#include "runtime/kernel.h"

namespace tern {

#define TERN_DECLARE_KERNEL(Name) \
  StatusOr<std::unique_ptr<OpKernel>> Create##Name##Kernel(const KernelConstruction& c)

TERN_DECLARE_KERNEL(Abs);
TERN_DECLARE_KERNEL(Add);
TERN_DECLARE_KERNEL(AddN);
TERN_DECLARE_KERNEL(Assign);
TERN_DECLARE_KERNEL(AssignVariableOp);
TERN_DECLARE_KERNEL(AvgPool);
TERN_DECLARE_KERNEL(BiasAdd);
TERN_DECLARE_KERNEL(Bucketize);
TERN_DECLARE_KERNEL(Cast);
TERN_DECLARE_KERNEL(ConcatV2);
TERN_DECLARE_KERNEL(Const);
TERN_DECLARE_KERNEL(Conv2D);
TERN_DECLARE_KERNEL(DepthwiseConv2dNative);
TERN_DECLARE_KERNEL(Equal);
TERN_DECLARE_KERNEL(Erf);
TERN_DECLARE_KERNEL(Exp);
TERN_DECLARE_KERNEL(ExpandDims);
TERN_DECLARE_KERNEL(Fill);
TERN_DECLARE_KERNEL(FloorDiv);
TERN_DECLARE_KERNEL(FloorMod);
TERN_DECLARE_KERNEL(FusedBatchNorm);
TERN_DECLARE_KERNEL(GatherV2);
TERN_DECLARE_KERNEL(Greater);
TERN_DECLARE_KERNEL(GreaterEqual);
TERN_DECLARE_KERNEL(Identity);
TERN_DECLARE_KERNEL(IdentityN);
TERN_DECLARE_KERNEL(If);
TERN_DECLARE_KERNEL(Less);
TERN_DECLARE_KERNEL(LessEqual);
TERN_DECLARE_KERNEL(Log);
TERN_DECLARE_KERNEL(LogicalAnd);
TERN_DECLARE_KERNEL(LogicalNot);
TERN_DECLARE_KERNEL(LogicalOr);
TERN_DECLARE_KERNEL(MatMul);
TERN_DECLARE_KERNEL(Max);
TERN_DECLARE_KERNEL(MaxPool);
TERN_DECLARE_KERNEL(Maximum);
TERN_DECLARE_KERNEL(Mean);
TERN_DECLARE_KERNEL(Min);
TERN_DECLARE_KERNEL(Minimum);
TERN_DECLARE_KERNEL(Mul);
TERN_DECLARE_KERNEL(Neg);
TERN_DECLARE_KERNEL(NoOp);
TERN_DECLARE_KERNEL(NotEqual);
TERN_DECLARE_KERNEL(OneHot);
TERN_DECLARE_KERNEL(Pack);
TERN_DECLARE_KERNEL(Pad);
TERN_DECLARE_KERNEL(ParseExample);
TERN_DECLARE_KERNEL(ParseExampleV2);
TERN_DECLARE_KERNEL(Placeholder);
TERN_DECLARE_KERNEL(Prod);
TERN_DECLARE_KERNEL(Range);
TERN_DECLARE_KERNEL(Rank);
TERN_DECLARE_KERNEL(ReadVariableOp);
TERN_DECLARE_KERNEL(RealDiv);
TERN_DECLARE_KERNEL(Relu);
TERN_DECLARE_KERNEL(Relu6);
TERN_DECLARE_KERNEL(Reshape);
TERN_DECLARE_KERNEL(ResourceGather);
TERN_DECLARE_KERNEL(RestoreV2);
TERN_DECLARE_KERNEL(Rsqrt);
TERN_DECLARE_KERNEL(SelectV2);
TERN_DECLARE_KERNEL(Shape);
TERN_DECLARE_KERNEL(Sigmoid);
TERN_DECLARE_KERNEL(Size);
TERN_DECLARE_KERNEL(Softmax);
TERN_DECLARE_KERNEL(SparseCross);
TERN_DECLARE_KERNEL(SparseToDense);
TERN_DECLARE_KERNEL(Sqrt);
TERN_DECLARE_KERNEL(Square);
TERN_DECLARE_KERNEL(SquaredDifference);
TERN_DECLARE_KERNEL(Squeeze);
TERN_DECLARE_KERNEL(StridedSlice);
TERN_DECLARE_KERNEL(Sub);
TERN_DECLARE_KERNEL(Sum);
TERN_DECLARE_KERNEL(Tanh);
TERN_DECLARE_KERNEL(TensorListElementShape);
TERN_DECLARE_KERNEL(TensorListFromTensor);
TERN_DECLARE_KERNEL(TensorListGetItem);
TERN_DECLARE_KERNEL(TensorListLength);
TERN_DECLARE_KERNEL(TensorListReserve);
TERN_DECLARE_KERNEL(TensorListSetItem);
TERN_DECLARE_KERNEL(TensorListStack);
TERN_DECLARE_KERNEL(Tile);
TERN_DECLARE_KERNEL(Transpose);
TERN_DECLARE_KERNEL(VarHandleOp);
TERN_DECLARE_KERNEL(VarIsInitializedOp);
TERN_DECLARE_KERNEL(VariableV2);
TERN_DECLARE_KERNEL(While);

#undef TERN_DECLARE_KERNEL

// Calls a library function (StatefulPartitionedCall, PartitionedCall, or a node whose op is the
// function's name).
StatusOr<std::unique_ptr<OpKernel>> CreateFunctionCallKernel(const KernelConstruction& c,
                                                             const std::string& function);

}  // namespace tern
