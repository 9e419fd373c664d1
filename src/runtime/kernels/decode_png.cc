// DecodePng: a scalar string of image bytes to a [height, width, channels] tensor of attr dtype
// uint8 (default) or uint16; JPEG bytes decode too, as in TensorFlow (internal/decode_image_op.h).
// channels 0 keeps the image's (a palette becomes RGB, or RGBA with transparency); 1 and 3 drop or
// add colour, 2 and 4 add alpha (opaque) when the image has none.
#include "runtime/kernels/internal/decode_image_op.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class DecodePngKernel final : public OpKernel {
 public:
  explicit DecodePngKernel(DecodeRequest request) : request_(request) {}
  Status Compute(KernelContext& ctx) const override { return DecodeImageContents(ctx, request_); }

 private:
  const DecodeRequest request_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateDecodePngKernel(const KernelConstruction& c) {
  DecodeRequest request;
  request.op = DecodeOp::kPng;
  TERN_ASSIGN_OR_RETURN(request.channels, ReadChannelsAttr(c));
  if (c.HasAttr("dtype")) {
    TERN_ASSIGN_OR_RETURN(request.dtype, c.GetTypeAttr("dtype"));
  }
  if (request.dtype != tensorflow::DT_UINT8 && request.dtype != tensorflow::DT_UINT16) {
    return c.Error("dtype must be uint8 or uint16, got " + DataTypeName(request.dtype));
  }
  return std::unique_ptr<OpKernel>(new DecodePngKernel(request));
}

}  // namespace tern
