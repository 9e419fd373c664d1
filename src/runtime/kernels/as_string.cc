// AsString: each element formatted as text, with TensorFlow's printf-style attrs: precision
// (floats only), scientific / shortest (floats only: %e / %g instead of %f), width and fill
// (one of " +-0#"). Bools become "true"/"false"; strings pass through the width formatting.
#include <cstdio>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class AsStringKernel final : public OpKernel {
 public:
  AsStringKernel(std::string format, std::string float_conversion)
      : format_(std::move(format)), float_conversion_(std::move(float_conversion)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    Tensor out(tensorflow::DT_STRING, in.shape());
    std::string* o = out.flat<std::string>();
    const int64_t n = in.num_elements();
    auto each = [&](auto get) {
      for (int64_t i = 0; i < n; ++i) o[i] = Format(get(i));
    };
    switch (in.dtype()) {
      case tensorflow::DT_FLOAT:
        each([&](int64_t i) { return double{in.flat<float>()[i]}; });
        break;
      case tensorflow::DT_DOUBLE: each([&](int64_t i) { return in.flat<double>()[i]; }); break;
      case tensorflow::DT_INT8:
        each([&](int64_t i) { return (long long)in.flat<int8_t>()[i]; });
        break;
      case tensorflow::DT_INT16:
        each([&](int64_t i) { return (long long)in.flat<int16_t>()[i]; });
        break;
      case tensorflow::DT_INT32:
        each([&](int64_t i) { return (long long)in.flat<int32_t>()[i]; });
        break;
      case tensorflow::DT_INT64:
        each([&](int64_t i) { return (long long)in.flat<int64_t>()[i]; });
        break;
      case tensorflow::DT_UINT8:
        each([&](int64_t i) { return (unsigned long long)in.flat<uint8_t>()[i]; });
        break;
      case tensorflow::DT_UINT16:
        each([&](int64_t i) { return (unsigned long long)in.flat<uint16_t>()[i]; });
        break;
      case tensorflow::DT_UINT32:
        each([&](int64_t i) { return (unsigned long long)in.flat<uint32_t>()[i]; });
        break;
      case tensorflow::DT_UINT64:
        each([&](int64_t i) { return (unsigned long long)in.flat<uint64_t>()[i]; });
        break;
      case tensorflow::DT_STRING:
        each([&](int64_t i) { return in.flat<std::string>()[i].c_str(); });
        break;
      case tensorflow::DT_BOOL:
        for (int64_t i = 0; i < n; ++i) o[i] = in.flat<bool>()[i] ? "true" : "false";
        break;
      default: return ctx.Error("unsupported input dtype " + DataTypeName(in.dtype()));
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  template <typename V>
  std::string Format(V value) const {
    const std::string spec = format_ + Conversion<V>();
    const int size = std::snprintf(nullptr, 0, spec.c_str(), value);
    std::string s(static_cast<size_t>(size > 0 ? size : 0), '\0');
    if (size > 0) std::snprintf(s.data(), s.size() + 1, spec.c_str(), value);
    return s;
  }
  template <typename V>
  const char* Conversion() const {
    if constexpr (std::is_same_v<V, double>)
      return float_conversion_.c_str();
    else if constexpr (std::is_same_v<V, long long>)
      return "lld";
    else if constexpr (std::is_same_v<V, unsigned long long>)
      return "llu";
    else
      return "s";
  }

  // "%", flags, width and precision; the conversion letter is added per dtype.
  const std::string format_;
  const std::string float_conversion_;  // "f", "e" (scientific) or "g" (shortest)
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateAsStringKernel(const KernelConstruction& c) {
  DataType dtype = tensorflow::DT_FLOAT;
  if (c.HasAttr("T")) {
    TERN_ASSIGN_OR_RETURN(dtype, c.GetTypeAttr("T"));
  }
  const bool is_float = dtype == tensorflow::DT_FLOAT || dtype == tensorflow::DT_DOUBLE;
  int64_t precision = -1, width = -1;
  if (c.HasAttr("precision")) {
    TERN_ASSIGN_OR_RETURN(precision, c.GetIntAttr("precision"));
  }
  if (c.HasAttr("width")) {
    TERN_ASSIGN_OR_RETURN(width, c.GetIntAttr("width"));
  }
  const bool scientific = c.GetBoolAttrOr("scientific", false);
  const bool shortest = c.GetBoolAttrOr("shortest", false);
  const std::string fill = c.GetStringAttrOr("fill", "");
  if (!is_float && (precision > -1 || scientific || shortest)) {
    return c.Error("precision, scientific and shortest apply only to float and double, not " +
                   DataTypeName(dtype));
  }
  if (scientific && shortest) return c.Error("cannot select both scientific and shortest");
  if (fill.size() > 1) return c.Error("fill must be at most one character, got '" + fill + "'");
  std::string format = "%";
  if (!fill.empty()) {
    if (std::string(" +-0#").find(fill[0]) == std::string::npos) {
      return c.Error("fill '" + fill + "' is not supported (expected one of ' +-0#')");
    }
    format += fill;
  }
  if (width > -1) format += std::to_string(width);
  if (precision > -1) format += "." + std::to_string(precision);
  return std::unique_ptr<OpKernel>(new AsStringKernel(format, shortest     ? "g"
                                                              : scientific ? "e"
                                                                           : "f"));
}

}  // namespace tern
