// BMP decoding for DecodeBmp and DecodeImage. Tern's own, not a library's: Debian has no
// maintained BMP-only library, and the general ones (ImageMagick, SDL_image, stb) decode more
// than TensorFlow does (palettes, RLE, bit fields) and would return images where TensorFlow
// refuses or differs. TensorFlow's reading of the format, learned by running it: the pixel data
// starts at the file header's offset (bytes 10-13) and runs to the end of the file exactly;
// width, height and bits per pixel are read at the BITMAPINFOHEADER positions whatever the
// header's size; the compression field is ignored; 8 bits are one gray channel (the palette is
// not applied), 24 BGR, 32 BGRA; rows are padded to 4 bytes and stored bottom-up unless the
// height is negative.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "runtime/kernels/internal/image_decode.h"

namespace tern {
namespace {

int32_t ReadInt32(const std::string& bytes, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(bytes[at + i]);
  return static_cast<int32_t>(v);
}

uint16_t ReadUint16(const std::string& bytes, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(bytes[at]) |
                               (static_cast<uint8_t>(bytes[at + 1]) << 8));
}

}  // namespace

StatusOr<Tensor> DecodeBmpBytes(const std::string& bytes, int channels) {
  if (bytes.size() < 32) {
    return InvalidArgument(
        "Incomplete bmp content, requires at least 32 bytes to find the header size, width, "
        "height, and bpp, got " +
        std::to_string(bytes.size()) + " bytes");
  }
  const int64_t data_offset = ReadInt32(bytes, 10);
  const int64_t width = ReadInt32(bytes, 18);
  const int64_t height = ReadInt32(bytes, 22);
  const int bits_per_pixel = ReadUint16(bytes, 28);
  if (data_offset < 0) return InvalidArgument("header size must be nonnegative");
  if (width <= 0) return InvalidArgument("Width must be positive");
  if (height == 0) return InvalidArgument("Height must be nonzero");
  const int own_channels = bits_per_pixel / 8;
  if (own_channels != 1 && own_channels != 3 && own_channels != 4) {
    return InvalidArgument("Number of channels inherent in the image must be 1, 3 or 4, was " +
                           std::to_string(own_channels));
  }
  const bool top_down = height < 0;
  const int64_t rows = std::llabs(height);
  // TensorFlow's bound, on four bytes a pixel whatever the depth (width * rows * 4 < 2^30),
  // written so the product cannot overflow: each factor is below 2^31.
  if (width * rows >= (int64_t{1} << 28)) {
    return InvalidArgument("Total possible pixel bytes must be less than 2^30");
  }
  const int64_t row_bytes = (8 * own_channels * width + 31) / 32 * 4;  // padded to 4 bytes
  const int64_t mismatch = static_cast<int64_t>(bytes.size()) - (data_offset + row_bytes * rows);
  if (mismatch != 0) {
    return InvalidArgument(
        "Input size should match (header_size + row_size * abs_height) but they differ by " +
        std::to_string(mismatch));
  }
  const int out_channels = channels == 0 ? own_channels : channels;
  TERN_ASSIGN_OR_RETURN(Tensor out,
                        Tensor::Create(tensorflow::DT_UINT8, TensorShape{rows, width, out_channels},
                                       Tensor::Contents::kUnset));
  uint8_t* dst = out.flat<uint8_t>();
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data()) + data_offset;
  for (int64_t y = 0; y < rows; ++y) {
    const uint8_t* src = data + (top_down ? y : rows - 1 - y) * row_bytes;
    for (int64_t x = 0; x < width; ++x, src += own_channels, dst += out_channels) {
      uint8_t rgba[4];
      if (own_channels == 1) {
        rgba[0] = rgba[1] = rgba[2] = src[0];
        rgba[3] = 255;
      } else {  // stored blue, green, red[, alpha]
        rgba[0] = src[2];
        rgba[1] = src[1];
        rgba[2] = src[0];
        rgba[3] = own_channels == 4 ? src[3] : 255;
      }
      if (out_channels == 1) {
        dst[0] = src[0];  // only reached for gray data: 1 channel is refused for colour
      } else {
        std::memcpy(dst, rgba, static_cast<size_t>(out_channels));
      }
    }
  }
  return out;
}

}  // namespace tern
