// Conv2D by GEMM: the input patches are gathered into a [N*OH*OW, KH*KW*C] matrix (im2col;
// skipped for 1x1 stride-1 convolutions, where the input already is that matrix) and multiplied
// by the filter viewed as [KH*KW*C, OC], a cache-sized block of rows at a time. The filter is
// read in place. float's GEMM is Gemm (internal/gemm.h), built for this CPU's vector units.
// Depthwise: a direct loop whose innermost run is the contiguous C*M filter row, which the
// compiler vectorizes.
#include "runtime/kernels/internal/own_conv.h"

#include <Eigen/Core>

#include <algorithm>
#include <memory>
#include <type_traits>

#include "runtime/kernels/internal/gemm.h"

namespace tern {
namespace {

// Patch rows are gathered this many bytes at a time and multiplied right away, so the patch
// matrix stays in cache: gathering all N*OH*OW rows first made a 64-image batch of a small CNN
// stream ~19 MB per layer through memory and cost more per image than one image alone.
constexpr int64_t kColBlockBytes = 256 * 1024;

// Writes patch rows [row_begin, row_end) of the [N*OH*OW, KH*KW*C] patch matrix into `col`.
template <typename T>
void Im2Col(const T* in, const WindowGeometry& g, const WindowAttrs& a, int64_t row_begin,
            int64_t row_end, T* col) {
  const int64_t c = g.channels;
  const int64_t row_len = g.k_h * g.k_w * c;
  for (int64_t r = row_begin; r < row_end; ++r) {
    const int64_t ow = r % g.out_w;
    const int64_t oh = (r / g.out_w) % g.out_h;
    const int64_t n = r / (g.out_w * g.out_h);
    const T* image = in + n * g.in_h * g.in_w * c;
    T* row = col + (r - row_begin) * row_len;
    const int64_t iw0 = ow * a.stride_w - g.pad_left;
    // Taps kw in [kw_lo, kw_hi) fall inside the image; with dilation 1 they are adjacent in
    // memory, so each kernel row is one copy between zero-filled margins.
    int64_t kw_lo = 0, kw_hi = g.k_w;
    if (a.dilation_w == 1) {
      kw_lo = std::clamp<int64_t>(-iw0, 0, g.k_w);
      kw_hi = std::clamp<int64_t>(g.in_w - iw0, kw_lo, g.k_w);
    }
    for (int64_t kh = 0; kh < g.k_h; ++kh) {
      const int64_t ih = oh * a.stride_h - g.pad_top + kh * a.dilation_h;
      T* dst = row + kh * g.k_w * c;
      if (ih < 0 || ih >= g.in_h) {
        std::fill(dst, dst + g.k_w * c, T(0));
        continue;
      }
      const T* src_row = image + ih * g.in_w * c;
      if (a.dilation_w == 1) {
        std::fill(dst, dst + kw_lo * c, T(0));
        if (kw_hi > kw_lo) {
          std::copy(src_row + (iw0 + kw_lo) * c, src_row + (iw0 + kw_hi) * c, dst + kw_lo * c);
        }
        std::fill(dst + kw_hi * c, dst + g.k_w * c, T(0));
        continue;
      }
      for (int64_t kw = 0; kw < g.k_w; ++kw) {
        const int64_t iw = iw0 + kw * a.dilation_w;
        T* tap = dst + kw * c;
        if (iw < 0 || iw >= g.in_w) {
          std::fill(tap, tap + c, T(0));
        } else {
          std::copy_n(src_row + iw * c, c, tap);
        }
      }
    }
  }
}

// out[rows, n] = lhs[rows, depth] * filter[depth, n], all row-major.
template <typename T>
void MatMul(const T* lhs, const T* filter, T* out, int64_t rows, int64_t depth, int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    Gemm({.a = lhs, .b = filter, .c = out, .m = rows, .k = depth, .n = n});
  } else {
    using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::Map<Matrix>(out, rows, n).noalias() =
        Eigen::Map<const Matrix>(lhs, rows, depth) * Eigen::Map<const Matrix>(filter, depth, n);
  }
}

}  // namespace

template <typename T>
void ConvByGemm(const T* in, const T* w, const WindowGeometry& g, const WindowAttrs& a,
                int64_t out_c, T* o) {
  const int64_t rows = g.batch * g.out_h * g.out_w;
  const int64_t depth = g.k_h * g.k_w * g.channels;
  if (rows == 0 || out_c == 0 || depth == 0) return;  // zero-filled already
  const bool direct = g.k_h == 1 && g.k_w == 1 && a.stride_h == 1 && a.stride_w == 1 &&
                      g.pad_top == 0 && g.pad_left == 0;
  if (direct) {
    MatMul(in, w, o, rows, depth, out_c);
    return;
  }
  const int64_t block_rows =
      std::clamp<int64_t>(kColBlockBytes / static_cast<int64_t>(depth * sizeof(T)), 1, rows);
  // Default-initialized: Im2Col writes every element.
  std::unique_ptr<T[]> col(new T[static_cast<size_t>(block_rows * depth)]);
  for (int64_t begin = 0; begin < rows; begin += block_rows) {
    const int64_t end = std::min(rows, begin + block_rows);
    Im2Col(in, g, a, begin, end, col.get());
    MatMul(col.get(), w, o + begin * out_c, end - begin, depth, out_c);
  }
}

template <typename T>
void DepthwiseDirect(const T* in, const T* filter, const WindowGeometry& g, const WindowAttrs& a,
                     int64_t mult, T* out) {
  const int64_t c = g.channels;
  const int64_t oc = c * mult;
  for (int64_t n = 0; n < g.batch; ++n) {
    const T* image = in + n * g.in_h * g.in_w * c;
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        T* o = out + ((n * g.out_h + oh) * g.out_w + ow) * oc;
        for (int64_t kh = 0; kh < g.k_h; ++kh) {
          const int64_t ih = oh * a.stride_h - g.pad_top + kh * a.dilation_h;
          if (ih < 0 || ih >= g.in_h) continue;
          for (int64_t kw = 0; kw < g.k_w; ++kw) {
            const int64_t iw = ow * a.stride_w - g.pad_left + kw * a.dilation_w;
            if (iw < 0 || iw >= g.in_w) continue;
            const T* x = image + (ih * g.in_w + iw) * c;
            const T* f = filter + (kh * g.k_w + kw) * oc;
            if (mult == 1) {
              for (int64_t j = 0; j < c; ++j) o[j] += x[j] * f[j];
            } else {
              for (int64_t j = 0; j < c; ++j) {
                for (int64_t m = 0; m < mult; ++m) o[j * mult + m] += x[j] * f[j * mult + m];
              }
            }
          }
        }
      }
    }
  }
}

template void ConvByGemm<float>(const float*, const float*, const WindowGeometry&,
                                const WindowAttrs&, int64_t, float*);
template void ConvByGemm<double>(const double*, const double*, const WindowGeometry&,
                                 const WindowAttrs&, int64_t, double*);
template void DepthwiseDirect<float>(const float*, const float*, const WindowGeometry&,
                                     const WindowAttrs&, int64_t, float*);
template void DepthwiseDirect<double>(const double*, const double*, const WindowGeometry&,
                                      const WindowAttrs&, int64_t, double*);

}  // namespace tern
