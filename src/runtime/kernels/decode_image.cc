// DecodeImage: a scalar string of JPEG, PNG, GIF or BMP bytes to a [height, width, channels]
// tensor of attr dtype uint8 (default), uint16 or float32 (scaled to [0, 1]); see
// internal/decode_image_op.h. expand_animations (default true) gives a GIF's every frame,
// [frames, height, width, 3]; false its first frame only. JPEG data is decoded with
// DecodeJpeg's defaults.
#include "runtime/kernels/internal/decode_image_op.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class DecodeImageKernel final : public OpKernel {
 public:
  explicit DecodeImageKernel(DecodeRequest request) : request_(request) {}
  Status Compute(KernelContext& ctx) const override { return DecodeImageContents(ctx, request_); }

 private:
  const DecodeRequest request_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateDecodeImageKernel(const KernelConstruction& c) {
  DecodeRequest request;
  request.op = DecodeOp::kImage;
  TERN_ASSIGN_OR_RETURN(request.channels, ReadChannelsAttr(c));
  request.expand_animations = c.GetBoolAttrOr("expand_animations", true);
  if (c.HasAttr("dtype")) {
    TERN_ASSIGN_OR_RETURN(request.dtype, c.GetTypeAttr("dtype"));
  }
  if (request.dtype != tensorflow::DT_UINT8 && request.dtype != tensorflow::DT_UINT16 &&
      request.dtype != tensorflow::DT_FLOAT) {
    return c.Error("dtype must be uint8, uint16 or float32, got " + DataTypeName(request.dtype));
  }
  return std::unique_ptr<OpKernel>(new DecodeImageKernel(request));
}

}  // namespace tern
