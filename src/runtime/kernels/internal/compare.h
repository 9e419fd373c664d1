// Elementwise comparisons with broadcasting, producing bool. Stateless; thread-safe.
#pragma once

#include <string>

#include "runtime/kernels/internal/broadcast.h"

namespace tern {

// out = fn(a, b) as bool for the numeric dtypes (and strings when kStrings, for Equal/NotEqual).
template <bool kStrings, typename Fn>
Status CompareBroadcast(KernelContext& ctx, Fn fn) {
  const DataType dtype = ctx.input(0).dtype();
  if (ctx.input(1).dtype() != dtype) {
    return ctx.Error("inputs have different dtypes: " + DataTypeName(dtype) + " and " +
                     DataTypeName(ctx.input(1).dtype()));
  }
  constexpr DataType kBool = tensorflow::DT_BOOL;
  switch (dtype) {
    case tensorflow::DT_FLOAT: return BinaryBroadcast<float, bool>(ctx, kBool, fn);
    case tensorflow::DT_DOUBLE: return BinaryBroadcast<double, bool>(ctx, kBool, fn);
    case tensorflow::DT_INT32: return BinaryBroadcast<int32_t, bool>(ctx, kBool, fn);
    case tensorflow::DT_INT64: return BinaryBroadcast<int64_t, bool>(ctx, kBool, fn);
    case tensorflow::DT_INT16: return BinaryBroadcast<int16_t, bool>(ctx, kBool, fn);
    case tensorflow::DT_INT8: return BinaryBroadcast<int8_t, bool>(ctx, kBool, fn);
    case tensorflow::DT_UINT8: return BinaryBroadcast<uint8_t, bool>(ctx, kBool, fn);
    case tensorflow::DT_UINT16: return BinaryBroadcast<uint16_t, bool>(ctx, kBool, fn);
    case tensorflow::DT_UINT32: return BinaryBroadcast<uint32_t, bool>(ctx, kBool, fn);
    case tensorflow::DT_UINT64: return BinaryBroadcast<uint64_t, bool>(ctx, kBool, fn);
    case tensorflow::DT_BOOL: return BinaryBroadcast<bool, bool>(ctx, kBool, fn);
    case tensorflow::DT_STRING:
      if constexpr (kStrings) return BinaryBroadcast<std::string, bool>(ctx, kBool, fn);
      [[fallthrough]];
    default: return ctx.Error("dtype " + DataTypeName(dtype) + " is not supported");
  }
}

}  // namespace tern
