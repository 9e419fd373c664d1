// DecodeJpeg: a scalar string of image bytes to a uint8 [height, width, channels] tensor (PNG
// bytes decode too, as in TensorFlow; see internal/decode_image_op.h). Attrs: channels (0 keeps
// the image's), ratio (1, 2, 4 or 8: libjpeg's downscaling while decoding), fancy_upscaling
// (libjpeg's smooth chroma upsampling, default on), dct_method ("", TensorFlow's default, and
// INTEGER_FAST are libjpeg's fast integer IDCT, INTEGER_ACCURATE its accurate one; the golden
// tests pin this), try_recover_truncated and
// acceptable_fraction (how much of a truncated image is enough). Decoding with the same libjpeg
// settings as TensorFlow gives the same pixels.
#include "runtime/kernels/internal/decode_image_op.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class DecodeJpegKernel final : public OpKernel {
 public:
  explicit DecodeJpegKernel(DecodeRequest request) : request_(request) {}
  Status Compute(KernelContext& ctx) const override { return DecodeImageContents(ctx, request_); }

 private:
  const DecodeRequest request_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateDecodeJpegKernel(const KernelConstruction& c) {
  DecodeRequest request;
  request.op = DecodeOp::kJpeg;
  TERN_ASSIGN_OR_RETURN(request.channels, ReadChannelsAttr(c));
  int64_t ratio = 1;
  if (c.HasAttr("ratio")) {
    TERN_ASSIGN_OR_RETURN(ratio, c.GetIntAttr("ratio"));
  }
  if (ratio != 1 && ratio != 2 && ratio != 4 && ratio != 8) {
    return c.Error("ratio must be 1, 2, 4, or 8, got " + std::to_string(ratio));
  }
  request.jpeg.ratio = static_cast<int>(ratio);
  request.jpeg.fancy_upscaling = c.GetBoolAttrOr("fancy_upscaling", true);
  request.jpeg.try_recover_truncated = c.GetBoolAttrOr("try_recover_truncated", false);
  if (c.HasAttr("acceptable_fraction")) {
    TERN_ASSIGN_OR_RETURN(request.jpeg.acceptable_fraction, c.GetFloatAttr("acceptable_fraction"));
  }
  const std::string dct_method = c.GetStringAttrOr("dct_method", "");
  if (dct_method != "" && dct_method != "INTEGER_FAST" && dct_method != "INTEGER_ACCURATE") {
    return c.Error("dct_method must be one of {'', 'INTEGER_FAST', 'INTEGER_ACCURATE'}, got '" +
                   dct_method + "'");
  }
  // TensorFlow's default ("") is libjpeg's fast integer IDCT, not its accurate one.
  request.jpeg.fast_integer_dct = dct_method != "INTEGER_ACCURATE";
  return std::unique_ptr<OpKernel>(new DecodeJpegKernel(request));
}

}  // namespace tern
