// StatelessRandomUniformIntV2: integers uniform in [minval, maxval) of `shape` (int32 or int64,
// the dtypes TensorFlow's CPU kernel has; minval and maxval scalars of that dtype) from Philox at
// the given key and counter, exactly TensorFlow's stream: Philox block g (counter + g) gives four
// 32-bit words; int32 takes one word per value, int64 two (low word first), and each value is
// minval + bits % (maxval - minval), the range taken unsigned. (The modulo leaves a slight bias
// toward small values; TensorFlow accepts it, so Tern reproduces it.) Keras 3's RandomErasing,
// RandAugment and tf-keras' random image layers draw from it.
#include <string>
#include <type_traits>

#include "runtime/kernels/internal/stateless_random.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class StatelessRandomUniformIntV2Kernel final : public OpKernel {
 public:
  explicit StatelessRandomUniformIntV2Kernel(DataType dtype) : dtype_(dtype) {}

  Status Compute(KernelContext& ctx) const override {
    StatelessRandomArgs args;
    TERN_RETURN_IF_ERROR(ReadStatelessRandomArgs(ctx, &args));
    const Tensor& minval = ctx.input(4);
    const Tensor& maxval = ctx.input(5);
    if (minval.rank() != 0 || maxval.rank() != 0) {
      return ctx.Error("minval and maxval must be scalars, got shapes " +
                       minval.shape().DebugString() + " and " + maxval.shape().DebugString());
    }
    if (minval.dtype() != dtype_ || maxval.dtype() != dtype_) {
      return ctx.Error("minval and maxval must be " + DataTypeName(dtype_) + ", got " +
                       DataTypeName(minval.dtype()) + " and " + DataTypeName(maxval.dtype()));
    }
    return dtype_ == tensorflow::DT_INT32 ? Draw<int32_t>(ctx, args) : Draw<int64_t>(ctx, args);
  }

 private:
  template <typename T>
  Status Draw(KernelContext& ctx, const StatelessRandomArgs& args) const {
    using U = std::make_unsigned_t<T>;
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dtype_, TensorShape(args.dims)));
    const int64_t n = out->num_elements();
    if (n == 0) return Status::Ok();  // TensorFlow checks the range only when it draws
    const T lo = ctx.input(4).flat<T>()[0];
    const T hi = ctx.input(5).flat<T>()[0];
    if (!(lo < hi)) {
      return ctx.Error("Need minval < maxval: " + std::to_string(lo) + " >= " + std::to_string(hi));
    }
    const U range = static_cast<U>(static_cast<U>(hi) - static_cast<U>(lo));
    constexpr int64_t kPerBlock = sizeof(T) == 4 ? 4 : 2;
    T* o = out->flat<T>();
    for (int64_t block = 0; block * kPerBlock < n; ++block) {
      const PhiloxCounter w = PhiloxBlock(PhiloxAdvance(args.counter, block), args.key);
      for (int64_t j = 0; j < kPerBlock && block * kPerBlock + j < n; ++j) {
        U bits;
        if constexpr (sizeof(T) == 4) {
          bits = w[j];
        } else {
          bits = w[2 * j] | (static_cast<uint64_t>(w[2 * j + 1]) << 32);
        }
        o[block * kPerBlock + j] = static_cast<T>(static_cast<U>(lo) + bits % range);
      }
    }
    return Status::Ok();
  }

  const DataType dtype_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStatelessRandomUniformIntV2Kernel(
    const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType dtype, c.GetTypeAttr("dtype"));  // no default in the OpDef
  if (dtype != tensorflow::DT_INT32 && dtype != tensorflow::DT_INT64) {
    return c.Error("dtype " + DataTypeName(dtype) + " is not supported (int32, int64)");
  }
  return std::unique_ptr<OpKernel>(new StatelessRandomUniformIntV2Kernel(dtype));
}

}  // namespace tern
