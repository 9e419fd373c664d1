// A convolution over a small map run as a product of its gathered windows (onednn_conv.cc's
// product forms on GemmPacked) without the taps that fall in the padding. An output pixel at the
// edge of a 2x2 map meets 4 of a 3x3 filter's 9 taps; copied out as a full window, the other 5
// are zeros the product multiplies anyway (56% of the work on a 2x2 map, 31% on 4x4, 16% on 8x8).
// Here the output pixels are grouped by the taps that meet the input (a class: a range of filter
// rows by a range of filter columns); each class's windows are gathered without the rest, and
// multiplied by only those depths of the packed filter (GemmPackedSegments), into a buffer whose
// rows are then put in place.
//
// Immutable once made; Run is thread-safe. The classes live in fixed arrays; the gathered windows
// and the product go to buffers of each thread, grown to the largest seen.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>

#include "runtime/kernels/internal/gemm_packed.h"
#include "runtime/kernels/internal/window.h"

namespace tern {

// The filter taps a packed filter holds, rows [h0, h1) by columns [w0, w1), back to back as
// [rows][columns][channels]: all of them, or one block of them (onednn_conv.cc's MatMulForm).
struct TapBox {
  int64_t h0 = 0, h1 = 0, w0 = 0, w1 = 0;
};

class TapClasses {
 public:
  // Output positions along one axis that meet the same taps [tap_begin, tap_end) of the box.
  struct AxisClass {
    int64_t tap_begin = 0, tap_end = 0;
    int64_t count = 0;
    std::array<int16_t, 64> positions{};
  };

  // The classes of `g`'s output pixels, or nullopt where they do not pay: fewer than a tenth of
  // the box's taps fall in the padding, or a class has fewer rows than one tile of the product
  // (6, AVX2), or the map is larger than the fixed arrays hold.
  static std::optional<TapClasses> For(const WindowGeometry& g, const WindowAttrs& a,
                                       const TapBox& box);

  // How Run shares its work among idle cores: rows or the filter's panels as GemmPackedInChunks
  // would (rows when there are enough chunks of them), or always rows, each core its own.
  enum class CoreShare { kLikeGemmPackedInChunks, kRows };

  // out [N*OH*OW, packed.n()] = each output pixel's window times the packed filter (the box's
  // taps, [taps * C, OC]); `finish(row)` runs over each output row once it is written (the
  // epilogue), and may run on several threads at once, on distinct rows.
  void Run(const float* in, const PackedMatrix& packed, float* out,
           const std::function<void(int64_t row)>& finish,
           CoreShare share = CoreShare::kLikeGemmPackedInChunks) const;

 private:
  static constexpr int kMaxAxisClasses = 8;
  struct Axis {
    int count = 0;
    std::array<AxisClass, kMaxAxisClasses> classes;
  };
  // Rows [first, first + rows) of class (row_class, column_class): gathered, multiplied, put in
  // place and finished. `split_panels`: the product splits the filter's panels among idle cores.
  void RunPiece(int row_class, int column_class, int64_t first, int64_t rows, const float* in,
                const PackedMatrix& packed, float* out,
                const std::function<void(int64_t row)>& finish, bool split_panels) const;
  int64_t ClassRows(int row_class, int column_class) const;

  WindowGeometry g_{};
  WindowAttrs a_{};
  TapBox box_{};
  Axis rows_, columns_;  // of output rows (oh) and output columns (ow)
};

}  // namespace tern
