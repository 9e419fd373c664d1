// Fuzz target: image bytes as a request carries them to a model with the image-bytes contract
// (DecodeJpeg/DecodePng/DecodeGif/DecodeBmp/DecodeImage in its graph): libjpeg-turbo, libpng and
// giflib as Tern drives them (error recovery, truncation, palettes, 16-bit, frame compositing)
// and Tern's own BMP reader. The first byte picks the options (channels, JPEG ratio, DCT and
// recovery, 16-bit PNG, first GIF frame only); the rest is decoded as the format its magic bytes
// name, or, when they name none, by every decoder. Errors are fine; a crash, leak, sanitizer
// report or allocation past the tensor budget is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_memory.h"
#include "runtime/kernels/internal/image_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  tern::fuzz::LimitTensorMemory();
  const uint8_t options = data[0];
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  static const int kChannels[] = {0, 1, 3, 4};
  const int channels = kChannels[options & 3];
  const tern::ImageFormat format = tern::SniffImageFormat(bytes);
  const bool any = format == tern::ImageFormat::kUnknown;
  if (any || format == tern::ImageFormat::kJpeg) {
    tern::JpegDecodeOptions jpeg;
    jpeg.channels = channels == 4 ? 3 : channels;
    jpeg.ratio = 1 << ((options >> 2) & 3);
    jpeg.fancy_upscaling = (options & 16) != 0;
    jpeg.try_recover_truncated = (options & 32) != 0;
    jpeg.acceptable_fraction = (options & 64) != 0 ? 0.5f : 1.0f;
    jpeg.fast_integer_dct = (options & 128) != 0;
    (void)tern::DecodeJpegBytes(bytes, jpeg);
  }
  if (any || format == tern::ImageFormat::kPng) {
    (void)tern::DecodePngBytes(bytes, channels, (options & 16) != 0);
  }
  if (any || format == tern::ImageFormat::kGif) {
    int64_t frames = 0;
    (void)tern::DecodeGifBytes(bytes, (options & 16) != 0, &frames);
  }
  if (any || format == tern::ImageFormat::kBmp) {
    (void)tern::DecodeBmpBytes(bytes, channels == 1 ? 0 : channels);
  }
  return 0;
}
