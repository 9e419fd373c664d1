// RandomUniform: float or double values uniform in [0, 1) of the given shape. Only the unseeded
// form (seed = seed2 = 0, TensorFlow's "nondeterministic" mode) is supported: TF1 variable
// initialisers in a main_op use it (half_plus_two_mkl re-initialises a conv kernel whose output
// is multiplied by zeros). A seeded op would have to reproduce TensorFlow's Philox stream, so it
// is refused at load time rather than answering with different numbers.
#include <random>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

// One generator per thread: no lock on the request path.
std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator;
}

class RandomUniformKernel final : public OpKernel {
 public:
  explicit RandomUniformKernel(DataType dtype) : dtype_(dtype) {}

  Status Compute(KernelContext& ctx) const override {
    std::vector<int64_t> dims;
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(0), "shape", &dims));
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dtype_, TensorShape(dims)));
    auto& gen = Generator();
    const int64_t n = out->num_elements();
    if (dtype_ == tensorflow::DT_FLOAT) {
      // 23 random mantissa bits, as TensorFlow builds its floats: values k * 2^-23.
      std::uniform_int_distribution<uint32_t> bits(0, (1u << 23) - 1);
      for (int64_t i = 0; i < n; ++i)
        out->flat<float>()[i] = static_cast<float>(bits(gen)) * 0x1p-23f;
    } else {
      std::uniform_int_distribution<uint64_t> bits(0, (uint64_t{1} << 52) - 1);
      for (int64_t i = 0; i < n; ++i)
        out->flat<double>()[i] = static_cast<double>(bits(gen)) * 0x1p-52;
    }
    return Status::Ok();
  }

 private:
  const DataType dtype_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateRandomUniformKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType dtype, c.GetTypeAttr("dtype"));
  if (dtype != tensorflow::DT_FLOAT && dtype != tensorflow::DT_DOUBLE) {
    return c.Error("dtype " + DataTypeName(dtype) + " is not supported (float, double)");
  }
  int64_t seed = 0, seed2 = 0;
  if (c.HasAttr("seed")) {
    TERN_ASSIGN_OR_RETURN(seed, c.GetIntAttr("seed"));
  }
  if (c.HasAttr("seed2")) {
    TERN_ASSIGN_OR_RETURN(seed2, c.GetIntAttr("seed2"));
  }
  if (seed != 0 || seed2 != 0) {
    return c.Error("seeded RandomUniform (seed=" + std::to_string(seed) +
                   ", seed2=" + std::to_string(seed2) +
                   ") is not supported: TensorFlow's Philox sequence is not implemented");
  }
  return std::unique_ptr<OpKernel>(new RandomUniformKernel(dtype));
}

}  // namespace tern
