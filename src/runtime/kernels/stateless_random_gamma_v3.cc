// StatelessRandomGammaV3: Gamma(alpha, 1) samples of `shape` (whose trailing dimensions are
// alpha's shape) from Philox at the given key and counter, exactly TensorFlow's stream. Output
// j = sample * num_alphas + alpha_index is drawn in the order o = alpha_index * num_samples +
// sample, from its own stretch of the stream (counter + 256 * o), so each value does not depend
// on the others. alpha 1: -log1p(-u). Otherwise Marsaglia and Tsang's rejection method in double
// (d = alpha - 1/3, c = 1 / (3 sqrt(d)), the 0.0331 squeeze, then the log test), with alpha < 1
// boosted to alpha + 1 and scaled by u^(1/alpha). Normals and uniforms come two per Philox block
// (double precision) and are used last first, as TensorFlow does. float, double or half.
// Keras 3's RandomColorDegeneration, AugMix and MixUp draw Beta variates from it.
#include <Eigen/Core>

#include <cmath>
#include <numbers>
#include <string>

#include "runtime/kernels/internal/stateless_random.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// TensorFlow reserves this many Philox blocks for each output value.
constexpr uint64_t kReservedPerOutput = 256;

// One output's generator: Philox blocks drawn in counter order.
class Stream {
 public:
  Stream(PhiloxCounter counter, PhiloxKey key) : counter_(counter), key_(key) {}
  PhiloxCounter Next() {
    const PhiloxCounter w = PhiloxBlock(counter_, key_);
    counter_ = PhiloxAdvance(counter_, 1);
    return w;
  }

 private:
  PhiloxCounter counter_;
  const PhiloxKey key_;
};

// Two values per block, handed out from the last to the first.
class PairSource {
 public:
  template <typename Fill>
  double Take(Stream& stream, Fill fill) {
    if (remaining_ == 0) {
      fill(stream.Next(), values_);
      remaining_ = 2;
    }
    return values_[--remaining_];
  }

 private:
  double values_[2] = {0, 0};
  int remaining_ = 0;
};

void Uniforms(const PhiloxCounter& w, double* out) {
  out[0] = PhiloxToDouble(w[0], w[1]);
  out[1] = PhiloxToDouble(w[2], w[3]);
}

void Normals(const PhiloxCounter& w, double* out) { PhiloxToNormalPair(w, &out[0], &out[1]); }

double Sample(double alpha, Stream stream) {
  PairSource uniform;
  if (alpha == 1.0) return -std::log1p(-uniform.Take(stream, Uniforms));
  PairSource normal;
  const bool boost = alpha < 1;
  const double d = alpha + (boost ? 2.0 / 3 : -1.0 / 3);
  const double c = 1.0 / 3 / std::sqrt(d);
  while (true) {
    const double x = normal.Take(stream, Normals);
    double v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const double u = uniform.Take(stream, Uniforms);
    if ((u < 1 - 0.0331 * (x * x) * (x * x)) ||
        (std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v)))) {
      double result = d * v;
      if (boost) result *= std::pow(uniform.Take(stream, Uniforms), 1 / alpha);
      return result;
    }
  }
}

template <typename T>
void Draw(const StatelessRandomArgs& args, const Tensor& alpha, Tensor* out) {
  const int64_t num_alphas = alpha.num_elements();
  const int64_t total = out->num_elements();
  if (total == 0) return;
  const int64_t num_samples = total / num_alphas;
  const T* a = alpha.flat<T>();
  T* o = out->flat<T>();
  for (int64_t index = 0; index < total; ++index) {
    const int64_t alpha_index = index / num_samples, sample = index % num_samples;
    const Stream stream(PhiloxAdvance(args.counter, kReservedPerOutput * index), args.key);
    o[sample * num_alphas + alpha_index] =
        static_cast<T>(Sample(static_cast<double>(a[alpha_index]), stream));
  }
}

class StatelessRandomGammaV3Kernel final : public OpKernel {
 public:
  explicit StatelessRandomGammaV3Kernel(DataType dtype) : dtype_(dtype) {}

  Status Compute(KernelContext& ctx) const override {
    StatelessRandomArgs args;
    TERN_RETURN_IF_ERROR(ReadStatelessRandomArgs(ctx, &args));
    const Tensor& alpha = ctx.input(4);
    if (alpha.dtype() != dtype_) {
      return ctx.Error("alpha must be " + DataTypeName(dtype_) + ", got " +
                       DataTypeName(alpha.dtype()));
    }
    // shape must end with alpha's shape.
    const int alpha_rank = alpha.rank();
    const int rank = static_cast<int>(args.dims.size());
    bool ok = rank >= alpha_rank;
    for (int d = 0; ok && d < alpha_rank; ++d) {
      ok = args.dims[rank - alpha_rank + d] == alpha.dim(d);
    }
    if (!ok) {
      return ctx.Error("Shape passed in must end with broadcasted shape: shape " +
                       TensorShape(args.dims).DebugString() + ", alpha " +
                       alpha.shape().DebugString());
    }
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dtype_, TensorShape(args.dims)));
    switch (dtype_) {
      case tensorflow::DT_FLOAT: Draw<float>(args, alpha, out); break;
      case tensorflow::DT_DOUBLE: Draw<double>(args, alpha, out); break;
      default: Draw<Eigen::half>(args, alpha, out);
    }
    return Status::Ok();
  }

 private:
  const DataType dtype_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStatelessRandomGammaV3Kernel(
    const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType dtype, c.GetTypeAttr("dtype"));
  if (dtype != tensorflow::DT_FLOAT && dtype != tensorflow::DT_DOUBLE &&
      dtype != tensorflow::DT_HALF) {
    return c.Error("dtype " + DataTypeName(dtype) + " is not supported (float, double, half)");
  }
  return std::unique_ptr<OpKernel>(new StatelessRandomGammaV3Kernel(dtype));
}

}  // namespace tern
