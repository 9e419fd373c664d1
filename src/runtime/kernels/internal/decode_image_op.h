// The one decode path of DecodeJpeg, DecodePng, DecodeGif, DecodeBmp and DecodeImage, as in
// TensorFlow where all of them sniff the format. What each op accepts, as TensorFlow 2.21 does:
// JPEG, PNG and GIF decode under DecodeJpeg, DecodePng, DecodeGif and DecodeImage (GIF gives its
// first frame to the 3-D ops; DecodeGif gives JPEG and PNG as one RGB frame); BMP only under
// DecodeBmp and DecodeImage, and DecodeBmp takes nothing else. GIF takes channels 0 or 3, BMP 0,
// 3 or 4. The ops differ only in their attrs and this acceptance, gathered into a DecodeRequest
// at load time. Stateless; thread-safe.
#pragma once

#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/internal/image_decode.h"

namespace tern {

enum class DecodeOp { kJpeg, kPng, kGif, kBmp, kImage };

struct DecodeRequest {
  DecodeOp op = DecodeOp::kImage;
  int channels = 0;                       // 0, 1, 3 or 4 (JPEG data refuses 4)
  bool expand_animations = true;          // DecodeImage: every GIF frame ([frames, h, w, 3])
  DataType dtype = tensorflow::DT_UINT8;  // uint8, uint16 or float (scaled to [0, 1])
  JpegDecodeOptions jpeg;
};

// Reads the `channels` attr, checking it is one of 0, 1, 3, 4.
StatusOr<int> ReadChannelsAttr(const KernelConstruction& c);

// Decodes scalar string input 0 into output 0, [height, width, channels] ([frames, height,
// width, 3] for DecodeGif, and DecodeImage of a GIF with expand_animations).
Status DecodeImageContents(KernelContext& ctx, const DecodeRequest& request);

}  // namespace tern
