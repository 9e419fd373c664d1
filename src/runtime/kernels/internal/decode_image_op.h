// The one decode path of DecodeJpeg, DecodePng and DecodeImage, as in TensorFlow where all three
// sniff the format and decode JPEG or PNG whichever op was asked (DecodeJpeg on PNG bytes works).
// The ops differ only in their attrs, gathered into a DecodeRequest at load time. GIF and BMP
// are recognised but not decoded yet: a clear error, never a wrong image. Stateless; thread-safe.
#pragma once

#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/internal/image_decode.h"

namespace tern {

struct DecodeRequest {
  int channels = 0;                       // 0, 1, 3 or 4 (JPEG data refuses 4)
  DataType dtype = tensorflow::DT_UINT8;  // uint8, uint16 or float (scaled to [0, 1])
  JpegDecodeOptions jpeg;
};

// Reads the `channels` attr, checking it is one of 0, 1, 3, 4.
StatusOr<int> ReadChannelsAttr(const KernelConstruction& c);

// Decodes scalar string input 0 into output 0, [height, width, channels].
Status DecodeImageContents(KernelContext& ctx, const DecodeRequest& request);

}  // namespace tern
