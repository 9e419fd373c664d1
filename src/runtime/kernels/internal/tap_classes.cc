#include "runtime/kernels/internal/tap_classes.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "runtime/kernels/internal/parallel_rows.h"

namespace tern {
namespace {

// Skipping fewer than this share of the taps is not worth the classes' smaller products.
constexpr double kMinSkippedShare = 0.1;
// A class of fewer rows than one tile (6 rows, AVX2) multiplies at a fraction of the speed.
constexpr int64_t kMinClassRows = 6;
// Rows gathered and multiplied at a time: about 128 KiB of gathered windows, at least 24 rows
// (as onednn_conv.cc's product forms on GemmPacked).
constexpr int64_t kChunkBytes = 128 << 10;
constexpr int64_t kChunkMinRows = 24;
// Depth segments of one class: one per filter row it meets.
constexpr int64_t kMaxSegments = 64;

// Output positions along an axis of `out`, by the taps of [tap0, tap1) that meet the input;
// false if there are more than the fixed arrays hold.
template <typename Axis>
bool ClassifyAxis(int64_t out, int64_t stride, int64_t dilation, int64_t pad_before, int64_t in,
                  int64_t tap0, int64_t tap1, Axis& axis) {
  if (out > static_cast<int64_t>(axis.classes[0].positions.size())) return false;
  axis.count = 0;
  for (int64_t o = 0; o < out; ++o) {
    int64_t begin = tap1, end = tap1;
    for (int64_t t = tap0; t < tap1; ++t) {
      const int64_t i = o * stride - pad_before + t * dilation;
      if (i < 0 || i >= in) continue;
      if (begin == tap1) begin = t;
      end = t + 1;
    }
    if (begin == tap1) begin = end = tap0;  // meets no tap
    int found = 0;
    while (found < axis.count &&
           (axis.classes[found].tap_begin != begin || axis.classes[found].tap_end != end)) {
      ++found;
    }
    if (found == axis.count) {
      if (axis.count == static_cast<int>(axis.classes.size())) return false;
      axis.classes[found] = {.tap_begin = begin, .tap_end = end, .count = 0, .positions = {}};
      ++axis.count;
    }
    auto& c = axis.classes[found];
    c.positions[c.count++] = static_cast<int16_t>(o);
  }
  return true;
}

// Sum over an axis's classes of positions times taps met, and the fewest positions of a class.
template <typename Axis>
std::pair<int64_t, int64_t> TapsMetAndFewest(const Axis& axis) {
  int64_t met = 0, fewest = -1;
  for (int i = 0; i < axis.count; ++i) {
    const auto& c = axis.classes[i];
    met += c.count * (c.tap_end - c.tap_begin);
    fewest = fewest < 0 ? c.count : std::min(fewest, c.count);
  }
  return {met, fewest};
}

}  // namespace

std::optional<TapClasses> TapClasses::For(const WindowGeometry& g, const WindowAttrs& a,
                                          const TapBox& box) {
  if (box.h1 - box.h0 > kMaxSegments || g.batch <= 0) return std::nullopt;
  TapClasses t;
  t.g_ = g;
  t.a_ = a;
  t.box_ = box;
  if (!ClassifyAxis(g.out_h, a.stride_h, a.dilation_h, g.pad_top, g.in_h, box.h0, box.h1,
                    t.rows_) ||
      !ClassifyAxis(g.out_w, a.stride_w, a.dilation_w, g.pad_left, g.in_w, box.w0, box.w1,
                    t.columns_)) {
    return std::nullopt;
  }
  const auto [rows_met, fewest_rows] = TapsMetAndFewest(t.rows_);
  const auto [columns_met, fewest_columns] = TapsMetAndFewest(t.columns_);
  const double met = static_cast<double>(rows_met) * static_cast<double>(columns_met);
  const double all = static_cast<double>(g.out_h * (box.h1 - box.h0)) *
                     static_cast<double>(g.out_w * (box.w1 - box.w0));
  if (met > (1.0 - kMinSkippedShare) * all) return std::nullopt;
  if (g.batch * fewest_rows * fewest_columns < kMinClassRows) return std::nullopt;
  return t;
}

int64_t TapClasses::ClassRows(int row_class, int column_class) const {
  return g_.batch * rows_.classes[row_class].count * columns_.classes[column_class].count;
}

void TapClasses::Run(const float* in, const PackedMatrix& packed, float* out,
                     const std::function<void(int64_t row)>& finish, CoreShare share) const {
  const int64_t pixels = g_.batch * g_.out_h * g_.out_w;
  const int64_t box_taps = (box_.h1 - box_.h0) * (box_.w1 - box_.w0);
  const int64_t chunk_rows = std::max<int64_t>(
      kChunkMinRows,
      kChunkBytes / (std::max<int64_t>(box_taps * g_.channels, 1) * int64_t{sizeof(float)}));
  // The split rule sees the depth the classes multiply on average.
  double taps_met = 0;
  for (int i = 0; i < rows_.count; ++i) {
    for (int j = 0; j < columns_.count; ++j) {
      taps_met +=
          static_cast<double>(ClassRows(i, j)) *
          static_cast<double>((rows_.classes[i].tap_end - rows_.classes[i].tap_begin) *
                              (columns_.classes[j].tap_end - columns_.classes[j].tap_begin));
    }
  }
  const int64_t mean_depth =
      static_cast<int64_t>(taps_met / static_cast<double>(pixels)) * g_.channels;
  const bool split_rows =
      share == CoreShare::kRows || SplitsRowsAmongCores(pixels, chunk_rows, mean_depth, packed);
  // Rows [begin, end) of the classes laid end to end, in pieces of at most chunk_rows.
  auto run_rows = [&](int64_t begin, int64_t end) {
    int64_t class_start = 0;
    for (int i = 0; i < rows_.count; ++i) {
      for (int j = 0; j < columns_.count; ++j) {
        const int64_t class_end = class_start + ClassRows(i, j);
        for (int64_t first = std::max(begin, class_start); first < std::min(end, class_end);
             first += chunk_rows) {
          const int64_t rows = std::min({chunk_rows, end - first, class_end - first});
          RunPiece(i, j, first - class_start, rows, in, packed, out, finish, !split_rows);
        }
        class_start = class_end;
      }
    }
  };
  if (split_rows) {
    SplitRowRange(pixels, run_rows);
  } else {
    run_rows(0, pixels);
  }
}

void TapClasses::RunPiece(int row_class, int column_class, int64_t first, int64_t rows,
                          const float* in, const PackedMatrix& packed, float* out,
                          const std::function<void(int64_t row)>& finish, bool split_panels) const {
  const AxisClass& rc = rows_.classes[row_class];
  const AxisClass& cc = columns_.classes[column_class];
  const int64_t c = g_.channels, n = packed.n();
  const int64_t box_w = box_.w1 - box_.w0;
  const int64_t row_values = (cc.tap_end - cc.tap_begin) * c;  // per filter row met
  // One segment per filter row met; adjacent ones merged (a class meeting whole filter rows).
  std::array<int64_t, 2 * kMaxSegments> pairs;
  int64_t count = 0;
  for (int64_t kh = rc.tap_begin; kh < rc.tap_end; ++kh) {
    const int64_t start = ((kh - box_.h0) * box_w + (cc.tap_begin - box_.w0)) * c;
    if (count > 0 && pairs[2 * count - 2] + pairs[2 * count - 1] == start) {
      pairs[2 * count - 1] += row_values;
    } else {
      pairs[2 * count] = start;
      pairs[2 * count + 1] = row_values;
      ++count;
    }
  }
  const int64_t depth = (rc.tap_end - rc.tap_begin) * row_values;
  const DepthSegments segments = {.pairs = pairs.data(), .count = count, .depths = depth};

  // Per thread, grown to the largest seen.
  thread_local std::vector<float> windows, product;
  windows.resize(static_cast<size_t>(rows * depth));
  product.resize(static_cast<size_t>(rows * n));
  const int64_t per_image = rc.count * cc.count;
  auto out_row = [&](int64_t r) {
    const int64_t index = first + r, image = index / per_image, at = index % per_image;
    const int64_t oh = rc.positions[at / cc.count], ow = cc.positions[at % cc.count];
    return std::array<int64_t, 3>{image, oh, ow};
  };
  const size_t pixel_bytes = static_cast<size_t>(c) * sizeof(float);
  for (int64_t r = 0; r < rows; ++r) {
    const auto [image, oh, ow] = out_row(r);
    const float* from = in + image * g_.in_h * g_.in_w * c;
    float* to = windows.data() + r * depth;
    for (int64_t kh = rc.tap_begin; kh < rc.tap_end; ++kh) {
      const int64_t ih = oh * a_.stride_h - g_.pad_top + kh * a_.dilation_h;
      const int64_t iw0 = ow * a_.stride_w - g_.pad_left + cc.tap_begin * a_.dilation_w;
      if (a_.dilation_w == 1) {
        std::memcpy(to, from + (ih * g_.in_w + iw0) * c,
                    static_cast<size_t>(row_values) * sizeof(float));
        to += row_values;
        continue;
      }
      for (int64_t kw = cc.tap_begin; kw < cc.tap_end; ++kw, to += c) {
        const int64_t iw = iw0 + (kw - cc.tap_begin) * a_.dilation_w;
        std::memcpy(to, from + (ih * g_.in_w + iw) * c, pixel_bytes);
      }
    }
  }
  if (split_panels) {
    GemmPackedSegments(windows.data(), rows, segments, packed, product.data());
  } else {
    GemmPackedSegmentsOnCallingThread(windows.data(), rows, segments, packed, product.data(), 0,
                                      (n + packed.panel_cols() - 1) / packed.panel_cols());
  }
  for (int64_t r = 0; r < rows; ++r) {
    const auto [image, oh, ow] = out_row(r);
    const int64_t row = (image * g_.out_h + oh) * g_.out_w + ow;
    std::memcpy(out + row * n, product.data() + r * n, static_cast<size_t>(n) * sizeof(float));
    finish(row);
  }
}

}  // namespace tern
