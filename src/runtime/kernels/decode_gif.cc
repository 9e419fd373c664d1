// DecodeGif: a scalar string of GIF bytes to a uint8 [frames, height, width, 3] tensor, every
// frame composited onto the one before as TensorFlow does (internal/gif_decode.cc). JPEG and PNG
// bytes decode too, as one RGB frame; BMP is refused (internal/decode_image_op.h).
#include "runtime/kernels/internal/decode_image_op.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class DecodeGifKernel final : public OpKernel {
 public:
  explicit DecodeGifKernel(DecodeRequest request) : request_(request) {}
  Status Compute(KernelContext& ctx) const override { return DecodeImageContents(ctx, request_); }

 private:
  const DecodeRequest request_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateDecodeGifKernel(const KernelConstruction&) {
  DecodeRequest request;
  request.op = DecodeOp::kGif;
  return std::unique_ptr<OpKernel>(new DecodeGifKernel(request));
}

}  // namespace tern
