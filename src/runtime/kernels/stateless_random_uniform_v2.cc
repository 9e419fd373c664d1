// StatelessRandomUniformV2: values uniform in [0, 1) of `shape` (float, double or half) drawn
// from Philox at the given key (uint64 [1]) and counter (uint64 [2]), exactly TensorFlow's
// stream: output element i comes from the Philox block at counter + i / k (k = 4 values per
// block for float and half, 2 for double), each 32-bit word (two for a double) becoming a
// mantissa with exponent 0, minus 1. alg must be Philox (1) or auto-select (3, Philox on CPU);
// ThreeFry (2) is refused.
#include <Eigen/Core>

#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/internal/philox.h"
#include "runtime/kernels/internal/stateless_random.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

constexpr int64_t kAlgPhilox = 1;
constexpr int64_t kAlgAutoSelect = 3;

class StatelessRandomUniformV2Kernel final : public OpKernel {
 public:
  explicit StatelessRandomUniformV2Kernel(DataType dtype) : dtype_(dtype) {}

  Status Compute(KernelContext& ctx) const override {
    std::vector<int64_t> dims;
    TERN_RETURN_IF_ERROR(ReadIndexVector(ctx, ctx.input(0), "shape", &dims));
    for (int64_t d : dims) {
      if (d < 0) return ctx.Error("shape has a negative dimension: " + std::to_string(d));
    }
    const Tensor& key_t = ctx.input(1);
    const Tensor& counter_t = ctx.input(2);
    const Tensor& alg_t = ctx.input(3);
    if (key_t.dtype() != tensorflow::DT_UINT64 || key_t.rank() != 1 || key_t.dim(0) != 1) {
      return ctx.Error("key must be a uint64 vector of 1 element, got " +
                       DataTypeName(key_t.dtype()) + " " + key_t.shape().DebugString());
    }
    int64_t alg = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, alg_t, "alg", &alg));
    if (alg != kAlgPhilox && alg != kAlgAutoSelect) {
      return ctx.Error("Unsupported algorithm id: " + std::to_string(alg) +
                       " (Philox, 1, and auto-select, 3, are supported)");
    }
    if (counter_t.dtype() != tensorflow::DT_UINT64 || counter_t.rank() != 1 ||
        counter_t.dim(0) < 2) {
      return ctx.Error("counter must be a uint64 vector of at least 2 elements (Philox), got " +
                       DataTypeName(counter_t.dtype()) + " " + counter_t.shape().DebugString());
    }
    const uint64_t k = key_t.flat<uint64_t>()[0];
    const uint64_t c0 = counter_t.flat<uint64_t>()[0], c1 = counter_t.flat<uint64_t>()[1];
    const PhiloxKey key = {static_cast<uint32_t>(k), static_cast<uint32_t>(k >> 32)};
    const PhiloxCounter counter = {static_cast<uint32_t>(c0), static_cast<uint32_t>(c0 >> 32),
                                   static_cast<uint32_t>(c1), static_cast<uint32_t>(c1 >> 32)};
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dtype_, TensorShape(dims)));
    const int64_t n = out->num_elements();
    const int64_t per_block = dtype_ == tensorflow::DT_DOUBLE ? 2 : 4;
    for (int64_t block = 0; block * per_block < n; ++block) {
      const PhiloxCounter words = PhiloxBlock(PhiloxAdvance(counter, block), key);
      const int64_t first = block * per_block;
      for (int64_t j = 0; j < per_block && first + j < n; ++j) {
        switch (dtype_) {
          case tensorflow::DT_FLOAT: out->flat<float>()[first + j] = PhiloxToFloat(words[j]); break;
          case tensorflow::DT_DOUBLE:
            out->flat<double>()[first + j] = PhiloxToDouble(words[2 * j], words[2 * j + 1]);
            break;
          default:  // half: 10 mantissa bits, m / 1024, exact in float16
            out->flat<Eigen::half>()[first + j] =
                Eigen::half(static_cast<float>(words[j] & 0x3ffu) / 1024.0f);
        }
      }
    }
    return Status::Ok();
  }

 private:
  const DataType dtype_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStatelessRandomUniformV2Kernel(
    const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType dtype, StatelessFloatDtype(c));
  return std::unique_ptr<OpKernel>(new StatelessRandomUniformV2Kernel(dtype));
}

}  // namespace tern
