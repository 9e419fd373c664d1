// GIF decoding for DecodeGif and DecodeImage: giflib (Debian libgif) reads the records and
// decompresses each frame; the frames are composited here the way TensorFlow does, learned by
// running it on hand-made GIFs:
//  - the output is [frames, H, W, 3] with H and W the largest frame height and width (not the
//    logical screen's size); a frame's pixel (i, j) lands at (top + i, left + j), clipped;
//  - frame 0 starts black, every later frame starts as a copy of the one before; disposal
//    methods and the background colour are ignored;
//  - a pixel of the frame's transparent index (the first graphics control extension before
//    it) is not drawn; any other index must be inside the frame's colour map (local, else
//    global), which is checked only for frames drawn and pixels not clipped;
//  - a frame whose data ends early (a truncated file, a missing block terminator) is dropped,
//    and decoding stops there; only if no frame is complete is that an error. A missing
//    trailer is no error.
// giflib's own DGifSlurp is not used: it cannot say which frame was left incomplete.
#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "runtime/kernels/internal/image_decode.h"

namespace tern {
namespace {

struct Reader {
  const std::string* bytes;
  size_t pos = 0;
};

int ReadFromString(GifFileType* gif, GifByteType* buf, int count) {
  auto* reader = static_cast<Reader*>(gif->UserData);
  const size_t n =
      std::min(static_cast<size_t>(std::max(count, 0)), reader->bytes->size() - reader->pos);
  std::memcpy(buf, reader->bytes->data() + reader->pos, n);
  reader->pos += n;
  return static_cast<int>(n);
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};

struct Frame {
  int left = 0, top = 0, width = 0, height = 0;
  int transparent = NO_TRANSPARENT_COLOR;
  std::vector<GifColorType> colors;  // empty: the file has no colour map for this frame
  Tensor raster;  // height x width colour indices (uint8), charged to the request's budget
};

std::string ErrorText(int code) {
  const char* text = GifErrorString(code);
  return text != nullptr ? text : "unknown error " + std::to_string(code);
}

// Reads one frame's pixels after its image descriptor; false if the data ends early. A frame
// may declare up to 65535 x 65535 pixels in a few bytes, so its buffer is a tensor: over the
// memory budget it is RESOURCE_EXHAUSTED, not an allocation the process cannot survive.
StatusOr<bool> ReadRaster(GifFileType* gif, Frame* f) {
  TERN_ASSIGN_OR_RETURN(
      f->raster,
      Tensor::Create(tensorflow::DT_UINT8, TensorShape{int64_t{f->width} * int64_t{f->height}},
                     Tensor::Contents::kUnset));
  GifPixelType* raster = f->raster.flat<uint8_t>();
  if (!gif->Image.Interlace) {
    return DGifGetLine(gif, raster, f->width * f->height) == GIF_OK;
  }
  // Interlaced rows arrive in four passes: every 8th from 0, every 8th from 4, every 4th from
  // 2, every 2nd from 1.
  static const int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
  for (int pass = 0; pass < 4; ++pass) {
    for (int y = kStart[pass]; y < f->height; y += kStep[pass]) {
      if (DGifGetLine(gif, raster + static_cast<size_t>(y) * f->width, f->width) != GIF_OK) {
        return false;
      }
    }
  }
  return true;
}

// The frames whose data is complete, in file order; `error` is giflib's message if reading
// stopped on one. Not OK only when a frame's buffer is over the memory budget.
StatusOr<std::vector<Frame>> ReadFrames(GifFileType* gif, int* error) {
  std::vector<Frame> frames;
  int transparent = NO_TRANSPARENT_COLOR;
  bool have_control = false;
  *error = D_GIF_SUCCEEDED;
  for (;;) {
    GifRecordType type;
    if (DGifGetRecordType(gif, &type) != GIF_OK) break;
    if (type == TERMINATE_RECORD_TYPE) return frames;
    if (type == EXTENSION_RECORD_TYPE) {
      int code = 0;
      GifByteType* block = nullptr;
      if (DGifGetExtension(gif, &code, &block) != GIF_OK) break;
      if (code == GRAPHICS_EXT_FUNC_CODE && block != nullptr && !have_control) {
        GraphicsControlBlock control;
        if (DGifExtensionToGCB(block[0], block + 1, &control) == GIF_OK) {
          transparent = control.TransparentColor;
          have_control = true;  // the first one before an image counts
        }
      }
      while (block != nullptr) {
        if (DGifGetExtensionNext(gif, &block) != GIF_OK) {
          *error = gif->Error;
          return frames;
        }
      }
      continue;
    }
    if (type != IMAGE_DESC_RECORD_TYPE) continue;
    if (DGifGetImageDesc(gif) != GIF_OK) break;
    const GifImageDesc& desc = gif->Image;
    if (desc.Width <= 0 || desc.Height <= 0) {
      *error = D_GIF_ERR_DATA_TOO_BIG;
      return frames;
    }
    Frame f;
    f.left = desc.Left;
    f.top = desc.Top;
    f.width = desc.Width;
    f.height = desc.Height;
    f.transparent = transparent;
    const ColorMapObject* map = desc.ColorMap != nullptr ? desc.ColorMap : gif->SColorMap;
    if (map != nullptr) f.colors.assign(map->Colors, map->Colors + map->ColorCount);
    TERN_ASSIGN_OR_RETURN(const bool complete, ReadRaster(gif, &f));
    if (!complete) break;
    frames.push_back(std::move(f));
    transparent = NO_TRANSPARENT_COLOR;
    have_control = false;
  }
  *error = gif->Error;
  return frames;
}

}  // namespace

StatusOr<Tensor> DecodeGifBytes(const std::string& bytes, bool first_frame_only,
                                int64_t* frames_in_file) {
  const std::string prefix = "Invalid GIF data (size " + std::to_string(bytes.size()) + "), ";
  Reader reader{&bytes};
  int open_error = 0;
  std::unique_ptr<GifFileType, GifCloser> gif(DGifOpen(&reader, ReadFromString, &open_error));
  if (gif == nullptr) {
    return InvalidArgument(prefix + "failed to open gif file: " + ErrorText(open_error));
  }
  int error = D_GIF_SUCCEEDED;
  TERN_ASSIGN_OR_RETURN(const std::vector<Frame> frames, ReadFrames(gif.get(), &error));
  if (frames.empty()) {
    return InvalidArgument(prefix + "failed to slurp gif file: " +
                           ErrorText(error == D_GIF_SUCCEEDED ? D_GIF_ERR_NO_IMAG_DSCR : error));
  }
  int64_t height = 0, width = 0;
  for (const Frame& f : frames) {
    height = std::max<int64_t>(height, f.height);
    width = std::max<int64_t>(width, f.width);
  }
  if (frames_in_file != nullptr) *frames_in_file = static_cast<int64_t>(frames.size());
  // The size comes from every frame even when only the first is drawn.
  const int64_t count = first_frame_only ? 1 : static_cast<int64_t>(frames.size());
  if (count * height * width * 3 >= (int64_t{1} << 31)) {
    return InvalidArgument(prefix + "the decoded frames would be over 2 GiB");
  }
  TERN_ASSIGN_OR_RETURN(Tensor out,
                        Tensor::Create(tensorflow::DT_UINT8, TensorShape{count, height, width, 3},
                                       Tensor::Contents::kUnset));
  uint8_t* const base = out.flat<uint8_t>();
  const int64_t frame_bytes = height * width * 3;
  std::memset(base, 0, static_cast<size_t>(frame_bytes));
  for (int64_t k = 0; k < count; ++k) {
    const Frame& f = frames[k];
    uint8_t* canvas = base + k * frame_bytes;
    if (k > 0) std::memcpy(canvas, canvas - frame_bytes, static_cast<size_t>(frame_bytes));
    if (f.colors.empty()) {
      return InvalidArgument(prefix + "missing color map for frame " + std::to_string(k));
    }
    const int colors = static_cast<int>(f.colors.size());
    for (int i = 0; i < f.height; ++i) {
      for (int j = 0; j < f.width; ++j) {
        const int64_t y = f.top + i, x = f.left + j;
        if (y >= height || x >= width) continue;  // clipped pixels are not even checked
        const int index = f.raster.flat<uint8_t>()[static_cast<size_t>(i) * f.width + j];
        if (index == f.transparent) continue;
        if (index >= colors) {
          return InvalidArgument(prefix + "found color index " + std::to_string(index) +
                                 " outside of color map range " + std::to_string(colors));
        }
        uint8_t* p = canvas + (y * width + x) * 3;
        p[0] = f.colors[index].Red;
        p[1] = f.colors[index].Green;
        p[2] = f.colors[index].Blue;
      }
    }
  }
  return out;
}

}  // namespace tern
