// Image decoding shared by the Decode* ops (JPEG via libjpeg-turbo, PNG via libpng, GIF via
// giflib, BMP by Tern's own reader), with TensorFlow's conversions: channel counts, CMYK and
// palette expansion, 8/16-bit depth, its recovery of truncated JPEGs and its compositing of GIF
// frames. Functions return an (N)HWC tensor or INVALID_ARGUMENT saying what is wrong with the
// bytes; callers add the node. Stateless; thread-safe (each call owns its decoder).
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

// uint8 [frames, height, width, 3], the frames composited as TensorFlow does (gif_decode.cc);
// first_frame_only: [1, height, width, 3], later frames read but not drawn. `frames_in_file`
// (may be null) gets the number of complete frames.
StatusOr<Tensor> DecodeGifBytes(const std::string& bytes, bool first_frame_only,
                                int64_t* frames_in_file);

// uint8 [height, width, channels] from 8-, 24- or 32-bit BMP data; channels 0 keeps the image's
// (1, 3 or 4), 3 drops alpha, 4 adds opaque alpha. Callers refuse channels 1 (TensorFlow does).
StatusOr<Tensor> DecodeBmpBytes(const std::string& bytes, int channels);

}  // namespace tern
