// Cast: converts x (SrcT) to DstT elementwise. Supported: bool, half, bfloat16, float, double and
// the signed and unsigned integers of 8 to 64 bits, in any combination; SrcT == DstT passes the
// tensor through for every dtype. Conversions follow C++ except where C++ leaves them undefined,
// where we match TensorFlow on x86-64: a float that is NaN or out of range converts to the
// integer minimum for int32/int64 (narrower integers convert through int32 and wrap, uint32
// through int64, uint64 like int64 below 2^63).
// half and bfloat16 convert through float both ways, as Eigen's types (TensorFlow's) do: to them
// every source is first a float (so a double or an int64 rounds twice), then rounded to nearest
// even; NaN stays NaN, overflow gives infinity. From them, a value is its float. Truncate (a
// float source only) clears the float's mantissa bits the narrow type drops before converting,
// which truncates toward zero as TensorFlow's Truncate does.
#include <Eigen/Core>

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

template <typename I, typename F>
I FloatToSigned(F v) {
  // [-2^(b-1), 2^(b-1)) is exactly representable at both ends for every float type.
  constexpr double kLimit = static_cast<double>(uint64_t{1} << (sizeof(I) * 8 - 1));
  const double d = static_cast<double>(v);
  if (!(d >= -kLimit && d < kLimit)) return std::numeric_limits<I>::min();
  return static_cast<I>(v);
}

template <typename T>
constexpr bool kNarrow = std::is_same_v<T, Eigen::half> || std::is_same_v<T, Eigen::bfloat16>;

template <typename D, typename S>
D Convert(S v) {
  if constexpr (kNarrow<S> && !std::is_same_v<D, bool>) {
    return Convert<D>(static_cast<float>(v));
  } else if constexpr (kNarrow<D>) {
    if constexpr (std::is_same_v<S, bool>) {
      return D(v ? 1.0f : 0.0f);
    } else {
      return D(static_cast<float>(v));
    }
  } else if constexpr (std::is_same_v<D, bool>) {
    return v != S(0);
  } else if constexpr (std::is_same_v<S, bool>) {
    return static_cast<D>(v ? 1 : 0);
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
    if constexpr (std::is_same_v<D, int32_t> || std::is_same_v<D, int64_t>) {
      return FloatToSigned<D>(v);
    } else if constexpr (std::is_same_v<D, uint64_t>) {
      constexpr double k63 = 9223372036854775808.0;  // 2^63
      const double d = static_cast<double>(v);
      if (d >= k63 && d < 2 * k63) return static_cast<uint64_t>(v);
      return static_cast<uint64_t>(FloatToSigned<int64_t>(v));
    } else if constexpr (std::is_same_v<D, uint32_t>) {
      return static_cast<D>(FloatToSigned<int64_t>(v));
    } else {
      return static_cast<D>(FloatToSigned<int32_t>(v));
    }
  } else {
    return static_cast<D>(v);
  }
}

using CastFn = void (*)(const void*, void*, int64_t);

template <typename S, typename D>
void CastLoop(const void* src, void* dst, int64_t n) {
  const S* in = static_cast<const S*>(src);
  D* out = static_cast<D*>(dst);
  for (int64_t i = 0; i < n; ++i) out[i] = Convert<D>(in[i]);
}

// Truncate = true from float: the mantissa bits D cannot hold are cleared first, so the rounding
// that follows has nothing to round (a value beyond D's range still overflows, and one in half's
// subnormal range still rounds, as in TensorFlow).
template <typename D>
void TruncatingCastLoop(const void* src, void* dst, int64_t n) {
  constexpr uint32_t kDropped = std::is_same_v<D, Eigen::bfloat16> ? 0xffffu : 0x1fffu;
  const float* in = static_cast<const float*>(src);
  D* out = static_cast<D*>(dst);
  for (int64_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &in[i], 4);
    float v = in[i];
    if (!std::isnan(v)) {
      bits &= ~kDropped;
      std::memcpy(&v, &bits, 4);
    }
    out[i] = D(v);
  }
}

// Calls fn.template operator()<T>() for the dtypes Cast supports; false if unsupported.
template <typename Fn>
bool WithCastType(DataType dtype, Fn&& fn) {
  switch (dtype) {
    case tensorflow::DT_BOOL: fn.template operator()<bool>(); return true;
    case tensorflow::DT_FLOAT: fn.template operator()<float>(); return true;
    case tensorflow::DT_DOUBLE: fn.template operator()<double>(); return true;
    case tensorflow::DT_HALF: fn.template operator()<Eigen::half>(); return true;
    case tensorflow::DT_BFLOAT16: fn.template operator()<Eigen::bfloat16>(); return true;
    case tensorflow::DT_INT8: fn.template operator()<int8_t>(); return true;
    case tensorflow::DT_INT16: fn.template operator()<int16_t>(); return true;
    case tensorflow::DT_INT32: fn.template operator()<int32_t>(); return true;
    case tensorflow::DT_INT64: fn.template operator()<int64_t>(); return true;
    case tensorflow::DT_UINT8: fn.template operator()<uint8_t>(); return true;
    case tensorflow::DT_UINT16: fn.template operator()<uint16_t>(); return true;
    case tensorflow::DT_UINT32: fn.template operator()<uint32_t>(); return true;
    case tensorflow::DT_UINT64: fn.template operator()<uint64_t>(); return true;
    default: return false;
  }
}

class CastKernel final : public OpKernel {
 public:
  CastKernel(DataType src, DataType dst, CastFn fn) : src_(src), dst_(dst), fn_(fn) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != src_) {
      return ctx.Error("input has dtype " + DataTypeName(x.dtype()) + " but SrcT is " +
                       DataTypeName(src_));
    }
    if (fn_ == nullptr) {  // SrcT == DstT
      ctx.set_output(0, x);
      return Status::Ok();
    }
    TERN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dst_, x.shape()));
    fn_(x.raw_data(), out->raw_data(), x.num_elements());
    return Status::Ok();
  }

 private:
  const DataType src_;
  const DataType dst_;
  const CastFn fn_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateCastKernel(const KernelConstruction& c) {
  TERN_ASSIGN_OR_RETURN(DataType src, c.GetTypeAttr("SrcT"));
  TERN_ASSIGN_OR_RETURN(DataType dst, c.GetTypeAttr("DstT"));
  if (src == dst) return std::unique_ptr<OpKernel>(new CastKernel(src, dst, nullptr));
  CastFn fn = nullptr;
  const bool ok = WithCastType(
      src, [&]<typename S>() { WithCastType(dst, [&]<typename D>() { fn = &CastLoop<S, D>; }); });
  if (ok && src == tensorflow::DT_FLOAT && c.GetBoolAttrOr("Truncate", false)) {
    if (dst == tensorflow::DT_HALF) fn = &TruncatingCastLoop<Eigen::half>;
    if (dst == tensorflow::DT_BFLOAT16) fn = &TruncatingCastLoop<Eigen::bfloat16>;
  }
  if (!ok || fn == nullptr) {
    return c.Error("cast from " + DataTypeName(src) + " to " + DataTypeName(dst) +
                   " is not supported");
  }
  return std::unique_ptr<OpKernel>(new CastKernel(src, dst, fn));
}

}  // namespace tern
