// Elementwise unary kernels over floating-point tensors (float, double).
// Stateless helpers; thread-safe.
#pragma once

#include <Eigen/Core>

#include <string>
#include <type_traits>

#include "runtime/kernel.h"

namespace tern {

// out[i] = fn(in[i]); fn is a generic lambda called with float or double.
template <typename Fn>
Status UnaryFloat(KernelContext& ctx, Fn fn) {
  const Tensor& x = ctx.input(0);
  auto run = [&]<typename T>() -> Status {
    TERN_ASSIGN_OR_RETURN(Tensor * out,
                          ctx.AllocateOutput(0, x.dtype(), x.shape(), Tensor::Contents::kUnset));
    const T* in = x.flat<T>();
    T* o = out->flat<T>();
    const int64_t n = x.num_elements();
    for (int64_t i = 0; i < n; ++i) o[i] = fn(in[i]);
    return Status::Ok();
  };
  switch (x.dtype()) {
    case tensorflow::DT_FLOAT: return run.template operator()<float>();
    case tensorflow::DT_DOUBLE: return run.template operator()<double>();
    default:
      return ctx.Error("dtype " + DataTypeName(x.dtype()) + " is not supported (float, double)");
  }
}

// Declares Create<Name>Kernel computing out = EXPR(x) for float and double.
#define TERN_UNARY_FLOAT_KERNEL(Name, EXPR)                                               \
  namespace {                                                                             \
  Status Compute##Name(KernelContext& ctx) {                                              \
    return UnaryFloat(ctx, []<typename T>(T x) -> T { return static_cast<T>(EXPR); });    \
  }                                                                                       \
  }                                                                                       \
  StatusOr<std::unique_ptr<OpKernel>> Create##Name##Kernel(const KernelConstruction& c) { \
    return FunctionKernel<Compute##Name>::Create(c);                                      \
  }

// out = fn(in) on Eigen arrays (float, double): fn is a generic lambda such as
// [](const auto& a) { return a.tanh(); }. Eigen vectorizes its functions, and they are the same
// approximations TensorFlow's CPU kernels (Eigen too) compute.
template <typename Fn>
Status UnaryArray(KernelContext& ctx, Fn fn) {
  const Tensor& x = ctx.input(0);
  auto run = [&]<typename T>() -> Status {
    TERN_ASSIGN_OR_RETURN(Tensor * out,
                          ctx.AllocateOutput(0, x.dtype(), x.shape(), Tensor::Contents::kUnset));
    using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
    const int64_t n = x.num_elements();
    Eigen::Map<Array>(out->flat<T>(), n) = fn(Eigen::Map<const Array>(x.flat<T>(), n));
    return Status::Ok();
  };
  switch (x.dtype()) {
    case tensorflow::DT_FLOAT: return run.template operator()<float>();
    case tensorflow::DT_DOUBLE: return run.template operator()<double>();
    default:
      return ctx.Error("dtype " + DataTypeName(x.dtype()) + " is not supported (float, double)");
  }
}

// Declares Create<Name>Kernel computing out = x.METHOD() on Eigen arrays (see UnaryArray).
#define TERN_UNARY_ARRAY_KERNEL(Name, METHOD)                                             \
  namespace {                                                                             \
  Status Compute##Name(KernelContext& ctx) {                                              \
    return UnaryArray(ctx, [](const auto& a) { return a.METHOD(); });                     \
  }                                                                                       \
  }                                                                                       \
  StatusOr<std::unique_ptr<OpKernel>> Create##Name##Kernel(const KernelConstruction& c) { \
    return FunctionKernel<Compute##Name>::Create(c);                                      \
  }

}  // namespace tern

namespace tern {

// out[i] = fn(in[i]) for float, double and the integer types; fn is a generic lambda.
template <typename Fn>
Status UnaryNumeric(KernelContext& ctx, Fn fn) {
  const Tensor& x = ctx.input(0);
  switch (x.dtype()) {
#define TERN_UNARY_CASE(DT, T)                                                                    \
  case tensorflow::DT: {                                                                          \
    TERN_ASSIGN_OR_RETURN(Tensor* out,                                                            \
                          ctx.AllocateOutput(0, x.dtype(), x.shape(), Tensor::Contents::kUnset)); \
    const T* in = x.flat<T>();                                                                    \
    T* o = out->flat<T>();                                                                        \
    for (int64_t i = 0, n = x.num_elements(); i < n; ++i) o[i] = fn(in[i]);                       \
    return Status::Ok();                                                                          \
  }
    TERN_UNARY_CASE(DT_FLOAT, float)
    TERN_UNARY_CASE(DT_DOUBLE, double)
    TERN_UNARY_CASE(DT_INT8, int8_t)
    TERN_UNARY_CASE(DT_INT16, int16_t)
    TERN_UNARY_CASE(DT_INT32, int32_t)
    TERN_UNARY_CASE(DT_INT64, int64_t)
    TERN_UNARY_CASE(DT_UINT8, uint8_t)
    TERN_UNARY_CASE(DT_UINT16, uint16_t)
    TERN_UNARY_CASE(DT_UINT32, uint32_t)
    TERN_UNARY_CASE(DT_UINT64, uint64_t)
#undef TERN_UNARY_CASE
    default: return ctx.Error("dtype " + DataTypeName(x.dtype()) + " is not supported");
  }
}

}  // namespace tern

namespace tern {

// out[i] = pred(in[i]) as a bool tensor, for float, double and float16 (the classification ops
// IsNan, IsInf, IsFinite: float16 widens to float exactly, so one predicate serves all three).
template <typename Pred>
Status UnaryFloatPredicate(KernelContext& ctx, Pred pred) {
  const Tensor& x = ctx.input(0);
  auto run = [&]<typename T>() -> Status {
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, tensorflow::DT_BOOL, x.shape()));
    const T* in = x.flat<T>();
    bool* o = out->flat<bool>();
    const int64_t n = x.num_elements();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, Eigen::half>) {
        o[i] = pred(static_cast<float>(in[i]));
      } else {
        o[i] = pred(in[i]);
      }
    }
    return Status::Ok();
  };
  switch (x.dtype()) {
    case tensorflow::DT_FLOAT: return run.template operator()<float>();
    case tensorflow::DT_DOUBLE: return run.template operator()<double>();
    case tensorflow::DT_HALF: return run.template operator()<Eigen::half>();
    default:
      return ctx.Error("dtype " + DataTypeName(x.dtype()) +
                       " is not supported (float, double, float16)");
  }
}

// Declares Create<Name>Kernel computing the bool tensor PRED(x) for float, double and float16.
#define TERN_UNARY_PREDICATE_KERNEL(Name, PRED)                                           \
  namespace {                                                                             \
  Status Compute##Name(KernelContext& ctx) {                                              \
    return UnaryFloatPredicate(ctx, []<typename T>(T x) -> bool { return PRED; });        \
  }                                                                                       \
  }                                                                                       \
  StatusOr<std::unique_ptr<OpKernel>> Create##Name##Kernel(const KernelConstruction& c) { \
    return FunctionKernel<Compute##Name>::Create(c);                                      \
  }

}  // namespace tern
