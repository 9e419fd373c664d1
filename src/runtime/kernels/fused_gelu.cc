// _FusedGelu: the GELU activation in one pass, as tf.nn.gelu (Keras' gelu) writes it in five or
// eight elementwise ops (runtime/optimize/fuse_gelu.h finds them). Attr `approximate`:
//   false: 0.5 * x * (1 + erf(x / sqrt(2))), or with attr `erfc` 0.5 * x * erfc(-x / sqrt(2))
//          (TensorFlow 2.21's form: no cancellation for large negative x; erfc is libm's, per
//          element, as Eigen's and so TensorFlow's is)
//   true:  0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
// float, any shape. One vectorized pass per ISA (internal/vector_math.h) with Eigen's erf and
// tanh, the approximations TensorFlow's Erf and Tanh kernels compute.
#include <cmath>

#include "runtime/kernels/internal/parallel_rows.h"
#include "runtime/kernels/internal/vector_math.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

enum class Form { kErf, kErfc, kTanh };

template <Form kForm>
Status ComputeFusedGelu(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != tensorflow::DT_FLOAT) {
    return ctx.Error("dtype " + DataTypeName(x.dtype()) + " is not supported (float)");
  }
  TERN_ASSIGN_OR_RETURN(Tensor * out,
                        ctx.AllocateOutput(0, x.dtype(), x.shape(), Tensor::Contents::kUnset));
  const float* in = x.flat<float>();
  float* y = out->flat<float>();
  // Split among idle cores: a tanh or erf per element costs what moving ~16 floats would.
  ForEachElementRange(x.num_elements(), 16 * sizeof(float), [&](int64_t begin, int64_t end) {
    const int64_t n = end - begin;
    if constexpr (kForm == Form::kTanh) {
      GeluApproximate(in + begin, n, y + begin);
    } else if constexpr (kForm == Form::kErf) {
      GeluExact(in + begin, n, y + begin);
    } else {
      const float kInvSqrt2 = static_cast<float>(0.7071067811865476);
      for (int64_t i = begin; i < end; ++i) y[i] = (0.5f * in[i]) * std::erfc(-in[i] * kInvSqrt2);
    }
  });
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateFusedGeluKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType type, c.GetTypeAttr("T"));
  if (type != tensorflow::DT_FLOAT) {
    return c.Error("dtype " + DataTypeName(type) + " is not supported (float)");
  }
  if (c.GetBoolAttrOr("approximate", false)) {
    return FunctionKernel<ComputeFusedGelu<Form::kTanh>>::Create(c);
  }
  if (c.GetBoolAttrOr("erfc", false))
    return FunctionKernel<ComputeFusedGelu<Form::kErfc>>::Create(c);
  return FunctionKernel<ComputeFusedGelu<Form::kErf>>::Create(c);
}

}  // namespace tern
