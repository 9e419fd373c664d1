// DecodeBmp: a scalar string of BMP bytes (8-bit gray, 24-bit BGR or 32-bit BGRA; rows padded
// to 4 bytes, bottom-up or top-down) to a uint8 [height, width, channels] tensor
// (internal/bmp_decode.cc). channels: 0 keeps the image's, 3 drops alpha, 4 adds it opaque; 1
// is refused for BMP data, as TensorFlow does. Other formats are refused.
#include "runtime/kernels/internal/decode_image_op.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

class DecodeBmpKernel final : public OpKernel {
 public:
  explicit DecodeBmpKernel(DecodeRequest request) : request_(request) {}
  Status Compute(KernelContext& ctx) const override { return DecodeImageContents(ctx, request_); }

 private:
  const DecodeRequest request_;
};

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateDecodeBmpKernel(const KernelConstruction& c) {
  DecodeRequest request;
  request.op = DecodeOp::kBmp;
  TERN_ASSIGN_OR_RETURN(request.channels, ReadChannelsAttr(c));
  return std::unique_ptr<OpKernel>(new DecodeBmpKernel(request));
}

}  // namespace tern
