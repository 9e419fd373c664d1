// _FusedGelu: the GELU activation in one pass, as tf.nn.gelu (Keras' gelu) writes it in five or
// eight elementwise ops (runtime/optimize/fuse_gelu.h finds them). Attr `approximate`:
//   false: 0.5 * x * (1 + erf(x / sqrt(2)))
//   true:  0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
// float, any shape. One vectorized pass per ISA (internal/vector_math.h) with Eigen's erf and
// tanh, the approximations TensorFlow's Erf and Tanh kernels compute.
#include "runtime/kernels/internal/vector_math.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <bool kApproximate>
Status ComputeFusedGelu(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != tensorflow::DT_FLOAT) {
    return ctx.Error("dtype " + DataTypeName(x.dtype()) + " is not supported (float)");
  }
  TERN_ASSIGN_OR_RETURN(Tensor * out,
                        ctx.AllocateOutput(0, x.dtype(), x.shape(), Tensor::Contents::kUnset));
  if (kApproximate) {
    GeluApproximate(x.flat<float>(), x.num_elements(), out->flat<float>());
  } else {
    GeluExact(x.flat<float>(), x.num_elements(), out->flat<float>());
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFusedGeluKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType type, c.GetTypeAttr("T"));
  if (type != tensorflow::DT_FLOAT) {
    return c.Error("dtype " + DataTypeName(type) + " is not supported (float)");
  }
  if (c.GetBoolAttrOr("approximate", false)) {
    return FunctionKernel<ComputeFusedGelu<true>>::Create(c);
  }
  return FunctionKernel<ComputeFusedGelu<false>>::Create(c);
}

}  // namespace tern
