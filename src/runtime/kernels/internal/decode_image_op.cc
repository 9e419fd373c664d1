#include "runtime/kernels/internal/decode_image_op.h"

#include <cstring>

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

const char* FormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg: return "JPEG";
    case ImageFormat::kPng: return "PNG";
    case ImageFormat::kGif: return "GIF";
    case ImageFormat::kBmp: return "BMP";
    case ImageFormat::kUnknown: break;
  }
  return "unknown";
}

const char* LowerName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg: return "jpeg";
    case ImageFormat::kPng: return "png";
    case ImageFormat::kGif: return "gif";
    case ImageFormat::kBmp: return "bmp";
    case ImageFormat::kUnknown: break;
  }
  return "image";
}

const char* OpName(DecodeOp op) {
  switch (op) {
    case DecodeOp::kJpeg: return "DecodeJpeg";
    case DecodeOp::kPng: return "DecodePng";
    case DecodeOp::kGif: return "DecodeGif";
    case DecodeOp::kBmp: return "DecodeBmp";
    case DecodeOp::kImage: return "DecodeImage";
  }
  return "Decode";
}

// Frame 0 of a [frames, h, w, c] tensor, as [h, w, c].
Tensor FirstFrame(const Tensor& frames) {
  const TensorShape& s = frames.shape();
  Tensor out(frames.dtype(), TensorShape{s.dim(1), s.dim(2), s.dim(3)});
  std::memcpy(out.flat<uint8_t>(), frames.flat<uint8_t>(), static_cast<size_t>(out.num_elements()));
  return out;
}

// Output 0 from uint8 HWC pixels: DecodeGif adds the frame axis; the rest convert to the
// requested dtype.
Status SetDecoded(KernelContext& ctx, const DecodeRequest& request, Tensor pixels) {
  if (request.op == DecodeOp::kGif) {
    const TensorShape& s = pixels.shape();
    Tensor framed(tensorflow::DT_UINT8, TensorShape{1, s.dim(0), s.dim(1), s.dim(2)});
    std::memcpy(framed.flat<uint8_t>(), pixels.flat<uint8_t>(),
                static_cast<size_t>(pixels.num_elements()));
    ctx.set_output(0, std::move(framed));
    return Status::Ok();
  }
  ctx.set_output(0, ConvertFromUint8(pixels, request.dtype));
  return Status::Ok();
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
  if (bytes.empty()) return ctx.Error("Input is empty.");
  const ImageFormat format = SniffImageFormat(bytes);
  if (request.op == DecodeOp::kBmp && format != ImageFormat::kBmp &&
      format != ImageFormat::kUnknown) {
    return ctx.Error(std::string("Trying to decode ") + FormatName(format) +
                     " format using DecodeBmp op. Use `decode_" + LowerName(format) +
                     "` or `decode_image` instead.");
  }
  switch (format) {
    case ImageFormat::kJpeg: {
      const int channels = request.op == DecodeOp::kGif ? 3 : request.channels;
      if (channels == 4) return ctx.Error("JPEG does not support 4 channels");
      JpegDecodeOptions options = request.jpeg;
      options.channels = channels;
      StatusOr<Tensor> pixels = DecodeJpegBytes(bytes, options);
      if (!pixels.ok()) return ctx.Error(pixels.status().message());
      return SetDecoded(ctx, request, std::move(pixels).value());
    }
    case ImageFormat::kPng: {
      if (request.op == DecodeOp::kGif) {
        StatusOr<Tensor> pixels = DecodePngBytes(bytes, 3, false);
        if (!pixels.ok()) return ctx.Error(pixels.status().message());
        return SetDecoded(ctx, request, std::move(pixels).value());
      }
      StatusOr<Tensor> pixels =
          DecodePngBytes(bytes, request.channels, request.dtype != tensorflow::DT_UINT8);
      if (!pixels.ok()) return ctx.Error(pixels.status().message());
      ctx.set_output(0, request.dtype == tensorflow::DT_FLOAT ? ConvertFromUint16(*pixels)
                                                              : std::move(pixels).value());
      return Status::Ok();
    }
    case ImageFormat::kGif: {
      if (request.channels != 0 && request.channels != 3) {
        return ctx.Error("channels must be 0 or 3 for GIF, got " +
                         std::to_string(request.channels));
      }
      const bool all_frames = request.op == DecodeOp::kGif ||
                              (request.op == DecodeOp::kImage && request.expand_animations);
      int64_t count = 0;
      StatusOr<Tensor> frames = DecodeGifBytes(bytes, !all_frames, &count);
      if (!frames.ok()) return ctx.Error(frames.status().message());
      if (all_frames) {
        ctx.set_output(0, ConvertFromUint8(*frames, request.dtype));
        return Status::Ok();
      }
      if (request.op != DecodeOp::kImage && count > 1) {  // DecodeJpeg, DecodePng
        return ctx.Error("Got " + std::to_string(count) +
                         " frames, but animated gifs can only be decoded by tf.io.decode_gif or "
                         "tf.io.decode_image");
      }
      return SetDecoded(ctx, request, FirstFrame(*frames));
    }
    case ImageFormat::kBmp: {
      if (request.op != DecodeOp::kBmp && request.op != DecodeOp::kImage) {
        return ctx.Error(
            "Trying to decode BMP format using a wrong op. Use `decode_bmp` or `decode_image` "
            "instead. Op used: " +
            std::string(OpName(request.op)));
      }
      if (request.channels == 1) {
        return ctx.Error("`channels` must be 0, 3 or 4 for BMP, but got 1");
      }
      StatusOr<Tensor> pixels = DecodeBmpBytes(bytes, request.channels);
      if (!pixels.ok()) return ctx.Error(pixels.status().message());
      return SetDecoded(ctx, request, std::move(pixels).value());
    }
    case ImageFormat::kUnknown: break;
  }
  return ctx.Error("Unknown image file format. One of JPEG, PNG, GIF, BMP required.");
}

}  // namespace tern
