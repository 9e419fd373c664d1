#!/usr/bin/env python3
"""Record TensorFlow's outputs for the image kernels (DecodeJpeg, DecodePng, DecodeImage,
ResizeBilinear, ResizeNearestNeighbor, ResizeBicubic, ResizeArea, CropAndResize,
ImageProjectiveTransformV3, RGBToHSV, HSVToRGB): tests/runtime/kernels/kernels_golden_image.json, in
kernels_golden.py's format. The encoded images are made here, deterministically: TensorFlow's
encoders for JPEG (several qualities, chroma subsamplings, progressive, grayscale) and PNG, and
hand-written PNG chunks for what its encoder cannot write (palette, transparency, 1-bit gray).

Run from the repository root:
  .venv/bin/python tests/runtime/kernels/kernels_golden_image.py
"""

import json
import os
import struct
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
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
    resize_cases()
    resize_cubic_area_cases()
    crop_and_resize_cases()
    projective_transform_cases()
    hsv_cases()
    with open(OUT, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c) for c in kg.CASES) + "\n]\n")
    errors = sum(1 for c in kg.CASES if "error" in c)
    print("wrote %s: %d cases (%d expect an error)" % (OUT, len(kg.CASES), errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
