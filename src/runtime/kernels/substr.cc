// Substr: output[i] = the `len` units of input[i] from `pos` (unit BYTE, the default, or
// UTF8_CHAR: a character is a lead byte and the continuation bytes after it, as TensorFlow counts,
// so malformed UTF-8 never fails). A negative pos counts from the end; |pos| beyond the string's
// length is an error, a len past the end stops at the end. A negative len takes the rest of the
// string in BYTE units (TensorFlow hands it to substr as a size_t) and nothing in UTF8_CHAR
// units. pos and len share one shape: the input's (elementwise), a scalar (every string), or one
// that broadcasts with the input; TensorFlow implements broadcasting up to rank 2 only.
#include <cstdlib>

#include "runtime/kernels/internal/broadcast.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The byte offset `chars` characters after byte `from` (or the end of `s`).
size_t ForwardUtf8Chars(const std::string& s, size_t from, int64_t chars) {
  for (int64_t counted = 0; counted < chars && from < s.size(); ++counted) {
    do {
      ++from;
    } while (from < s.size() && IsContinuationByte(s[from]));
  }
  return from;
}

std::string Quoted(const std::string& s) { return "b'" + s + "'"; }

class SubstrKernel final : public OpKernel {
 public:
  explicit SubstrKernel(bool utf8_chars) : utf8_chars_(utf8_chars) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const Tensor& pos_t = ctx.input(1);
    const Tensor& len_t = ctx.input(2);
    if (in.dtype() != tensorflow::DT_STRING) {
      return ctx.Error("input must be string, got " + DataTypeName(in.dtype()));
    }
    if (pos_t.shape() != len_t.shape()) {
      return ctx.Error("pos and len should have the same shape, got: " +
                       pos_t.shape().DebugString() + " vs. " + len_t.shape().DebugString());
    }
    std::vector<int64_t> pos, len;
    TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, pos_t, "pos", &pos));
    TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, len_t, "len", &len));
    const std::string* s = in.flat<std::string>();
    if (pos_t.rank() == 0 || pos_t.shape() == in.shape()) {
      const bool scalar = pos_t.rank() == 0;
      Tensor out(tensorflow::DT_STRING, in.shape());
      std::string* o = out.flat<std::string>();
      for (int64_t i = 0, n = in.num_elements(); i < n; ++i) {
        const size_t p = scalar ? 0 : static_cast<size_t>(i);
        TERN_RETURN_IF_ERROR(Extract(ctx, s[i], pos[p], len[p], i, &o[i]));
      }
      ctx.set_output(0, std::move(out));
      return Status::Ok();
    }
    StatusOr<TensorShape> broadcast = BroadcastShape(in.shape(), pos_t.shape());
    if (!broadcast.ok()) return ctx.Error(broadcast.status().message());
    const TensorShape out_shape = std::move(broadcast).value();
    if (out_shape.rank() > 2) {
      return Unimplemented("node '" + ctx.node_name() + "' (op " + ctx.op() +
                           "): Substr broadcast not implemented for " +
                           std::to_string(out_shape.rank()) + " dimensions");
    }
    const std::vector<int64_t> in_index = BroadcastIndex(in.shape(), out_shape);
    const std::vector<int64_t> pos_index = BroadcastIndex(pos_t.shape(), out_shape);
    Tensor out(tensorflow::DT_STRING, out_shape);
    std::string* o = out.flat<std::string>();
    for (int64_t i = 0, n = out.num_elements(); i < n; ++i) {
      const int64_t p = pos_index[i];
      TERN_RETURN_IF_ERROR(Extract(ctx, s[in_index[i]], pos[p], len[p], i, &o[i]));
    }
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  Status Extract(const KernelContext& ctx, const std::string& in, int64_t pos, int64_t len,
                 int64_t index, std::string* out) const {
    int64_t length = static_cast<int64_t>(in.size());
    if (utf8_chars_) {
      length = 0;
      for (char c : in) length += !IsContinuationByte(c);
    }
    if (std::llabs(pos) > length) {
      return ctx.Error("pos " + std::to_string(pos) + " out of range for string " + Quoted(in) +
                       " at index " + std::to_string(index));
    }
    if (pos < 0) pos += length;
    if (!utf8_chars_) {
      const size_t take = len < 0 ? std::string::npos : static_cast<size_t>(len);
      *out = in.substr(static_cast<size_t>(pos), take);
      return Status::Ok();
    }
    const size_t begin = ForwardUtf8Chars(in, 0, pos);
    const size_t end = ForwardUtf8Chars(in, begin, len);
    *out = in.substr(begin, end - begin);
    return Status::Ok();
  }

  const bool utf8_chars_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateSubstrKernel(const KernelConstruction& c) {
  const std::string unit = c.GetStringAttrOr("unit", "BYTE");
  if (unit != "BYTE" && unit != "UTF8_CHAR") {
    return c.Error("unit must be BYTE or UTF8_CHAR, got '" + unit + "'");
  }
  return std::unique_ptr<OpKernel>(new SubstrKernel(unit == "UTF8_CHAR"));
}

}  // namespace tern
