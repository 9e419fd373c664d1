// Image decoding shared by the Decode* ops (JPEG via libjpeg-turbo, PNG via libpng), with
// TensorFlow's conversions: channel counts, CMYK and palette expansion, 8/16-bit depth and its
// recovery of truncated JPEGs. Functions return an HWC tensor or INVALID_ARGUMENT saying what is
// wrong with the bytes; callers add the node. Stateless; thread-safe (each call owns its
// decoder).
#pragma once

#include <string>

#include "common/status.h"
#include "runtime/tensor.h"

namespace tern {

enum class ImageFormat { kJpeg, kPng, kGif, kBmp, kUnknown };

// The format named by the first bytes (the magic numbers), kUnknown otherwise.
ImageFormat SniffImageFormat(const std::string& bytes);

struct JpegDecodeOptions {
  int channels = 0;  // 0: the image's own (gray 1, colour 3); 1 or 3 converts
  int ratio = 1;     // downscale while decoding: 1, 2, 4 or 8
  bool fancy_upscaling = true;
  bool try_recover_truncated = false;
  float acceptable_fraction = 1;  // of the lines, for a truncated image to be accepted
  bool fast_integer_dct = true;   // JDCT_IFAST, TensorFlow's default; false: JDCT_ISLOW
};

// uint8 [height, width, channels].
StatusOr<Tensor> DecodeJpegBytes(const std::string& bytes, const JpegDecodeOptions& options);

// uint8 or uint16 (sixteen_bit) [height, width, channels]; channels 0 keeps the image's own
// (a palette becomes RGB, or RGBA with a transparency chunk). 8-bit data widens as v * 257,
// 16-bit data narrows to its high byte.
StatusOr<Tensor> DecodePngBytes(const std::string& bytes, int channels, bool sixteen_bit);

}  // namespace tern
