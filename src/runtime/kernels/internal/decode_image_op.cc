#include "runtime/kernels/internal/decode_image_op.h"

namespace tern {
namespace {

// uint8 pixels in the requested dtype: uint16 shifts each into the high byte (TensorFlow's
// conversion of decoded JPEG data), float multiplies by 1/255 (not a division: the last bit
// differs, and TensorFlow multiplies).
Tensor ConvertFromUint8(const Tensor& pixels, DataType dtype) {
  if (dtype == tensorflow::DT_UINT8) return pixels;
  Tensor out(dtype, pixels.shape());
  const uint8_t* in = pixels.flat<uint8_t>();
  const int64_t n = pixels.num_elements();
  if (dtype == tensorflow::DT_UINT16) {
    uint16_t* o = out.flat<uint16_t>();
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<uint16_t>(in[i] << 8);
  } else {
    float* o = out.flat<float>();
    const float scale = 1.0f / 255.0f;
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<float>(in[i]) * scale;
  }
  return out;
}

// PNG data decoded at 16 bits, as float in [0, 1] (times 1/65535, as TensorFlow computes it).
Tensor ConvertFromUint16(const Tensor& pixels) {
  Tensor out(tensorflow::DT_FLOAT, pixels.shape());
  const float scale = 1.0f / 65535.0f;
  const uint16_t* in = pixels.flat<uint16_t>();
  float* o = out.flat<float>();
  for (int64_t i = 0, n = pixels.num_elements(); i < n; ++i) {
    o[i] = static_cast<float>(in[i]) * scale;
  }
  return out;
}

}  // namespace

StatusOr<int> ReadChannelsAttr(const KernelConstruction& c) {
  int64_t channels = 0;
  if (c.HasAttr("channels")) {
    TERN_ASSIGN_OR_RETURN(channels, c.GetIntAttr("channels"));
  }
  if (channels != 0 && channels != 1 && channels != 3 && channels != 4) {
    return c.Error("`channels` must be 0, 1, 3 or 4 but got " + std::to_string(channels));
  }
  return static_cast<int>(channels);
}

Status DecodeImageContents(KernelContext& ctx, const DecodeRequest& request) {
  const Tensor& contents = ctx.input(0);
  if (contents.dtype() != tensorflow::DT_STRING) {
    return ctx.Error("contents must be string, got " + DataTypeName(contents.dtype()));
  }
  if (contents.rank() != 0) {
    return ctx.Error("`contents` must be scalar but got shape" + contents.shape().DebugString());
  }
  const std::string& bytes = contents.flat<std::string>()[0];
  switch (SniffImageFormat(bytes)) {
    case ImageFormat::kJpeg: {
      if (request.channels == 4) return ctx.Error("JPEG does not support 4 channels");
      JpegDecodeOptions options = request.jpeg;
      options.channels = request.channels;
      StatusOr<Tensor> pixels = DecodeJpegBytes(bytes, options);
      if (!pixels.ok()) return ctx.Error(pixels.status().message());
      ctx.set_output(0, ConvertFromUint8(*pixels, request.dtype));
      return Status::Ok();
    }
    case ImageFormat::kPng: {
      StatusOr<Tensor> pixels =
          DecodePngBytes(bytes, request.channels, request.dtype != tensorflow::DT_UINT8);
      if (!pixels.ok()) return ctx.Error(pixels.status().message());
      ctx.set_output(0, request.dtype == tensorflow::DT_FLOAT ? ConvertFromUint16(*pixels)
                                                              : std::move(pixels).value());
      return Status::Ok();
    }
    case ImageFormat::kGif:
    case ImageFormat::kBmp:
      return ctx.Error("GIF and BMP images are not supported yet; send JPEG or PNG");
    case ImageFormat::kUnknown: break;
  }
  if (bytes.empty()) return ctx.Error("Input is empty.");
  return ctx.Error("Unknown image file format. One of JPEG, PNG, GIF, BMP required.");
}

}  // namespace tern
