#include "runtime/kernels/internal/image_decode.h"

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>
#include <jerror.h>  // the message codes and ERREXIT/WARNMS
// clang-format on
#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstring>
#include <vector>

namespace tern {
namespace {

constexpr int64_t kMaxPixelBytes = int64_t{1} << 29;  // TensorFlow's "image too large" limit

// ---- JPEG ----

// libjpeg reports fatal errors through error_exit, which must not return: it jumps back to
// the decode call with the library's message.
struct JpegErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void JpegErrorExit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  longjmp(err->jump, 1);
}

void JpegIgnoreMessage(j_common_ptr) {}  // warnings are not printed to the server's stderr

// The whole image is in memory. At its end the source does what TensorFlow's does: with
// try_recover_truncated it appends one fake end-of-image marker (the decoder fills the missing
// blocks with grey), else it stops, which fails the decode.
struct MemorySource {
  jpeg_source_mgr pub;
  const JOCTET* data;
  bool try_recover_truncated;
  int fill_calls = 0;
};

const JOCTET kFakeEndOfImage[2] = {0xFF, JPEG_EOI};
constexpr int kMaxFillCalls = 1000;

void MemoryInit(j_decompress_ptr) {}
void MemoryTerm(j_decompress_ptr) {}

boolean MemoryFill(j_decompress_ptr cinfo) {
  auto* src = reinterpret_cast<MemorySource*>(cinfo->src);
  if (src->pub.bytes_in_buffer == 0 && src->pub.next_input_byte == src->data) {
    ERREXIT(cinfo, JERR_INPUT_EMPTY);
  }
  // Every byte is in memory from the start, so libjpeg asks for more only past the end; a
  // recovered truncated scan asks a few times, but answering TRUE without new bytes let a fuzzed
  // 8-byte header spin here forever (tests/fuzz/regressions/image_decode_fuzz): a bound ends it.
  if (++src->fill_calls > kMaxFillCalls) ERREXIT(cinfo, JERR_FILE_READ);
  if (src->pub.bytes_in_buffer != 0) return src->try_recover_truncated ? TRUE : FALSE;
  if (src->pub.next_input_byte != kFakeEndOfImage + 2 && src->try_recover_truncated) {
    WARNMS(cinfo, JWRN_JPEG_EOF);
    src->pub.next_input_byte = kFakeEndOfImage;
    src->pub.bytes_in_buffer = 2;
    return TRUE;
  }
  ERREXIT(cinfo, JERR_FILE_READ);
  return FALSE;
}

void MemorySkip(j_decompress_ptr cinfo, long count) {  // NOLINT(runtime/int): libjpeg's type
  auto* src = reinterpret_cast<MemorySource*>(cinfo->src);
  if (count <= 0) return;
  const size_t skip = std::min(static_cast<size_t>(count), src->pub.bytes_in_buffer);
  src->pub.next_input_byte += skip;
  src->pub.bytes_in_buffer -= skip;
}

// The decode proper. No object with a destructor may live in this frame: error_exit longjmps
// out of it. `out`, `cmyk_row` (scratch for one CMYK line) and `error` belong to the caller.
bool DecodeJpegInto(const std::string& bytes, const JpegDecodeOptions& options, Tensor* out,
                    std::vector<JSAMPLE>* cmyk_line, std::string* error) {
  jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  MemorySource src;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = JpegErrorExit;
  err.pub.output_message = JpegIgnoreMessage;
  if (setjmp(err.jump)) {
    *error = err.message;
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  src.data = reinterpret_cast<const JOCTET*>(bytes.data());
  src.try_recover_truncated = options.try_recover_truncated;
  src.pub.next_input_byte = src.data;
  src.pub.bytes_in_buffer = bytes.size();
  src.pub.init_source = MemoryInit;
  src.pub.fill_input_buffer = MemoryFill;
  src.pub.skip_input_data = MemorySkip;
  src.pub.resync_to_restart = jpeg_resync_to_restart;
  src.pub.term_source = MemoryTerm;
  cinfo.src = &src.pub;
  jpeg_read_header(&cinfo, TRUE);
  const int channels = options.channels == 0 ? std::min(cinfo.num_components, 3) : options.channels;
  const bool cmyk =
      channels == 3 && (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK);
  cinfo.out_color_space = channels == 1 ? JCS_GRAYSCALE : (cmyk ? JCS_CMYK : JCS_RGB);
  cinfo.do_fancy_upsampling = options.fancy_upscaling ? TRUE : FALSE;
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned int>(options.ratio);
  cinfo.dct_method = options.fast_integer_dct ? JDCT_IFAST : JDCT_ISLOW;
  jpeg_calc_output_dimensions(&cinfo);
  const int64_t height = cinfo.output_height, width = cinfo.output_width;
  if (height * width * channels >= kMaxPixelBytes) {
    *error = "Image too large: " + std::to_string(height) + "x" + std::to_string(width);
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_start_decompress(&cinfo);
  *out = Tensor(tensorflow::DT_UINT8, TensorShape{height, width, channels});
  const int64_t stride = width * channels;
  JSAMPLE* row = static_cast<JSAMPLE*>(out->raw_data());
  if (cmyk) cmyk_line->resize(static_cast<size_t>(width) * 4);
  JSAMPLE* cmyk_row = cmyk_line->data();
  int64_t lines = 0;
  for (; lines < height; ++lines, row += stride) {
    JSAMPLE* target = cmyk ? cmyk_row : row;
    if (jpeg_read_scanlines(&cinfo, &target, 1) == 0) break;  // the source stopped early
    if (cmyk) {
      // Adobe writes CMYK inverted; others store ink coverage.
      for (int64_t x = 0; x < width; ++x) {
        const int c = cmyk_row[4 * x], m = cmyk_row[4 * x + 1], y = cmyk_row[4 * x + 2],
                  k = cmyk_row[4 * x + 3];
        if (cinfo.saw_Adobe_marker) {
          row[3 * x] = static_cast<JSAMPLE>(k * c / 255);
          row[3 * x + 1] = static_cast<JSAMPLE>(k * m / 255);
          row[3 * x + 2] = static_cast<JSAMPLE>(k * y / 255);
        } else {
          row[3 * x] = static_cast<JSAMPLE>((255 - k) * (255 - c) / 255);
          row[3 * x + 1] = static_cast<JSAMPLE>((255 - k) * (255 - m) / 255);
          row[3 * x + 2] = static_cast<JSAMPLE>((255 - k) * (255 - y) / 255);
        }
      }
    }
  }
  if (lines < height) {
    if (options.try_recover_truncated) {
      // Missing lines repeat the last one read (black when none was).
      for (int64_t y = lines; y < height; ++y, row += stride) {
        if (y == 0) {
          std::memset(row, 0, stride);
        } else {
          std::memcpy(row, row - stride, stride);
        }
      }
    } else if (static_cast<float>(lines) < options.acceptable_fraction * height) {
      *error = "Premature end of JPEG data: " + std::to_string(lines) + " of " +
               std::to_string(height) + " lines";
      jpeg_destroy_decompress(&cinfo);
      return false;
    } else {
      std::memset(row, 0, (height - lines) * stride);
    }
    jpeg_abort_decompress(&cinfo);
  } else {
    jpeg_finish_decompress(&cinfo);
  }
  jpeg_destroy_decompress(&cinfo);
  return true;
}

// ---- PNG ----

struct PngReader {
  const png_byte* data;
  size_t size;
  size_t offset;
};

void PngRead(png_structp png, png_bytep out, png_size_t count) {
  auto* reader = static_cast<PngReader*>(png_get_io_ptr(png));
  if (count > reader->size - reader->offset) png_error(png, "Read past end of PNG data");
  std::memcpy(out, reader->data + reader->offset, count);
  reader->offset += count;
}

void PngError(png_structp png, png_const_charp message) {
  auto* error = static_cast<std::string*>(png_get_error_ptr(png));
  *error = message;
  png_longjmp(png, 1);
}

void PngWarning(png_structp, png_const_charp) {}

// As DecodeJpegInto, nothing with a destructor lives in this frame (png_error longjmps).
bool DecodePngInto(const std::string& bytes, int requested_channels, bool sixteen_bit, Tensor* out,
                   std::string* error) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, error, PngError, PngWarning);
  if (png == nullptr) {
    *error = "cannot create a PNG decoder";
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, info != nullptr ? &info : nullptr, nullptr);
    return false;
  }
  PngReader reader{reinterpret_cast<const png_byte*>(bytes.data()), bytes.size(), 0};
  png_set_read_fn(png, &reader, PngRead);
  png_read_info(png, info);
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0;
  png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, nullptr, nullptr, nullptr);
  const bool has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  // A new variable, not `requested_channels` reassigned: that one is live across setjmp.
  const int channels = requested_channels != 0
                           ? requested_channels
                           : (color_type == PNG_COLOR_TYPE_PALETTE ? (has_trns ? 4 : 3)
                                                                   : png_get_channels(png, info));
  const bool has_alpha = (color_type & PNG_COLOR_MASK_ALPHA) != 0;
  if (channels % 2 == 0) {  // alpha wanted
    if (!has_alpha) {
      if (has_trns) {
        png_set_tRNS_to_alpha(png);
      } else {
        png_set_add_alpha(png, (1u << bit_depth) - 1, PNG_FILLER_AFTER);
      }
    }
  } else if (has_alpha || has_trns) {
    png_set_strip_alpha(png);
  }
  if (bit_depth > 8 && !sixteen_bit) png_set_strip_16(png);
  const bool widen_to_16 = bit_depth <= 8 && sixteen_bit;
  png_set_packing(png);
  const int passes = png_set_interlace_handling(png);
  if (sixteen_bit) png_set_swap(png);  // PNG is big-endian; tensors are little-endian
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  const bool is_gray = (color_type & PNG_COLOR_MASK_COLOR) == 0;
  if (is_gray && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (channels < 3) {
    if (!is_gray) png_set_rgb_to_gray(png, 1, 0.299, 0.587);  // Rec. 601, as JPEG
  } else if (is_gray) {
    png_set_gray_to_rgb(png);
  }
  png_read_update_info(png, info);
  if (static_cast<int64_t>(height) * width * channels * (sixteen_bit ? 2 : 1) >= kMaxPixelBytes) {
    *error = "Image too large: " + std::to_string(height) + "x" + std::to_string(width);
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  *out = Tensor(sixteen_bit ? tensorflow::DT_UINT16 : tensorflow::DT_UINT8,
                TensorShape{static_cast<int64_t>(height), static_cast<int64_t>(width), channels});
  // 8-bit data is decoded into the first half of each 16-bit row, then widened in place.
  const size_t row_bytes = static_cast<size_t>(width) * channels * (sixteen_bit ? 2 : 1);
  png_bytep base = static_cast<png_bytep>(out->raw_data());
  for (int pass = 0; pass < passes; ++pass) {
    for (png_uint_32 y = 0; y < height; ++y) png_read_row(png, base + y * row_bytes, nullptr);
  }
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  if (widen_to_16) {
    const size_t n = static_cast<size_t>(width) * channels;
    for (png_uint_32 y = 0; y < height; ++y) {
      const png_byte* narrow = base + y * row_bytes;
      uint16_t* wide = reinterpret_cast<uint16_t*>(base + y * row_bytes);
      for (size_t i = n; i-- > 0;) wide[i] = static_cast<uint16_t>(narrow[i] << 8 | narrow[i]);
    }
  }
  return true;
}

}  // namespace

ImageFormat SniffImageFormat(const std::string& bytes) {
  auto starts = [&](std::string_view magic) {
    return bytes.size() >= magic.size() && bytes.compare(0, magic.size(), magic) == 0;
  };
  if (starts("\xFF\xD8\xFF")) return ImageFormat::kJpeg;
  if (starts("\x89PNG\r\n\x1A\n")) return ImageFormat::kPng;
  if (starts("GIF8")) return ImageFormat::kGif;
  if (starts("BM")) return ImageFormat::kBmp;
  return ImageFormat::kUnknown;
}

StatusOr<Tensor> DecodeJpegBytes(const std::string& bytes, const JpegDecodeOptions& options) {
  if (bytes.empty()) return InvalidArgument("Input is empty.");
  Tensor out;
  std::vector<JSAMPLE> cmyk_line;
  std::string error;
  if (!DecodeJpegInto(bytes, options, &out, &cmyk_line, &error)) {
    return InvalidArgument("Invalid JPEG data (" + std::to_string(bytes.size()) +
                           " bytes): " + error);
  }
  return out;
}

StatusOr<Tensor> DecodePngBytes(const std::string& bytes, int channels, bool sixteen_bit) {
  Tensor out;
  std::string error;
  if (!DecodePngInto(bytes, channels, sixteen_bit, &out, &error)) {
    return InvalidArgument("Invalid PNG data (" + std::to_string(bytes.size()) +
                           " bytes): " + error);
  }
  return out;
}

}  // namespace tern
