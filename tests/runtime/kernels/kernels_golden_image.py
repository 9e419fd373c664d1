#!/usr/bin/env python3
"""Record TensorFlow's outputs for the image kernels (DecodeJpeg, DecodePng, DecodeImage,
ResizeBilinear, ResizeNearestNeighbor, ResizeBicubic, ResizeArea, ScaleAndTranslate, CropAndResize,
ImageProjectiveTransformV3, RGBToHSV, HSVToRGB): tests/runtime/kernels/kernels_golden_image.json, in
kernels_golden.py's format. The encoded images are made here, deterministically: TensorFlow's
encoders for JPEG (several qualities, chroma subsamplings, progressive, grayscale) and PNG, and
hand-written PNG chunks for what its encoder cannot write (palette, transparency, 1-bit gray),
and GIF and BMP files written by tests/models/image_files.py (TensorFlow encodes neither).

Run from the repository root:
  .venv/bin/python tests/runtime/kernels/kernels_golden_image.py
"""

import os
import struct
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models"))
import image_files  # noqa: E402
import kernels_golden as kg  # noqa: E402
from kernels_golden import case, i32, f32, tf  # noqa: E402

OUT = os.path.join(kg.HERE, "kernels_golden_image.json")


def s(x):
    return np.array(x, dtype=object)


def picture(height, width, channels, seed):
    """Smooth gradients plus noise: exercises both the DCT and the chroma upsampling."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    planes = [(y * 255 / max(height - 1, 1)), (x * 255 / max(width - 1, 1)),
              (128 + 100 * np.sin((x + y) / 3.0))][:channels]
    img = np.stack(planes, -1) + rng.normal(0, 12, size=(height, width, channels))
    return np.clip(img, 0, 255).astype(np.uint8)


def png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def handmade_png(width, height, bit_depth, color_type, rows, plte=None, trns=None):
    """A PNG from packed scanlines (filter type 0 each)."""
    raw = b"".join(b"\x00" + r for r in rows)
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))
    if plte is not None:
        out += png_chunk(b"PLTE", plte)
    if trns is not None:
        out += png_chunk(b"tRNS", trns)
    return out + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")


def jpeg_cases():
    rgb = picture(13, 17, 3, 1)
    jpegs = {
        "q90_420": tf.io.encode_jpeg(rgb, quality=90).numpy(),
        "q75_444": tf.io.encode_jpeg(rgb, quality=75, chroma_downsampling=False).numpy(),
        "progressive": tf.io.encode_jpeg(rgb, quality=85, progressive=True).numpy(),
        "gray": tf.io.encode_jpeg(picture(11, 9, 1, 2), quality=80).numpy(),
        "odd_16x24": tf.io.encode_jpeg(picture(16, 24, 3, 3), quality=95).numpy(),
    }
    for name, data in jpegs.items():
        case("DecodeJpeg/" + name, "DecodeJpeg", [("contents", s(data))])
    data = jpegs["q90_420"]
    case("DecodeJpeg/no_fancy_upscaling", "DecodeJpeg", [("contents", s(data))],
         attrs={"fancy_upscaling": False})
    case("DecodeJpeg/integer_fast", "DecodeJpeg", [("contents", s(data))],
         attrs={"dct_method": "INTEGER_FAST"})
    case("DecodeJpeg/integer_accurate", "DecodeJpeg", [("contents", s(data))],
         attrs={"dct_method": "INTEGER_ACCURATE"})
    for ratio in (2, 4, 8):
        case("DecodeJpeg/ratio%d" % ratio, "DecodeJpeg", [("contents", s(jpegs["odd_16x24"]))],
             attrs={"ratio": ratio})
    case("DecodeJpeg/to_gray", "DecodeJpeg", [("contents", s(data))], attrs={"channels": 1})
    case("DecodeJpeg/gray_to_rgb", "DecodeJpeg", [("contents", s(jpegs["gray"]))],
         attrs={"channels": 3})
    big = tf.io.encode_jpeg(picture(64, 48, 3, 4), quality=90).numpy()
    truncated = big[:int(len(big) * 0.6)]
    case("DecodeJpeg/truncated_recovered", "DecodeJpeg", [("contents", s(truncated))],
         attrs={"try_recover_truncated": True})
    case("DecodeJpeg/err_truncated", "DecodeJpeg", [("contents", s(truncated))])
    corrupt = bytearray(big)
    corrupt[len(big) // 2:len(big) // 2 + 30] = b"\x00" * 30
    case("DecodeJpeg/corrupt_scan_data", "DecodeJpeg", [("contents", s(bytes(corrupt)))])
    case("DecodeJpeg/trailing_bytes", "DecodeJpeg", [("contents", s(data + b"trailing"))])
    case("DecodeJpeg/png_bytes", "DecodeJpeg", [("contents", s(tf.io.encode_png(rgb).numpy()))])
    case("DecodeJpeg/err_empty", "DecodeJpeg", [("contents", s(b""))])
    case("DecodeJpeg/err_garbage", "DecodeJpeg", [("contents", s(b"garbage"))])
    case("DecodeJpeg/err_header_only", "DecodeJpeg", [("contents", s(data[:40]))])
    case("DecodeJpeg/err_vector", "DecodeJpeg", [("contents", s([data]))])
    case("DecodeJpeg/err_ratio", "DecodeJpeg", [("contents", s(data))], attrs={"ratio": 3})
    case("DecodeJpeg/err_four_channels", "DecodeJpeg", [("contents", s(data))],
         attrs={"channels": 4})
    case("DecodeImage/jpeg_float", "DecodeImage", [("contents", s(data))],
         attrs={"dtype": tf.float32})
    case("DecodeImage/jpeg_uint16", "DecodeImage", [("contents", s(data))],
         attrs={"dtype": tf.uint16})
    case("DecodeImage/jpeg_no_expand", "DecodeImage", [("contents", s(data))],
         attrs={"expand_animations": False, "channels": 3})
    case("DecodePng/jpeg_bytes_uint16", "DecodePng", [("contents", s(data))],
         attrs={"dtype": tf.uint16})


def png_cases():
    rgb = picture(7, 9, 3, 5)
    rgba = np.concatenate([rgb, picture(7, 9, 1, 6)], -1)
    gray = picture(7, 9, 1, 7)
    deep = np.random.default_rng(8).integers(0, 65536, size=(5, 6, 3), dtype=np.uint16)
    pngs = {
        "rgb": tf.io.encode_png(rgb).numpy(),
        "rgba": tf.io.encode_png(rgba).numpy(),
        "gray": tf.io.encode_png(gray).numpy(),
        "gray_alpha": tf.io.encode_png(np.concatenate([gray, gray[::-1]], -1)).numpy(),
        "rgb16": tf.io.encode_png(deep).numpy(),
        "palette_trns": handmade_png(4, 3, 8, 3, [bytes([0, 1, 2, 3]), bytes([3, 2, 1, 0]),
                                                  bytes([1, 1, 2, 2])],
                                     plte=bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 99, 199]),
                                     trns=bytes([255, 128, 0])),
        "palette": handmade_png(3, 2, 8, 3, [bytes([0, 1, 2]), bytes([2, 1, 0])],
                                plte=bytes([10, 20, 30, 40, 50, 60, 70, 80, 90])),
        "gray1bit": handmade_png(10, 2, 1, 0, [bytes([0b10110010, 0b11000000]),
                                               bytes([0b01001101, 0b01000000])]),
    }
    for name, data in pngs.items():
        for channels in (0, 1, 3, 4):
            attrs = {"channels": channels} if channels else {}
            case("DecodePng/%s_c%d" % (name, channels), "DecodePng", [("contents", s(data))],
                 attrs=attrs)
        case("DecodePng/%s_uint16" % name, "DecodePng", [("contents", s(data))],
             attrs={"dtype": tf.uint16})
    case("DecodePng/rgb16_c4_uint16", "DecodePng", [("contents", s(pngs["rgb16"]))],
         attrs={"dtype": tf.uint16, "channels": 4})
    case("DecodeImage/png_float", "DecodeImage", [("contents", s(pngs["rgba"]))],
         attrs={"dtype": tf.float32})
    case("DecodeImage/png16_float", "DecodeImage", [("contents", s(pngs["rgb16"]))],
         attrs={"dtype": tf.float32})
    case("DecodeImage/png_gray_to_rgb", "DecodeImage", [("contents", s(pngs["gray"]))],
         attrs={"channels": 3})
    data = pngs["rgb"]
    case("DecodePng/err_truncated", "DecodePng", [("contents", s(data[:len(data) - 20]))])
    bad_crc = bytearray(data)
    bad_crc[30] ^= 0xFF
    case("DecodePng/err_bad_crc", "DecodePng", [("contents", s(bytes(bad_crc)))])
    case("DecodePng/err_channels", "DecodePng", [("contents", s(data))], attrs={"channels": 2})


COLORS = [(10, 20, 30), (200, 0, 0), (0, 200, 0), (0, 0, 200), (90, 90, 90), (250, 250, 0),
          (0, 250, 250), (128, 0, 128)]


def pil_gif():
    """An animated GIF as PIL (what most tools resemble) writes one: frames cropped to what
    changed, the unchanged pixels transparent, per-frame palettes."""
    import io
    from PIL import Image
    base = picture(12, 14, 3, 19)
    frames = []
    for k in range(4):
        img = base.copy()
        img[2 + k:6 + k, 3:8 + k] = (40 * k, 255 - 40 * k, 90)
        frames.append(Image.fromarray(img).quantize(16 + 8 * k))
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=40,
                   loop=0, optimize=True, disposal=1)
    return out.getvalue()


def gif_cases():
    gif = image_files.gif
    a = np.array([[1, 2, 3, 4, 5], [4, 3, 2, 1, 0], [1, 1, 2, 2, 7]])
    rng = np.random.default_rng(16)
    big = rng.integers(0, 8, size=(13, 11))
    gifs = {
        "single": gif(5, 3, [{"indices": a}], COLORS, 2),
        "animated": gif(5, 3, [
            {"indices": a},
            {"indices": [[5, 6], [6, 5]], "left": 1, "top": 1, "disposal": 2},
            {"indices": [[0, 3, 3], [3, 0, 0]], "transparent": 3, "disposal": 3},
            {"indices": a[::-1], "palette": [(1, 2, 3), (4, 5, 6), (7, 8, 9)] * 3,
             "palette_bits": 3, "transparent": 2},
            {"indices": [[7]], "left": 4, "top": 2}], COLORS, 2),
        "transparent_first": gif(5, 3, [{"indices": a, "transparent": 2}], COLORS, 2),
        "first_smaller": gif(6, 5, [{"indices": a[:2, :3], "left": 2, "top": 1}], COLORS, 2),
        "largest_frame_sets_size": gif(6, 6, [
            {"indices": np.full((2, 5), 1)},
            {"indices": np.full((4, 3), 2), "left": 1, "top": 1}], COLORS, 2),
        "frame_past_edge": gif(5, 3, [{"indices": a},
                                      {"indices": np.full((3, 3), 6), "left": 3, "top": 1}],
                               COLORS, 2),
        "interlaced": gif(11, 13, [{"indices": big, "interlace": True}], COLORS, 2),
        "local_palette_only": gif(5, 3, [{"indices": a, "palette": COLORS[::-1],
                                          "palette_bits": 2}]),
        "no_trailer": gif(5, 3, [{"indices": a}, {"indices": a[:, ::-1]}], COLORS, 2,
                          trailer=False),
        "full_palette": gif(11, 13, [{"indices": rng.integers(0, 256, size=(13, 11))}],
                            [tuple(int(v) for v in c) for c in
                             rng.integers(0, 256, size=(256, 3))], 7),
    }
    gifs["pil_animated"] = pil_gif()
    for name, data in gifs.items():
        case("DecodeGif/" + name, "DecodeGif", [("contents", s(data))])
    two = gif(5, 3, [{"indices": a}, {"indices": a[::-1], "transparent": 1}], COLORS, 2)
    first_end = len(gif(5, 3, [{"indices": a}], COLORS, 2, trailer=False))
    for cut in (first_end - 3, first_end + 4, len(two) - 3, len(two) - 2):
        case("DecodeGif/truncated_at_%d_of_%d" % (cut, len(two)), "DecodeGif",
             [("contents", s(two[:cut]))])
    anim = gifs["animated"]
    for cut in range(6, len(anim), 3):  # every record boundary and mid-record, as a sweep
        case("DecodeGif/animated_first_%d_bytes" % cut, "DecodeGif", [("contents", s(anim[:cut]))])
    mutate = np.random.default_rng(22)
    for k in range(30):  # a byte changed anywhere: bad codes, sizes, flags, palettes
        bad = bytearray(anim)
        at = int(mutate.integers(6, len(bad)))
        bad[at] = int(mutate.integers(0, 256))
        case("DecodeGif/mutated_%02d_at_%d" % (k, at), "DecodeGif", [("contents", s(bytes(bad)))])
    case("DecodeGif/err_header_only", "DecodeGif", [("contents", s(two[:10]))])
    case("DecodeGif/err_no_frames", "DecodeGif", [("contents", s(gif(5, 3, [], COLORS, 2)))])
    case("DecodeGif/err_no_palette", "DecodeGif", [("contents", s(gif(5, 3, [{"indices": a}])))])
    case("DecodeGif/err_index_past_palette", "DecodeGif",
         [("contents", s(gif(5, 3, [{"indices": a}], COLORS[:4], 1)))])
    case("DecodeGif/transparent_index_past_palette", "DecodeGif",
         [("contents", s(gif(5, 3, [{"indices": a % 5, "transparent": 4}], COLORS[:4], 1)))])
    case("DecodeGif/clipped_index_past_palette", "DecodeGif",
         [("contents", s(gif(5, 3, [{"indices": a % 4},
                                    {"indices": [[1, 7]], "left": 4}], COLORS[:4], 1)))])
    with_control = gif(5, 3, [{"indices": a, "transparent": 1}], COLORS, 2)
    at = with_control.index(b"\x21\xf9")  # a second control block before it: the first counts
    case("DecodeGif/two_control_blocks", "DecodeGif",
         [("contents", s(with_control[:at] + b"\x21\xf9\x04\x01\x0a\x00\x02\x00" +
                         with_control[at:]))])
    later_bad = gif(5, 3, [{"indices": a[:2, :3] % 4}, {"indices": np.full((3, 4), 7)}],
                    COLORS[:4], 1)
    case("DecodeGif/err_later_index_past_palette", "DecodeGif", [("contents", s(later_bad))])
    case("DecodeImage/gif_first_only_later_frame_bad", "DecodeImage",
         [("contents", s(later_bad))], attrs={"expand_animations": False})
    rgb = picture(7, 9, 3, 17)
    case("DecodeGif/png_rgba_bytes", "DecodeGif",
         [("contents", s(tf.io.encode_png(np.concatenate(
             [picture(4, 5, 3, 20), picture(4, 5, 1, 21)], -1)).numpy()))])
    case("DecodeGif/png_bytes", "DecodeGif", [("contents", s(tf.io.encode_png(rgb).numpy()))])
    case("DecodeGif/jpeg_bytes", "DecodeGif", [("contents", s(tf.io.encode_jpeg(rgb).numpy()))])
    case("DecodeGif/err_bmp_bytes", "DecodeGif", [("contents", s(image_files.bmp(rgb)))])
    case("DecodeGif/err_empty", "DecodeGif", [("contents", s(b""))])
    anim = gifs["animated"]
    for expand in (True, False):
        for dtype in (tf.uint8, tf.float32, tf.uint16):
            attrs = {"dtype": dtype} if dtype != tf.uint8 else {}
            if not expand:
                attrs["expand_animations"] = False
            case("DecodeImage/gif_%s_%s" % ("expand" if expand else "first", dtype.name),
                 "DecodeImage", [("contents", s(anim))], attrs=attrs)
    case("DecodeImage/gif_c3", "DecodeImage", [("contents", s(anim))], attrs={"channels": 3})
    case("DecodeImage/err_gif_c1", "DecodeImage", [("contents", s(anim))], attrs={"channels": 1})
    case("DecodeImage/err_gif_c4", "DecodeImage", [("contents", s(anim))], attrs={"channels": 4})
    case("DecodeJpeg/gif_bytes", "DecodeJpeg", [("contents", s(anim))])
    case("DecodePng/gif_bytes", "DecodePng", [("contents", s(anim))])
    single = gifs["single"]
    case("DecodeJpeg/gif_one_frame", "DecodeJpeg", [("contents", s(single))])
    case("DecodePng/gif_one_frame_uint16", "DecodePng", [("contents", s(single))],
         attrs={"dtype": tf.uint16})
    case("DecodeJpeg/err_gif_one_frame_c1", "DecodeJpeg", [("contents", s(single))],
         attrs={"channels": 1})


def bmp_cases():
    bmp = image_files.bmp
    rng = np.random.default_rng(18)
    for width in (1, 2, 3, 5, 6):  # 24-bit rows of 3, 6, 9, 15, 18 bytes: every padding
        rgba = rng.integers(0, 256, size=(3, width, 4), dtype=np.uint8)
        for top_down in (False, True):
            order = "top_down" if top_down else "bottom_up"
            files = {"rgb24": bmp(rgba[..., :3], 24, top_down), "rgba32": bmp(rgba, 32, top_down),
                     "gray8": bmp(rgba[..., 0], 8, top_down)}
            for kind, data in files.items():
                for channels in (0, 3, 4):
                    attrs = {"channels": channels} if channels else {}
                    case("DecodeBmp/%s_w%d_%s_c%d" % (kind, width, order, channels), "DecodeBmp",
                         [("contents", s(data))], attrs=attrs)
    rgba = rng.integers(0, 256, size=(4, 7, 4), dtype=np.uint8)
    data = bmp(rgba[..., :3])
    case("DecodeBmp/v5_header", "DecodeBmp", [("contents", s(bmp(rgba, 32, header_size=124)))])
    case("DecodeBmp/gap_before_pixels", "DecodeBmp",
         [("contents", s(bmp(rgba[..., :3], gap=b"\x01\x02\x03\x04\x05")))])
    case("DecodeBmp/err_channels_1", "DecodeBmp", [("contents", s(data))], attrs={"channels": 1})
    case("DecodeBmp/err_gray_channels_1", "DecodeBmp", [("contents", s(bmp(rgba[..., 0], 8)))],
         attrs={"channels": 1})
    case("DecodeBmp/err_channels_2", "DecodeBmp", [("contents", s(data))], attrs={"channels": 2})
    case("DecodeBmp/err_truncated", "DecodeBmp", [("contents", s(data[:-1]))])
    case("DecodeBmp/err_truncated_row", "DecodeBmp", [("contents", s(data[:-24]))])
    case("DecodeBmp/err_trailing_bytes", "DecodeBmp", [("contents", s(data + b"xyz"))])
    case("DecodeBmp/err_short_header", "DecodeBmp", [("contents", s(data[:31]))])
    case("DecodeBmp/err_empty", "DecodeBmp", [("contents", s(b""))])

    def patched(offset, fmt, value):
        return data[:offset] + struct.pack(fmt, value) + data[offset + struct.calcsize(fmt):]
    case("DecodeBmp/err_16_bit", "DecodeBmp", [("contents", s(patched(28, "<H", 16)))])
    case("DecodeBmp/err_1_bit", "DecodeBmp", [("contents", s(patched(28, "<H", 1)))])
    case("DecodeBmp/err_width_0", "DecodeBmp", [("contents", s(patched(18, "<i", 0)))])
    case("DecodeBmp/err_height_0", "DecodeBmp", [("contents", s(patched(22, "<i", 0)))])
    case("DecodeBmp/err_huge", "DecodeBmp", [("contents", s(patched(18, "<i", 1 << 28)))])
    case("DecodeBmp/err_negative_offset", "DecodeBmp",
         [("contents", s(patched(10, "<i", -4)))])
    case("DecodeBmp/err_png_bytes", "DecodeBmp",
         [("contents", s(tf.io.encode_png(rgba[..., :3]).numpy()))])
    case("DecodeBmp/err_gif_bytes", "DecodeBmp",
         [("contents", s(image_files.gif(2, 1, [{"indices": [[1, 2]]}], COLORS, 2)))])
    mutate = np.random.default_rng(23)
    for k in range(20):  # a header byte changed: offsets, sizes, depth, the ignored fields
        bad = bytearray(data)
        at = int(mutate.integers(2, 54))
        bad[at] = int(mutate.integers(0, 256))
        case("DecodeBmp/mutated_%02d_at_%d" % (k, at), "DecodeBmp", [("contents", s(bytes(bad)))])
    case("DecodeImage/bmp", "DecodeImage", [("contents", s(data))])
    case("DecodeImage/bmp_float_c4", "DecodeImage", [("contents", s(data))],
         attrs={"dtype": tf.float32, "channels": 4})
    case("DecodeImage/bmp32_uint16_c3", "DecodeImage", [("contents", s(bmp(rgba, 32)))],
         attrs={"dtype": tf.uint16, "channels": 3})
    case("DecodeImage/bmp_no_expand", "DecodeImage", [("contents", s(data))],
         attrs={"expand_animations": False})
    case("DecodeImage/err_bmp_c1", "DecodeImage", [("contents", s(data))], attrs={"channels": 1})
    case("DecodeJpeg/err_bmp_bytes", "DecodeJpeg", [("contents", s(data))])
    case("DecodePng/err_bmp_bytes", "DecodePng", [("contents", s(data))])


def resize_cases():
    rng = np.random.default_rng(11)
    img = rng.normal(size=(2, 5, 7, 3)).astype(np.float32) * 50
    pixels = rng.integers(0, 256, size=(1, 6, 4, 2), dtype=np.uint8)
    modes = [("legacy", {}), ("align_corners", {"align_corners": True}),
             ("half_pixel", {"half_pixel_centers": True})]
    for op in ("ResizeBilinear", "ResizeNearestNeighbor"):
        for mode, attrs in modes:
            for size in ([9, 4], [3, 11], [5, 7], [1, 1], [2, 3]):
                case("%s/%s_%dx%d" % (op, mode, size[0], size[1]), op,
                     [("images", img), ("size", i32(size))], attrs=attrs)
            case("%s/%s_uint8" % (op, mode), op,
                 [("images", pixels), ("size", i32([11, 5]))], attrs=attrs)
        case(op + "/int32", op, [("images", rng.integers(-99, 99, size=(1, 3, 3, 1)).astype(
            np.int32)), ("size", i32([4, 5]))], attrs={"half_pixel_centers": True})
        case(op + "/double", op, [("images", img[:1].astype(np.float64)), ("size", i32([4, 8]))])
        case(op + "/half", op, [("images", img[:1].astype(np.float16)), ("size", i32([3, 8]))])
        case(op + "/64x48_from_odd", op, [("images", rng.normal(size=(1, 37, 29, 1)).astype(
            np.float32)), ("size", i32([64, 48]))], attrs={"half_pixel_centers": True})
        case(op + "/err_rank", op, [("images", img[0]), ("size", i32([2, 2]))])
        case(op + "/err_size_len", op, [("images", img), ("size", i32([2, 2, 2]))])
        case(op + "/err_size_zero", op, [("images", img), ("size", i32([0, 2]))])
        case(op + "/err_both_modes", op, [("images", img), ("size", i32([2, 2]))],
             attrs={"align_corners": True, "half_pixel_centers": True})


def resize_cubic_area_cases():
    """ResizeBicubic and ResizeArea, as Keras' Resizing(interpolation="bicubic"/"area") and
    tf.image.resize call them (bicubic with half_pixel_centers, area with neither attr)."""
    rng = np.random.default_rng(13)
    img = rng.normal(size=(2, 5, 7, 3)).astype(np.float32) * 50
    pixels = rng.integers(0, 256, size=(1, 6, 4, 2), dtype=np.uint8)
    modes = {"ResizeBicubic": [("legacy", {}), ("align_corners", {"align_corners": True}),
                               ("half_pixel", {"half_pixel_centers": True})],
             "ResizeArea": [("legacy", {}), ("align_corners", {"align_corners": True})]}
    for op, op_modes in modes.items():
        for mode, attrs in op_modes:
            for size in ([9, 4], [3, 11], [5, 7], [1, 1], [2, 3], [4, 5], [16, 21]):
                case("%s/%s_%dx%d" % (op, mode, size[0], size[1]), op,
                     [("images", img), ("size", i32(size))], attrs=attrs)
            case("%s/%s_uint8" % (op, mode), op,
                 [("images", pixels), ("size", i32([11, 5]))], attrs=attrs)
            case("%s/%s_4ch" % (op, mode), op,
                 [("images", img[:, :, :, :2].repeat(2, axis=3)), ("size", i32([3, 10]))],
                 attrs=attrs)
        case(op + "/int32", op, [("images", rng.integers(-99, 99, size=(1, 3, 3, 1)).astype(
            np.int32)), ("size", i32([4, 5]))])
        case(op + "/double", op, [("images", img[:1].astype(np.float64)), ("size", i32([4, 8]))])
        case(op + "/half", op, [("images", img[:1].astype(np.float16)), ("size", i32([3, 8]))])
        case(op + "/64x48_from_odd", op, [("images", rng.normal(size=(1, 37, 29, 1)).astype(
            np.float32)), ("size", i32([64, 48]))])
        case(op + "/20x13_from_odd", op, [("images", rng.normal(size=(1, 37, 29, 1)).astype(
            np.float32)), ("size", i32([20, 13]))])
        case(op + "/err_rank", op, [("images", img[0]), ("size", i32([2, 2]))])
        case(op + "/err_size_len", op, [("images", img), ("size", i32([2, 2, 2]))])
        case(op + "/err_size_zero", op, [("images", img), ("size", i32([0, 2]))])
    case("ResizeBicubic/err_both_modes", "ResizeBicubic", [("images", img), ("size", i32([2, 2]))],
         attrs={"align_corners": True, "half_pixel_centers": True})


def scale_and_translate_cases():
    """ScaleAndTranslate, as tf.image.resize calls it (scale = new / old size, no translation):
    every kernel type, antialias on and off, up- and downscaling, plus translations, samples
    outside the image and each accepted input dtype."""
    rng = np.random.default_rng(15)
    img = rng.normal(size=(2, 12, 10, 3)).astype(np.float32) * 50
    op = "ScaleAndTranslate"
    kernels = ("lanczos1", "lanczos3", "lanczos5", "gaussian", "box", "triangle", "keyscubic",
               "mitchellcubic")
    for kernel in kernels:
        for antialias in (True, False):
            for size in ([7, 5], [20, 23], [3, 2], [12, 10]):
                scale = f32(size) / f32([12, 10])
                attrs = {"kernel_type": kernel} if kernel != "lanczos3" else {}
                if not antialias:
                    attrs["antialias"] = False
                case("%s/%s_%s_%dx%d" % (op, kernel, "aa" if antialias else "noaa", size[0],
                                         size[1]), op,
                     [("images", img), ("size", i32(size)), ("scale", scale),
                      ("translation", f32([0, 0]))], attrs=attrs)
            case("%s/%s_%s_translated" % (op, kernel, "aa" if antialias else "noaa"), op,
                 [("images", img), ("size", i32([9, 6])), ("scale", f32([0.8, 1.7])),
                  ("translation", f32([1.3, -2.1]))],
                 attrs={"kernel_type": kernel, "antialias": antialias})
    for name, translation in (("outside", [-30.0, 4.0]), ("far_right", [2.5, -25.0])):
        case("%s/%s" % (op, name), op,
             [("images", img), ("size", i32([6, 8])), ("scale", f32([0.5, 2.0])),
              ("translation", f32(translation))], attrs={"kernel_type": "triangle"})
    case(op + "/tiny_scale", op, [("images", img), ("size", i32([4, 3])),
                                  ("scale", f32([0.05, 0.1])), ("translation", f32([0, 0]))])
    pixels = rng.integers(0, 256, size=(1, 6, 9, 2), dtype=np.uint8)
    for dtype in (np.uint8, np.int8, np.int16, np.uint16, np.int32, np.int64, np.float16,
                  np.float64):
        case("%s/%s" % (op, np.dtype(dtype).name), op,
             [("images", pixels.astype(dtype)), ("size", i32([4, 13])),
              ("scale", f32([4 / 6, 13 / 9])), ("translation", f32([0, 0]))],
             attrs={"kernel_type": "keyscubic"})
    ok = [("images", img), ("size", i32([4, 4])), ("scale", f32([0.3, 0.4])),
          ("translation", f32([0, 0]))]
    case(op + "/err_kernel_type", op, ok, attrs={"kernel_type": "cubic"})
    case(op + "/err_scale_zero", op, ok[:2] + [("scale", f32([0, 1]))] + ok[3:])
    case(op + "/err_scale_negative", op, ok[:2] + [("scale", f32([1, -2]))] + ok[3:])
    case(op + "/err_size_zero", op, [ok[0], ("size", i32([0, 4]))] + ok[2:])
    case(op + "/err_size_len", op, [ok[0], ("size", i32([4]))] + ok[2:])
    case(op + "/err_scale_len", op, ok[:2] + [("scale", f32([1, 1, 1]))] + ok[3:])
    case(op + "/err_rank", op, [("images", img[0])] + ok[1:])
    case(op + "/err_empty_image", op, [("images", img[:, :0])] + ok[1:])


def crop_and_resize_cases():
    rng = np.random.default_rng(12)
    img = rng.normal(size=(2, 6, 8, 3)).astype(np.float32) * 40
    boxes = f32([[0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], [0.8, 0.9, 0.2, 0.1], [-0.3, -0.2, 1.2, 1.4],
                 [0.5, 0.5, 0.5, 0.5], [0.33, 0.1, 0.66, 0.4]])
    box_ind = i32([0, 1, 0, 1, 1, 0])
    op = "CropAndResize"
    for size in ([5, 4], [1, 1], [1, 6], [9, 1]):
        for method in ("bilinear", "nearest"):
            attrs = {} if method == "bilinear" else {"method": method}
            case("%s/%s_%dx%d" % (op, method, size[0], size[1]), op,
                 [("image", img), ("boxes", boxes), ("box_ind", box_ind),
                  ("crop_size", i32(size))], attrs=attrs)
    case(op + "/extrapolation", op, [("image", img), ("boxes", boxes), ("box_ind", box_ind),
                                      ("crop_size", i32([4, 4]))],
         attrs={"extrapolation_value": -7.5})
    case(op + "/uint8", op, [("image", rng.integers(0, 256, size=(1, 5, 5, 2), dtype=np.uint8)),
                             ("boxes", boxes[:3]), ("box_ind", i32([0, 0, 0])),
                             ("crop_size", i32([3, 6]))])
    case(op + "/no_boxes", op, [("image", img), ("boxes", np.zeros([0, 4], np.float32)),
                                ("box_ind", np.zeros([0], np.int32)), ("crop_size", i32([2, 2]))])
    case(op + "/err_boxes_shape", op, [("image", img), ("boxes", f32([[0, 0, 1]])),
                                       ("box_ind", i32([0])), ("crop_size", i32([2, 2]))])


def projective_transform_cases():
    """ImageProjectiveTransformV3 as Keras' RandomTranslation / RandomRotation / RandomZoom call
    it (BILINEAR, REFLECT by default), and every interpolation x fill_mode."""
    rng = np.random.default_rng(14)
    img = (rng.normal(size=(2, 6, 7, 3)) * 40).astype(np.float32)
    angle = 0.4
    cos, sin = np.cos(angle), np.sin(angle)
    cx, cy = 3.0, 2.5
    rotate = [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy, 0, 0]
    transforms = {
        "translate": f32([[1, 0, -2.5, 0, 1, 1.75, 0, 0]]),
        "rotate_zoom": f32([rotate, [1.6, 0, -1.2, 0, 0.7, 0.9, 0, 0]]),
        "far": f32([[1, 0, -40.3, 0, 1, 23.6, 0, 0], [-1, 0, 6, 0, -1.2, 9.5, 0, 0]]),
        "projective": f32([[0.9, 0.1, 0.4, -0.2, 1.1, 0.3, 0.05, -0.08]]),
    }
    op = "ImageProjectiveTransformV3"
    for tname, t in transforms.items():
        for interp in ("NEAREST", "BILINEAR"):
            for mode in ("REFLECT", "WRAP", "CONSTANT", "NEAREST"):
                attrs = {"interpolation": interp}
                if mode != "CONSTANT":
                    attrs["fill_mode"] = mode
                case("%s/%s_%s_%s" % (op, tname, interp.lower(), mode.lower()), op,
                     [("images", img), ("transforms", t), ("output_shape", i32([6, 7])),
                      ("fill_value", np.float32(-3.5))], attrs=attrs,
                     node_attrs={"dtype": tf.float32})
    bil = {"interpolation": "BILINEAR", "fill_mode": "REFLECT"}
    f32_node = {"dtype": tf.float32}
    case(op + "/output_shape_bigger", op,
         [("images", img), ("transforms", transforms["rotate_zoom"]),
          ("output_shape", i32([9, 4])), ("fill_value", np.float32(0))], attrs=bil,
         node_attrs=f32_node)
    case(op + "/uint8", op,
         [("images", rng.integers(0, 256, size=(1, 5, 5, 2), dtype=np.uint8)),
          ("transforms", transforms["rotate_zoom"][:1]), ("output_shape", i32([5, 5])),
          ("fill_value", np.float32(7))],
         attrs={"interpolation": "BILINEAR"}, node_attrs={"dtype": tf.uint8})
    case(op + "/double_nearest_wrap", op,
         [("images", img[:1].astype(np.float64)), ("transforms", transforms["far"][:1]),
          ("output_shape", i32([6, 7])), ("fill_value", np.float32(0))],
         attrs={"interpolation": "NEAREST", "fill_mode": "WRAP"}, node_attrs={"dtype": tf.float64})
    case(op + "/one_pixel_reflect", op,
         [("images", img[:, :1, :1]), ("transforms", transforms["translate"]),
          ("output_shape", i32([3, 2])), ("fill_value", np.float32(0))], attrs=bil,
         node_attrs=f32_node)
    case(op + "/err_transform_shape", op,
         [("images", img), ("transforms", f32([[1, 0, 0, 0, 1, 0, 0]])),
          ("output_shape", i32([6, 7])), ("fill_value", np.float32(0))], attrs=bil,
         node_attrs=f32_node)
    case(op + "/err_output_shape", op,
         [("images", img), ("transforms", transforms["translate"]),
          ("output_shape", i32([6, 7, 1])), ("fill_value", np.float32(0))], attrs=bil,
         node_attrs=f32_node)


def hsv_cases():
    """RGBToHSV and HSVToRGB (Keras 3's RandomHue, RandomSaturation, RandomColorJitter): greys,
    ties between channels, pure colours, hues outside [0, 1], doubles."""
    rng = np.random.default_rng(54)
    rgb = np.concatenate([rng.uniform(0, 1, size=[20, 3]),
                          [[0, 0, 0], [1, 1, 1], [0.5, 0.5, 0.5], [1, 0, 0], [0, 1, 0], [0, 0, 1],
                           [1, 1, 0], [0, 1, 1], [1, 0, 1], [0.2, 0.7, 0.7], [0.9, 0.9, 0.1]]])
    rgb = rgb.astype(np.float32).reshape(1, 31, 1, 3)
    case("RGBToHSV/float", "RGBToHSV", [("images", rgb)])
    case("RGBToHSV/double", "RGBToHSV", [("images", rgb.astype(np.float64))],
         node_attrs={"T": tf.float64})
    hsv = tf.image.rgb_to_hsv(rgb).numpy()
    case("HSVToRGB/float", "HSVToRGB", [("images", hsv)])
    odd = f32([[-0.2, 0.5, 0.8], [1.3, 1, 1], [0.999, 0.2, 0.4], [0.5, 1.5, 2.0]])
    case("HSVToRGB/outside", "HSVToRGB", [("images", odd)])
    case("HSVToRGB/double", "HSVToRGB", [("images", hsv.astype(np.float64))],
         node_attrs={"T": tf.float64})


def main():
    jpeg_cases()
    png_cases()
    gif_cases()
    bmp_cases()
    resize_cases()
    resize_cubic_area_cases()
    scale_and_translate_cases()
    crop_and_resize_cases()
    projective_transform_cases()
    hsv_cases()
    kg.write_cases(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
