// UnicodeDecode: each string's code points, as ragged rows (row_splits of attr Tsplits, int64 by
// default, over the flattened input) and int32 char_values. input_encoding UTF-8 only (others
// fail at load). Ill-formed bytes follow attr errors: "replace" (default) puts one
// replacement_char per maximal ill-formed subsequence (Unicode's recommended practice, as ICU
// does), "ignore" drops them, "strict" fails the run; replace_control_characters also replaces
// U+0000..U+001F.
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

enum class OnError { kReplace, kIgnore, kStrict };

// The code point at s[*i] and advances *i past it; -1 (advancing past the maximal ill-formed
// subsequence) when the bytes there are not well-formed UTF-8.
int32_t NextCodePoint(const std::string& s, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(*i);
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  int length = 0;
  int32_t cp = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    ++*i;
    return -1;
  }
  size_t k = *i + 1;
  for (int n = 1; n < length; ++n, ++k) {
    const unsigned char lower = n == 1 ? lo : 0x80, upper = n == 1 ? hi : 0xBF;
    if (k >= s.size() || byte(k) < lower || byte(k) > upper) {
      *i = k;  // the lead byte and the valid continuation bytes so far are one subsequence
      return -1;
    }
    cp = (cp << 6) | (byte(k) & 0x3F);
  }
  *i = k;
  return cp;
}

class UnicodeDecodeKernel final : public OpKernel {
 public:
  UnicodeDecodeKernel(OnError on_error, int32_t replacement, bool replace_control,
                      DataType splits_type)
      : on_error_(on_error),
        replacement_(replacement),
        replace_control_(replace_control),
        splits_type_(splits_type) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& input = ctx.input(0);
    if (input.dtype() != tensorflow::DT_STRING) {
      return ctx.Error("input must be string, got " + DataTypeName(input.dtype()));
    }
    const int64_t n = input.num_elements();
    std::vector<int64_t> splits = {0};
    std::vector<int32_t> chars;
    for (int64_t e = 0; e < n; ++e) {
      const std::string& s = input.flat<std::string>()[e];
      for (size_t i = 0; i < s.size();) {
        int32_t cp = NextCodePoint(s, &i);
        if (cp < 0) {
          if (on_error_ == OnError::kStrict) {
            return ctx.Error("Invalid formatting on input string " + std::to_string(e));
          }
          if (on_error_ == OnError::kIgnore) continue;
          cp = replacement_;
        } else if (replace_control_ && cp < 0x20) {
          cp = replacement_;
        }
        chars.push_back(cp);
      }
      splits.push_back(static_cast<int64_t>(chars.size()));
    }
    TERN_ASSIGN_OR_RETURN(Tensor * out_splits,
                          ctx.AllocateOutput(0, splits_type_, TensorShape({n + 1})));
    for (int64_t i = 0; i <= n; ++i) {
      if (splits_type_ == tensorflow::DT_INT32) {
        out_splits->flat<int32_t>()[i] = static_cast<int32_t>(splits[i]);
      } else {
        out_splits->flat<int64_t>()[i] = splits[i];
      }
    }
    TERN_ASSIGN_OR_RETURN(Tensor * values,
                          ctx.AllocateOutput(1, tensorflow::DT_INT32,
                                             TensorShape({static_cast<int64_t>(chars.size())})));
    std::copy(chars.begin(), chars.end(), values->flat<int32_t>());
    return Status::Ok();
  }

 private:
  const OnError on_error_;
  const int32_t replacement_;
  const bool replace_control_;
  const DataType splits_type_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateUnicodeDecodeKernel(const KernelConstruction& c) {
  const std::string encoding = c.GetStringAttrOr("input_encoding", "");
  if (encoding != "UTF-8") {
    return c.Error("input_encoding '" + encoding + "' is not supported (UTF-8)");
  }
  const std::string errors = c.GetStringAttrOr("errors", "replace");
  OnError on_error = OnError::kReplace;
  if (errors == "ignore") {
    on_error = OnError::kIgnore;
  } else if (errors == "strict") {
    on_error = OnError::kStrict;
  } else if (errors != "replace") {
    return c.Error("errors must be replace, ignore or strict, got '" + errors + "'");
  }
  int64_t replacement = 0xFFFD;
  if (c.HasAttr("replacement_char")) {
    TERN_ASSIGN_OR_RETURN(replacement, c.GetIntAttr("replacement_char"));
  }
  DataType splits = tensorflow::DT_INT64;
  if (c.HasAttr("Tsplits")) {
    TERN_ASSIGN_OR_RETURN(splits, c.GetTypeAttr("Tsplits"));
  }
  if (splits != tensorflow::DT_INT32 && splits != tensorflow::DT_INT64) {
    return c.Error("Tsplits must be int32 or int64, got " + DataTypeName(splits));
  }
  return std::unique_ptr<OpKernel>(
      new UnicodeDecodeKernel(on_error, static_cast<int32_t>(replacement),
                              c.GetBoolAttrOr("replace_control_characters", false), splits));
}

}  // namespace tern
