"""GIF and BMP files written byte by byte, for the formats TensorFlow can decode but not encode.

Used by tests/runtime/kernels/kernels_golden_image.py (DecodeGif, DecodeBmp and DecodeImage
goldens) and tests/conformance/inputs.py (image-bytes inputs). Written by hand rather than with
PIL so every field the decoders read is chosen: frame rectangles, local colour tables,
transparency, interlacing, BMP row order, depth and padding.
"""
import struct

import numpy as np


def _lzw(indices, min_code_size):
    """GIF LZW data for a flat sequence of colour indices: every index as its own code, with a
    clear code often enough that the code width never grows (valid, if not compressed)."""
    clear = 1 << min_code_size
    width = min_code_size + 1
    codes = [clear]
    run = 0
    for v in indices:
        if run == clear - 3:  # before the decoder's table would need a wider code
            codes.append(clear)
            run = 0
        codes.append(int(v))
        run += 1
    codes.append(clear + 1)  # end of information
    out = bytearray()
    bits = nbits = 0
    for c in codes:
        bits |= c << nbits
        nbits += width
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        out.append(bits & 0xFF)
    blocks = b"".join(bytes([len(out[i:i + 255])]) + bytes(out[i:i + 255])
                      for i in range(0, len(out), 255))
    return bytes([min_code_size]) + blocks + b"\x00"


def _color_table(colors, size_bits):
    """2^(size_bits + 1) RGB entries, `colors` first, the rest black."""
    n = 1 << (size_bits + 1)
    colors = [tuple(int(v) for v in c) for c in colors]
    return b"".join(bytes(c) for c in colors + [(0, 0, 0)] * (n - len(colors)))


def gif(width, height, frames, palette=None, palette_bits=7, background=0, trailer=True):
    """A GIF89a file. `palette`: the global colour table (a list of RGB triples) or None.
    Each frame is a dict: indices (2-D array of colour indices), left, top, palette (local
    table) and palette_bits, transparent (index), disposal, interlace."""
    out = b"GIF89a" + struct.pack("<HH", width, height)
    if palette is not None:
        out += bytes([0x80 | (7 << 4) | palette_bits, background, 0])
        out += _color_table(palette, palette_bits)
    else:
        out += bytes([7 << 4, background, 0])
    for f in frames:
        transparent = f.get("transparent")
        if transparent is not None or f.get("disposal"):
            flags = (f.get("disposal", 0) << 2) | (1 if transparent is not None else 0)
            out += b"\x21\xf9\x04" + bytes([flags]) + struct.pack("<H", 10)
            out += bytes([transparent or 0]) + b"\x00"
        idx = np.asarray(f["indices"], np.uint8)
        rows, cols = idx.shape
        packed = 0
        local = f.get("palette")
        bits = f.get("palette_bits", palette_bits)
        if local is not None:
            packed |= 0x80 | bits
        order = list(range(rows))
        if f.get("interlace"):
            packed |= 0x40
            order = (list(range(0, rows, 8)) + list(range(4, rows, 8)) +
                     list(range(2, rows, 4)) + list(range(1, rows, 2)))
        out += b"\x2c" + struct.pack("<HHHH", f.get("left", 0), f.get("top", 0), cols, rows)
        out += bytes([packed])
        if local is not None:
            out += _color_table(local, bits)
        # Wide enough for the table and for every index (an index past it is a test case).
        min_code_size = max(2, max(bits, palette_bits) + 1, int(idx.max(initial=0)).bit_length())
        out += _lzw(idx[order].reshape(-1), min_code_size)
    if trailer:
        out += b"\x3b"
    return out


def bmp(pixels, bits=24, top_down=False, header_size=40, gap=b""):
    """A BMP file of `pixels` (uint8 [h, w] for 8 bits, [h, w, 3] RGB for 24, [h, w, 4] RGBA
    for 32): BGR(A) rows padded to 4 bytes, bottom-up unless top_down (negative height); an 8-bit
    image gets a gray palette. `gap`: bytes between the headers and the pixel data."""
    pixels = np.asarray(pixels, np.uint8)
    height, width = pixels.shape[:2]
    if bits == 8:
        rows = pixels
        palette = b"".join(bytes([i, i, i, 0]) for i in range(256))
    else:
        rows = pixels[..., [2, 1, 0, 3][:bits // 8]]
        palette = b""
    row_bytes = (bits * width + 31) // 32 * 4
    order = range(height) if top_down else range(height - 1, -1, -1)
    data = b"".join(rows[y].tobytes().ljust(row_bytes, b"\x00") for y in order)
    info = struct.pack("<IiiHHIIiiII", header_size, width, -height if top_down else height, 1,
                       bits, 0, len(data), 2835, 2835, 256 if bits == 8 else 0, 0)
    info = info.ljust(header_size, b"\x00")
    offset = 14 + len(info) + len(palette) + len(gap)
    return (b"BM" + struct.pack("<IHHI", offset + len(data), 0, 0, offset) + info + palette +
            gap + data)
