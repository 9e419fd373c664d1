// Range: [start, start + delta, ...) up to but excluding limit. start, limit and delta are
// scalars of one dtype (Tidx, default int32): int32, int64, float or double. Element i is
// start + i * delta, as TensorFlow computes it.
#include <cmath>
#include <cstdio>
#include <type_traits>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename T>
std::string ToString(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(v));
    return buf;
  } else {
    return std::to_string(v);
  }
}

template <typename T>
Status RunRange(KernelContext& ctx) {
  const T start = ctx.input(0).flat<T>()[0];
  const T limit = ctx.input(1).flat<T>()[0];
  const T delta = ctx.input(2).flat<T>()[0];
  if (delta == T(0)) return ctx.Error("delta must not be zero");
  if (delta > T(0) && !(start <= limit)) {
    return ctx.Error("requires start <= limit when delta > 0: " + ToString(start) + "/" +
                     ToString(limit));
  }
  if (delta < T(0) && !(start >= limit)) {
    return ctx.Error("requires start >= limit when delta < 0: " + ToString(start) + "/" +
                     ToString(limit));
  }
  int64_t size = 0;
  if constexpr (std::is_integral_v<T>) {
    // |limit - start| and |delta| as unsigned, so no intermediate overflows.
    const uint64_t span = limit >= start
                              ? static_cast<uint64_t>(limit) - static_cast<uint64_t>(start)
                              : static_cast<uint64_t>(start) - static_cast<uint64_t>(limit);
    const uint64_t step =
        delta > 0 ? static_cast<uint64_t>(delta) : uint64_t{0} - static_cast<uint64_t>(delta);
    const uint64_t count = span / step + (span % step != 0 ? 1 : 0);
    if (count > static_cast<uint64_t>(INT64_MAX)) return ctx.Error("range is too large");
    size = static_cast<int64_t>(count);
  } else {
    const T count = std::ceil(std::abs((limit - start) / delta));
    if (!(count >= 0 && static_cast<double>(count) < 9.2e18)) {
      return ctx.Error("range size (limit - start) / delta is not finite or too large");
    }
    size = static_cast<int64_t>(count);
  }
  TERN_ASSIGN_OR_RETURN(Tensor * out,
                        ctx.AllocateOutput(0, ctx.input(0).dtype(), TensorShape{size}));
  T* o = out->flat<T>();
  if constexpr (std::is_integral_v<T>) {
    // Every element lies between start and limit, so int64 arithmetic does not overflow for
    // int32; for int64 the unsigned form wraps to the same in-range result.
    using U = std::make_unsigned_t<T>;
    for (int64_t i = 0; i < size; ++i) {
      o[i] = static_cast<T>(static_cast<U>(start) +
                            static_cast<U>(static_cast<U>(i) * static_cast<U>(delta)));
    }
  } else {
    for (int64_t i = 0; i < size; ++i) o[i] = start + static_cast<T>(i) * delta;
  }
  return Status::Ok();
}

Status ComputeRange(KernelContext& ctx) {
  const char* names[] = {"start", "limit", "delta"};
  const DataType dtype = ctx.input(0).dtype();
  for (int i = 0; i < 3; ++i) {
    const Tensor& t = ctx.input(i);
    if (t.rank() > 1 || t.num_elements() != 1) {
      return ctx.Error(std::string(names[i]) + " must be a scalar, got shape " +
                       t.shape().DebugString());
    }
    if (t.dtype() != dtype) {
      return ctx.Error(std::string(names[i]) + " has dtype " + DataTypeName(t.dtype()) +
                       " but start has " + DataTypeName(dtype));
    }
  }
  switch (dtype) {
    case tensorflow::DT_INT32: return RunRange<int32_t>(ctx);
    case tensorflow::DT_INT64: return RunRange<int64_t>(ctx);
    case tensorflow::DT_FLOAT: return RunRange<float>(ctx);
    case tensorflow::DT_DOUBLE: return RunRange<double>(ctx);
    default:
      return ctx.Error("dtype " + DataTypeName(dtype) +
                       " is not supported (int32, int64, float, double)");
  }
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRangeKernel(const KernelConstruction& c) {
  return FunctionKernel<ComputeRange>::Create(c);
}

}  // namespace tern
