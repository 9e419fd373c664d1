// StringNGrams: the n-grams of each row of a ragged string tensor (data [values], data_splits
// [rows + 1], int32 or int64), what Keras' TextVectorization(ngrams=...) runs. For each row and
// each width in ngram_widths, every window of `width` consecutive tokens joined by `separator`,
// the row optionally padded on both sides with pad_width copies of left_pad / right_pad (-1:
// width - 1 copies; never more than width - 1). With preserve_short_sequences a non-empty row
// too short for any n-gram gives one n-gram of the whole (padded) row. Outputs the n-grams and
// their row splits (same dtype as data_splits). Splits are checked as TensorFlow checks them.
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

struct NGramAttrs {
  std::string separator, left_pad, right_pad;
  std::vector<int64_t> widths;
  int64_t pad_width = -1;
  bool preserve_short = false;
};

class StringNGramsKernel final : public OpKernel {
 public:
  explicit StringNGramsKernel(NGramAttrs attrs) : a_(std::move(attrs)) {}

  Status Compute(KernelContext& ctx) const override {
    for (int64_t w : a_.widths) {
      if (w <= 0) return ctx.Error("ngram_widths must contain positive values");
    }
    const Tensor& data = ctx.input(0);
    const Tensor& splits_t = ctx.input(1);
    if (data.dtype() != tensorflow::DT_STRING) {
      return ctx.Error("data must be string, got " + DataTypeName(data.dtype()));
    }
    if (data.rank() != 1) {
      return ctx.Error("data must be a vector, got shape " + data.shape().DebugString());
    }
    if (splits_t.rank() != 1) {
      return ctx.Error("data_splits must be a vector, got shape " + splits_t.shape().DebugString());
    }
    std::vector<int64_t> splits;
    TERN_RETURN_IF_ERROR(ReadIndexValues(ctx, splits_t, "data_splits", &splits));
    const int64_t size = data.num_elements();
    if (!splits.empty()) {
      if (splits[0] != 0) {
        return ctx.Error("First split value must be 0, got " + std::to_string(splits[0]));
      }
      for (size_t i = 1; i < splits.size(); ++i) {
        if (splits[i] < splits[i - 1] || splits[i] > size) {
          return ctx.Error("Invalid split value " + std::to_string(splits[i]) + ", must be in [" +
                           std::to_string(splits[i - 1]) + ", " + std::to_string(size) + "]");
        }
      }
      if (splits.back() != size) {
        return ctx.Error("Last split value must be data size. Expected " + std::to_string(size) +
                         ", got " + std::to_string(splits.back()));
      }
    }
    const int64_t rows = static_cast<int64_t>(splits.size()) - 1;
    const std::string* tokens = data.flat<std::string>();
    std::vector<int64_t> out_splits(splits.size(), 0);
    std::vector<std::string> ngrams;
    if (size == 0 || splits.empty()) {
      // TensorFlow answers no data (or no splits) with all-zero splits and `data` itself.
      ctx.set_output(0, data);
    } else {
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t length = splits[r + 1] - splits[r];
        const std::string* row = tokens + splits[r];
        const size_t row_begin = ngrams.size();
        for (int64_t w : a_.widths) AppendNGrams(row, w, NumNGrams(length, w), &ngrams);
        if (a_.preserve_short && length > 0 && ngrams.size() == row_begin) {
          // Only a fixed pad width can leave a non-empty row without n-grams.
          if (a_.pad_width < 0) {
            return ctx.Error(
                "Pad width should be >= 0 when preserve_short_sequences is True "
                "and ngram_widths are not provided, got " +
                std::to_string(a_.pad_width));
          }
          AppendNGrams(row, length + 2 * a_.pad_width, 1, &ngrams);
        }
        out_splits[r + 1] = static_cast<int64_t>(ngrams.size());
      }
      TERN_ASSIGN_OR_RETURN(Tensor * out,
                            ctx.AllocateOutput(0, tensorflow::DT_STRING,
                                               TensorShape{static_cast<int64_t>(ngrams.size())}));
      std::move(ngrams.begin(), ngrams.end(), out->flat<std::string>());
    }
    TERN_ASSIGN_OR_RETURN(Tensor * split_out,
                          ctx.AllocateOutput(1, splits_t.dtype(), splits_t.shape()));
    for (size_t i = 0; i < out_splits.size(); ++i) {
      if (splits_t.dtype() == tensorflow::DT_INT32) {
        split_out->flat<int32_t>()[i] = static_cast<int32_t>(out_splits[i]);
      } else {
        split_out->flat<int64_t>()[i] = out_splits[i];
      }
    }
    return Status::Ok();
  }

 private:
  int64_t PadWidth(int64_t width) const {
    return std::min(a_.pad_width < 0 ? width - 1 : a_.pad_width, width - 1);
  }

  int64_t NumNGrams(int64_t length, int64_t width) const {
    return std::max<int64_t>(0, length + 2 * PadWidth(width) - width + 1);
  }

  // Appends `count` n-grams of `width` over the padded row. N-gram i starts i - pad slots into
  // the row; slots before it are left pads, slots past its end right pads.
  void AppendNGrams(const std::string* row, int64_t width, int64_t count,
                    std::vector<std::string>* out) const {
    const int64_t pad = PadWidth(width);
    for (int64_t i = 0; i < count; ++i) {
      const int64_t left = std::max<int64_t>(0, pad - i);
      const int64_t right = std::max<int64_t>(0, pad - (count - (i + 1)));
      const int64_t num_tokens = width - left - right;
      const int64_t first = left > 0 ? 0 : i - pad;
      std::string gram;
      bool need_separator = false;
      auto add = [&](const std::string& piece) {
        if (need_separator) gram += a_.separator;
        gram += piece;
        need_separator = true;
      };
      for (int64_t k = 0; k < left; ++k) add(a_.left_pad);
      for (int64_t k = 0; k < num_tokens; ++k) add(row[first + k]);
      for (int64_t k = 0; k < right; ++k) add(a_.right_pad);
      out->push_back(std::move(gram));
    }
  }

  const NGramAttrs a_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateStringNGramsKernel(const KernelConstruction& c) {
  NGramAttrs a;
  TERN_ASSIGN_OR_RETURN(a.separator, c.GetStringAttr("separator"));
  TERN_ASSIGN_OR_RETURN(a.widths, c.GetIntListAttr("ngram_widths"));
  TERN_ASSIGN_OR_RETURN(a.left_pad, c.GetStringAttr("left_pad"));
  TERN_ASSIGN_OR_RETURN(a.right_pad, c.GetStringAttr("right_pad"));
  TERN_ASSIGN_OR_RETURN(a.pad_width, c.GetIntAttr("pad_width"));
  if (!c.HasAttr("preserve_short_sequences")) {
    return c.Error("missing attr 'preserve_short_sequences'");
  }
  a.preserve_short = c.GetBoolAttrOr("preserve_short_sequences", false);
  return std::unique_ptr<OpKernel>(new StringNGramsKernel(std::move(a)));
}

}  // namespace tern
