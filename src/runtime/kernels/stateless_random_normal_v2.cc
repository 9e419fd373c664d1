// StatelessRandomNormalV2: standard normal values of `shape` (float, double or half) from
// Philox at the given key and counter, exactly TensorFlow's stream: Philox block g (counter + g)
// gives four 32-bit words, turned pairwise into two normals by the Box-Muller transform
// (float and half: four values per block, rounded to half after; double: two values per block,
// each uniform built from two words). The first uniform is clamped below at 1e-7 so its log is
// finite. Keras 3's RandomElasticTransform and RandomErasing draw from it.
#include <Eigen/Core>

#include <cmath>
#include <numbers>

#include "runtime/kernels/internal/stateless_random.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// The float transform as TensorFlow writes it: the angle is computed in double (2 * pi is a
// double constant) and rounded to float; the radius and sincos are float.
void BoxMullerFloat(uint32_t x0, uint32_t x1, float* f0, float* f1) {
  float u1 = PhiloxToFloat(x0);
  if (u1 < 1.0e-7f) u1 = 1.0e-7f;
  const float v1 = static_cast<float>(2.0f * std::numbers::pi * PhiloxToFloat(x1));
  const float u2 = std::sqrt(-2.0f * std::log(u1));
  ::sincosf(v1, f0, f1);
  *f0 *= u2;
  *f1 *= u2;
}

class StatelessRandomNormalV2Kernel final : public OpKernel {
 public:
  explicit StatelessRandomNormalV2Kernel(DataType dtype) : dtype_(dtype) {}

  Status Compute(KernelContext& ctx) const override {
    StatelessRandomArgs args;
    TERN_RETURN_IF_ERROR(ReadStatelessRandomArgs(ctx, &args));
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dtype_, TensorShape(args.dims)));
    const int64_t n = out->num_elements();
    const int64_t per_block = dtype_ == tensorflow::DT_DOUBLE ? 2 : 4;
    for (int64_t block = 0; block * per_block < n; ++block) {
      const PhiloxCounter w = PhiloxBlock(PhiloxAdvance(args.counter, block), args.key);
      const int64_t first = block * per_block;
      double values[4];
      if (dtype_ == tensorflow::DT_DOUBLE) {
        PhiloxToNormalPair(w, &values[0], &values[1]);
      } else {
        float f[4];
        BoxMullerFloat(w[0], w[1], &f[0], &f[1]);
        BoxMullerFloat(w[2], w[3], &f[2], &f[3]);
        for (int j = 0; j < 4; ++j) values[j] = f[j];
      }
      for (int64_t j = 0; j < per_block && first + j < n; ++j) {
        switch (dtype_) {
          case tensorflow::DT_FLOAT:
            out->flat<float>()[first + j] = static_cast<float>(values[j]);
            break;
          case tensorflow::DT_DOUBLE: out->flat<double>()[first + j] = values[j]; break;
          default: out->flat<Eigen::half>()[first + j] = Eigen::half(static_cast<float>(values[j]));
        }
      }
    }
    return Status::Ok();
  }

 private:
  const DataType dtype_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStatelessRandomNormalV2Kernel(
    const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType dtype, StatelessFloatDtype(c));
  return std::unique_ptr<OpKernel>(new StatelessRandomNormalV2Kernel(dtype));
}

}  // namespace tern
