// StatelessRandomGetKeyCounter: turns a stateless-random seed (int32 or int64 [2]) into the
// Philox key (uint64 [1]) and counter (uint64 [2]) that StatelessRandomUniformV2 and its kin
// take, as TensorFlow scrambles it: the two seeds, as 64-bit values, form a counter that one
// Philox block under a fixed key turns into the key (first two words) and the counter's upper
// half (last two words; the lower half is zero). 32-bit words pack into 64-bit values low word
// first. Keras 3's random layers (RandomTranslation, RandomRotation, RandomZoom, ...) run it.
#include "runtime/kernels/internal/philox.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class StatelessRandomGetKeyCounterKernel final : public OpKernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor& seed = ctx.input(0);
    if (seed.rank() != 1 || seed.dim(0) != 2) {
      return ctx.Error("seed must have shape [2], not " + seed.shape().DebugString());
    }
    uint64_t s0 = 0, s1 = 0;
    if (seed.dtype() == tensorflow::DT_INT32) {
      // Sign-extended, as TensorFlow widens them.
      s0 = static_cast<uint64_t>(static_cast<int64_t>(seed.flat<int32_t>()[0]));
      s1 = static_cast<uint64_t>(static_cast<int64_t>(seed.flat<int32_t>()[1]));
    } else if (seed.dtype() == tensorflow::DT_INT64) {
      s0 = static_cast<uint64_t>(seed.flat<int64_t>()[0]);
      s1 = static_cast<uint64_t>(seed.flat<int64_t>()[1]);
    } else {
      return ctx.Error("seed must be int32 or int64, got " + DataTypeName(seed.dtype()));
    }
    const PhiloxCounter mix =
        PhiloxBlock({static_cast<uint32_t>(s0), static_cast<uint32_t>(s0 >> 32),
                     static_cast<uint32_t>(s1), static_cast<uint32_t>(s1 >> 32)},
                    {0x3ec8f720u, 0x02461e29u});
    TERN_ASSIGN_OR_RETURN(Tensor * key, ctx.AllocateOutput(0, tensorflow::DT_UINT64, {1}));
    TERN_ASSIGN_OR_RETURN(Tensor * counter, ctx.AllocateOutput(1, tensorflow::DT_UINT64, {2}));
    key->flat<uint64_t>()[0] = mix[0] | (static_cast<uint64_t>(mix[1]) << 32);
    counter->flat<uint64_t>()[0] = 0;
    counter->flat<uint64_t>()[1] = mix[2] | (static_cast<uint64_t>(mix[3]) << 32);
    return Status::Ok();
  }
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStatelessRandomGetKeyCounterKernel(
    const KernelConstruction& c) {
  (void)c;
  return std::unique_ptr<OpKernel>(new StatelessRandomGetKeyCounterKernel());
}

}  // namespace tern
