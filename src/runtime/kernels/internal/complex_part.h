// What Real and Imag share: the float (complex64) or double (complex128) output of the input's
// shape and the dtype dispatch; each op passes which part it takes. Stateless; thread-safe.
#pragma once

#include <complex>

#include "runtime/kernel.h"

namespace tern {

// `part(z)` is called with std::complex<float> or std::complex<double> and returns that part.
template <typename Part>
Status ComputeComplexPart(KernelContext& ctx, Part part) {
  const Tensor& x = ctx.input(0);
  auto take = [&]<typename T>(DataType out_dtype) -> Status {
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, out_dtype, x.shape()));
    const auto* in = x.flat<std::complex<T>>();
    T* o = out->flat<T>();
    for (int64_t i = 0; i < x.num_elements(); ++i) o[i] = part(in[i]);
    return Status::Ok();
  };
  if (x.dtype() == tensorflow::DT_COMPLEX64) {
    return take.template operator()<float>(tensorflow::DT_FLOAT);
  }
  if (x.dtype() == tensorflow::DT_COMPLEX128) {
    return take.template operator()<double>(tensorflow::DT_DOUBLE);
  }
  return ctx.Error("input must be complex64 or complex128, got " + DataTypeName(x.dtype()));
}

}  // namespace tern
