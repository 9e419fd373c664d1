// The four inputs every StatelessRandom*V2 op starts with (shape, key, counter, alg), read and
// checked once: the output shape, and the Philox key and counter to draw from. Only Philox (1)
// and auto-select (3, which is Philox on CPU) are supported; ThreeFry (2) is refused.
#pragma once
#include <string>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/philox.h"

namespace tern {

struct StatelessRandomArgs {
  std::vector<int64_t> dims;
  PhiloxKey key;
  PhiloxCounter counter;
};

inline Status ReadStatelessRandomArgs(const KernelContext& ctx, StatelessRandomArgs* args) {
  constexpr int64_t kAlgPhilox = 1, kAlgAutoSelect = 3;
  TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(0), "shape", &args->dims));
  for (int64_t d : args->dims) {
    if (d < 0) return ctx.Error("shape has a negative dimension: " + std::to_string(d));
  }
  const Tensor& key_t = ctx.input(1);
  const Tensor& counter_t = ctx.input(2);
  if (key_t.dtype() != tensorflow::DT_UINT64 || key_t.rank() != 1 || key_t.dim(0) != 1) {
    return ctx.Error("key must be a uint64 vector of 1 element, got " +
                     DataTypeName(key_t.dtype()) + " " + key_t.shape().DebugString());
  }
  int64_t alg = 0;
  TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(3), "alg", &alg));
  if (alg != kAlgPhilox && alg != kAlgAutoSelect) {
    return ctx.Error("Unsupported algorithm id: " + std::to_string(alg) +
                     " (Philox, 1, and auto-select, 3, are supported)");
  }
  if (counter_t.dtype() != tensorflow::DT_UINT64 || counter_t.rank() != 1 || counter_t.dim(0) < 2) {
    return ctx.Error("counter must be a uint64 vector of at least 2 elements (Philox), got " +
                     DataTypeName(counter_t.dtype()) + " " + counter_t.shape().DebugString());
  }
  const uint64_t k = key_t.flat<uint64_t>()[0];
  const uint64_t c0 = counter_t.flat<uint64_t>()[0], c1 = counter_t.flat<uint64_t>()[1];
  args->key = {static_cast<uint32_t>(k), static_cast<uint32_t>(k >> 32)};
  args->counter = {static_cast<uint32_t>(c0), static_cast<uint32_t>(c0 >> 32),
                   static_cast<uint32_t>(c1), static_cast<uint32_t>(c1 >> 32)};
  return Status::Ok();
}

// The `dtype` attr of the float-valued stateless ops (float when absent): float, double or half.
inline StatusOr<DataType> StatelessFloatDtype(const KernelConstruction& c) {
  DataType dtype = tensorflow::DT_FLOAT;
  if (c.HasAttr("dtype")) {
    TERN_ASSIGN_OR_RETURN(dtype, c.GetTypeAttr("dtype"));
  }
  if (dtype != tensorflow::DT_FLOAT && dtype != tensorflow::DT_DOUBLE &&
      dtype != tensorflow::DT_HALF) {
    return c.Error("dtype " + DataTypeName(dtype) + " is not supported (float, double, half)");
  }
  return dtype;
}

}  // namespace tern
