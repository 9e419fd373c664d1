// Shared by StringUpper and StringLower: ASCII case mapping of every string. TensorFlow maps
// only ASCII letters when attr `encoding` is empty (the default); with "utf-8" it uses ICU's
// full case mapping, which Tern does not implement, so that is refused at load time.
#pragma once

#include <cctype>

#include "runtime/kernel.h"

namespace tern {

template <int (*Map)(int)>
class StringCaseKernel final : public OpKernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    if (in.dtype() != tensorflow::DT_STRING) {
      return ctx.Error("input must be string, got " + DataTypeName(in.dtype()));
    }
    Tensor out(tensorflow::DT_STRING, in.shape());
    const std::string* s = in.flat<std::string>();
    std::string* o = out.flat<std::string>();
    for (int64_t i = 0, n = in.num_elements(); i < n; ++i) {
      o[i] = s[i];
      for (char& c : o[i]) {
        const unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x80) c = static_cast<char>(Map(u));
      }
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

  static StatusOr<std::unique_ptr<OpKernel>> Create(const KernelConstruction& c) {
    const std::string encoding = c.GetStringAttrOr("encoding", "");
    if (!encoding.empty()) {
      return c.Error("encoding '" + encoding +
                     "' is not supported (Tern maps ASCII only: encoding must be empty)");
    }
    return std::unique_ptr<OpKernel>(new StringCaseKernel());
  }
};

}  // namespace tern
