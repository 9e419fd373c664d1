// StringLength: int32 length of each string, in bytes (unit "BYTE", the default) or in UTF-8
// characters (unit "UTF8_CHAR": bytes that are not continuation bytes, as TensorFlow counts).
#include <limits>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class StringLengthKernel final : public OpKernel {
 public:
  explicit StringLengthKernel(bool count_utf8_chars) : count_utf8_chars_(count_utf8_chars) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    if (in.dtype() != tensorflow::DT_STRING) {
      return ctx.Error("input must be string, got " + DataTypeName(in.dtype()));
    }
    Tensor out(tensorflow::DT_INT32, in.shape());
    const std::string* s = in.flat<std::string>();
    int32_t* o = out.flat<int32_t>();
    for (int64_t i = 0, n = in.num_elements(); i < n; ++i) {
      int64_t length = 0;
      if (count_utf8_chars_) {
        for (unsigned char c : s[i]) length += (c & 0xC0) != 0x80;
      } else {
        length = static_cast<int64_t>(s[i].size());
      }
      if (length > std::numeric_limits<int32_t>::max()) {
        return ctx.Error("string " + std::to_string(i) + " is longer than int32 can hold");
      }
      o[i] = static_cast<int32_t>(length);
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  const bool count_utf8_chars_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStringLengthKernel(const KernelConstruction& c) {
  const std::string unit = c.GetStringAttrOr("unit", "BYTE");
  if (unit != "BYTE" && unit != "UTF8_CHAR") {
    return c.Error("unit must be BYTE or UTF8_CHAR, got '" + unit + "'");
  }
  return std::unique_ptr<OpKernel>(new StringLengthKernel(unit == "UTF8_CHAR"));
}

}  // namespace tern
