// Shared by StringUpper and StringLower: ASCII case mapping of every string. TensorFlow maps
// only ASCII letters when attr `encoding` is empty (the default); with "utf-8" it uses ICU's
// full case mapping, which Tern does not implement, so that is refused at load time.
#pragma once

#include <cctype>
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/internal/string_edit.h"

namespace tern {

template <int (*Map)(int)>
class StringCaseKernel final : public OpKernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    return EditEachString(ctx, [](std::string& s) {
      for (char& c : s) {
        const unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x80) c = static_cast<char>(Map(u));
      }
    });
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
