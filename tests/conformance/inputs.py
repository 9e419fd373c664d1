"""Random and edge-case inputs for a signature, from its TensorSpecs plus the zoo's hints.

A hint (from build/zoo/manifest.json) says what values are valid for one input:
  {"kind": "int", "low": a, "high": b} | {"kind": "int", "values": [...]}
  {"kind": "float", "low": a, "high": b}  (every case but zeros uniform in [a, b))
  {"kind": "string", "vocab": [...]} | {"kind": "sentence", "vocab": [...]}
  {"kind": "example", "features": {name: {"kind": "float"|"bytes", ...}}}  (serialized tf.Example)
  {"kind": "image", "format": "jpeg"|"png"|"mixed"|"gif"|"bmp"}  (encoded RGB images of random
    sizes; GIFs animated, BMPs of 8, 24 or 32 bits, either row order)
  {"shape": [...]} fixes the fed shape (for an unknown-rank input that must be, e.g., a scalar)
Cases: random at batch 1 and 17, zeros, negatives, large values, and an empty batch. A case
that makes no sense for an input (negatives of a vocabulary) falls back to random values; the
runner skips any case TensorFlow itself rejects.
"""
import os
import sys

import numpy as np
import tensorflow as tf

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
import image_files  # noqa: E402

CASES = [("random", 1), ("random", 17), ("zeros", 3), ("negative", 2), ("large", 2),
         ("empty", 0)]
DEFAULT_DIM = 3


def concrete_shape(spec, batch, hint):
    """The shape to feed: unknown batch dims become `batch`, other unknowns DEFAULT_DIM; an
    unknown rank is a batch of vectors (a batch of serialized tf.Examples is a vector)."""
    if "shape" in hint:
        return list(hint["shape"])
    if spec.shape.rank is None:
        return [batch] if hint.get("kind") == "example" else [batch, DEFAULT_DIM]
    dims = spec.shape.as_list()
    return [(batch if i == 0 else DEFAULT_DIM) if d is None else d for i, d in enumerate(dims)]


def _floats(rng, case, shape, dtype, hint):
    big = 100.0 if dtype == np.float16 else 1e4
    if case == "zeros":
        v = np.zeros(shape)
    elif "low" in hint:  # only values the model expects (pixels in [0, 255]), as for a vocabulary
        v = rng.uniform(hint["low"], hint["high"], size=shape)
    elif case == "negative":
        v = -np.abs(rng.normal(size=shape)) * 3.0
    elif case == "large":
        v = rng.normal(size=shape) * big
    else:
        v = rng.normal(size=shape)
    return v.astype(dtype)


def _ints(rng, case, shape, dtype, hint):
    info = np.iinfo(dtype)
    if "values" in hint:
        v = rng.choice(np.array(hint["values"]), size=shape)
        if case == "zeros":
            v = np.zeros(shape)
        return v.astype(dtype)
    low = max(hint.get("low", 0), info.min)
    high = min(hint.get("high", 10), info.max)
    if case == "zeros":
        return np.zeros(shape, dtype)
    if case == "negative" and low < 0:
        return rng.integers(low, 0, size=shape, endpoint=False).astype(dtype)
    if case == "large" and not hint:
        return rng.integers(info.min // 2, info.max // 2, size=shape, dtype=dtype)
    return rng.integers(low, high, size=shape).astype(dtype)


def _strings(rng, case, shape, hint):
    vocab = hint.get("vocab", ["a", "b", "c"])
    if case == "zeros":
        return np.full(shape, b"", dtype=object)
    flat = []
    for _ in range(int(np.prod(shape))):
        if hint.get("kind") == "sentence":
            words = rng.choice(vocab, size=rng.integers(0, 6))
            flat.append(" ".join(words).encode())
        else:
            flat.append(str(rng.choice(vocab)).encode())
    return np.array(flat, dtype=object).reshape(shape)


def _example(rng, case, features):
    feature = {}
    for name, spec in features.items():
        if case != "zeros" and rng.random() < 0.15:
            continue  # missing: the parser applies the default (or an empty sparse row)
        if spec["kind"] == "float":
            value = 0.0 if case == "zeros" else rng.uniform(spec["low"], spec["high"])
            if case == "negative":
                value = -value
            elif case == "large":
                value *= 1e4
            feature[name] = tf.train.Feature(float_list=tf.train.FloatList(value=[value]))
        else:
            n = rng.integers(0, spec.get("max_len", 1) + 1) if "max_len" in spec else 1
            if case == "zeros":
                n = min(n, 1)
            values = [str(rng.choice(spec["vocab"])).encode() for _ in range(n)]
            feature[name] = tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def _gif(rng, pixels):
    """An animated GIF of `pixels`: frame 0 whole, then 0-3 frames over random rectangles of a
    shifted copy, some with a transparent index, some with a local palette. Colours are
    quantized to a 6x6x6 cube (216 palette entries)."""
    def indices(p):
        q = (p.astype(np.int32) * 6) // 256
        return q[..., 0] * 36 + q[..., 1] * 6 + q[..., 2]
    cube = [(r * 51, g * 51, b * 51) for r in range(6) for g in range(6) for b in range(6)]
    height, width = pixels.shape[:2]
    frames = [{"indices": indices(pixels)}]
    for k in range(int(rng.integers(0, 4))):
        top, left = (int(v) for v in rng.integers(0, [height, width]))
        h, w = (int(v) for v in rng.integers(1, [height - top + 1, width - left + 1]))
        frame = {"indices": indices(np.roll(pixels, 3 * (k + 1), axis=1)[top:top + h,
                                                                           left:left + w]),
                 "top": top, "left": left}
        if rng.random() < 0.5:
            frame["transparent"] = int(frame["indices"][0, 0])
        if rng.random() < 0.3:
            frame["palette"] = cube[::-1]
            frame["indices"] = 215 - frame["indices"]
        frames.append(frame)
    return image_files.gif(width, height, frames, cube, 7)


def _bmp(rng, pixels):
    bits = int(rng.choice([8, 24, 32]))
    if bits == 8:
        pixels = pixels[..., 0]
    elif bits == 32:
        pixels = np.concatenate([pixels, pixels[..., 1:2] ^ 0x5A], -1)
    return image_files.bmp(pixels, bits, top_down=bool(rng.random() < 0.5))


def _image(rng, case, fmt):
    """Encoded bytes of a random-sized RGB picture (smooth gradients plus noise, black for the
    zeros case), encoded by TensorFlow: JPEG at a random quality, PNG, or either; or written by
    tests/models/image_files.py: GIF (animated), BMP."""
    height, width = (int(v) for v in rng.integers(4, 40, size=2))
    if case == "zeros":
        pixels = np.zeros([height, width, 3], np.uint8)
    else:
        y, x = np.mgrid[0:height, 0:width]
        base = np.stack([y * 255.0 / height, x * 255.0 / width, 128 + 90 * np.sin((x + y) / 4)], -1)
        pixels = np.clip(base + rng.normal(0, 20, size=base.shape), 0, 255).astype(np.uint8)
    if fmt == "mixed":
        fmt = "png" if rng.random() < 0.5 else "jpeg"
    if fmt == "png":
        return tf.io.encode_png(pixels).numpy()
    if fmt == "gif":
        return _gif(rng, pixels)
    if fmt == "bmp":
        return _bmp(rng, pixels)
    return tf.io.encode_jpeg(pixels, quality=int(rng.integers(50, 96)),
                             chroma_downsampling=bool(rng.random() < 0.7)).numpy()


def make_input(rng, case, batch, spec, hint):
    """A numpy array for one input (object arrays of bytes for strings)."""
    shape = concrete_shape(spec, batch, hint)
    dtype = spec.dtype
    if hint.get("kind") == "example" and dtype == tf.string:
        flat = [_example(rng, case, hint["features"]) for _ in range(int(np.prod(shape)))]
        return np.array(flat, dtype=object).reshape(shape)
    if hint.get("kind") == "image" and dtype == tf.string:
        flat = [_image(rng, case, hint["format"]) for _ in range(int(np.prod(shape)))]
        return np.array(flat, dtype=object).reshape(shape)
    if dtype == tf.string:
        return _strings(rng, case, shape, hint)
    if dtype == tf.bool:
        if case == "zeros":
            return np.zeros(shape, bool)
        return rng.random(size=shape) < 0.5
    if dtype.is_floating:
        return _floats(rng, case, shape, dtype.as_numpy_dtype, hint)
    if dtype.is_integer:
        return _ints(rng, case, shape, dtype.as_numpy_dtype, hint)
    raise ValueError("no input generator for dtype %s" % dtype.name)


def signature_cases(signature_fn, hints, seed):
    """Yields (case label, {input name: numpy array}) for every case of a signature."""
    _, specs = signature_fn.structured_input_signature
    seen = set()
    for i, (case, batch) in enumerate(CASES):
        rng = np.random.default_rng(seed * 100 + i)
        feeds = {name: make_input(rng, case, batch, spec, hints.get(name, {}))
                 for name, spec in sorted(specs.items())}
        key = (case, tuple((n, a.shape) for n, a in sorted(feeds.items())))
        if key in seen:
            continue  # fixed shapes: batch 1 and 17 are the same case
        seen.add(key)
        yield "%s/b%d" % (case, batch), feeds
