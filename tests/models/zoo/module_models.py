"""tf.Module exports of the zoo: several signatures, functional control flow (If/While),
stateful variables, every serving dtype, unknown dimensions and scalar outputs.

Each exporter writes a SavedModel to `path` and returns input hints for the conformance runner.
"""
import numpy as np
import tensorflow as tf


def _spec(shape, dtype, name):
    return tf.TensorSpec(shape, dtype, name=name)


class MultiSignature(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.random.stateless_normal([4, 3], seed=[1, 2]), name="w")

    @tf.function(input_signature=[_spec([None, 4], tf.float32, "x")])
    def project(self, x):
        return {"y": tf.matmul(x, self.w)}

    @tf.function(input_signature=[_spec([None], tf.float32, "a"), _spec([None], tf.float32, "b")])
    def add_mul(self, a, b):
        return {"sum": a + b, "product": a * b, "difference": a - b}

    @tf.function(input_signature=[_spec([None, None], tf.float32, "m")])
    def reduce(self, m):
        return {"total": tf.reduce_sum(m), "row_max": tf.reduce_max(m, axis=1),
                "mean": tf.reduce_mean(m, axis=0)}


def module_multi_signature(path):
    m = MultiSignature()
    tf.saved_model.save(m, path, signatures={"serving_default": m.project, "add_mul": m.add_mul,
                                             "reduce": m.reduce})
    return {}


class ControlFlow(tf.Module):
    @tf.function(input_signature=[_spec([None], tf.float32, "x")])
    def cond(self, x):
        # A data-dependent predicate: StatelessIf in the function body.
        y = tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)
        return {"y": y}

    @tf.function(input_signature=[_spec([None], tf.float32, "x"), _spec([], tf.int32, "n")])
    def loop(self, x, n):
        # tf.while_loop: While/StatelessWhile with a loop-carried tensor and counter.
        i = tf.constant(0)
        _, y = tf.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * 0.5 + 1.0), (i, x))
        return {"y": y}

    @tf.function(input_signature=[_spec([None], tf.int32, "k")])
    def python_loop(self, k):
        total = tf.zeros([], tf.int32)
        for v in k:  # autograph: a While over the elements
            total += v * v
        return {"sum_squares": total}


def module_control_flow(path):
    m = ControlFlow()
    tf.saved_model.save(m, path, signatures={"serving_default": m.cond, "loop": m.loop,
                                             "python_loop": m.python_loop})
    return {"n": {"kind": "int", "low": 0, "high": 6}, "k": {"kind": "int", "low": -9, "high": 9}}


class Counter(tf.Module):
    def __init__(self):
        super().__init__()
        self.count = tf.Variable(10.0, name="count")

    @tf.function(input_signature=[_spec([None], tf.float32, "delta")])
    def add(self, delta):
        # AssignAddVariableOp: every call changes the state the next call reads.
        self.count.assign_add(tf.reduce_sum(delta))
        return {"count": self.count.read_value()}


def module_stateful_counter(path):
    m = Counter()
    tf.saved_model.save(m, path, signatures={"serving_default": m.add})
    return {"__stateful__": True}


class Dtypes(tf.Module):
    pass


def module_dtypes(path):
    m = Dtypes()
    sigs = {}
    for dt in (tf.int8, tf.int16, tf.int32, tf.int64, tf.uint8, tf.float16, tf.float64):
        @tf.function(input_signature=[_spec([None, 2], dt, "x")])
        def f(x, dt=dt):
            if dt.is_floating:
                return {"y": x * tf.constant(1.5, dt) + tf.constant(1, dt), "neg": -x}
            return {"y": x * tf.constant(3, dt) + x, "max": tf.reduce_max(x, axis=1)}
        setattr(m, "f_" + dt.name, f)
        sigs[dt.name] = f

    @tf.function(input_signature=[_spec([None], tf.bool, "a"), _spec([None], tf.bool, "b")])
    def logic(a, b):
        return {"and": tf.logical_and(a, b), "or": tf.logical_or(a, b), "not": tf.logical_not(a)}

    @tf.function(input_signature=[_spec([None], tf.string, "s")])
    def strings(s):
        return {"joined": tf.strings.join([s, "!"], separator="-"), "length": tf.strings.length(s),
                "upper": tf.strings.upper(s)}

    m.logic, m.strings = logic, strings
    sigs.update({"serving_default": sigs["float64"], "logic": logic, "string": strings})
    tf.saved_model.save(m, path, signatures=sigs)
    return {"x": {"kind": "int", "low": -20, "high": 20},
            "s": {"kind": "string", "vocab": ["tern", "Model", "", "a b", "\u00e9t\u00e9"]}}


class UnknownDims(tf.Module):
    @tf.function(input_signature=[_spec(None, tf.float32, "x")])
    def any_rank(self, x):
        return {"total": tf.reduce_sum(x), "size": tf.size(x), "doubled": x * 2.0}

    @tf.function(input_signature=[_spec([None, None, 3], tf.float32, "x")])
    def partial(self, x):
        return {"norm": tf.sqrt(tf.reduce_sum(tf.square(x), axis=-1)),
                "rank": tf.rank(x), "shape": tf.shape(x)}


def module_unknown_dims(path):
    m = UnknownDims()
    tf.saved_model.save(m, path, signatures={"serving_default": m.partial,
                                             "any_rank": m.any_rank})
    return {}


class ImageBytes(tf.Module):
    """TF Serving's ResNet tutorial contract: encoded image bytes in, decoded and resized in the
    graph, then a (tiny) classifier."""

    def __init__(self):
        super().__init__()
        self.weights = tf.Variable(tf.random.stateless_normal([75, 4], seed=[3, 4]) * 0.3,
                                   name="weights")

    @tf.function(input_signature=[_spec([None], tf.string, "image_bytes")])
    def classify(self, image_bytes):
        def prepare(one):  # DecodeJpeg, ResizeBilinear (half_pixel_centers) on uint8
            return tf.image.resize(tf.io.decode_jpeg(one, channels=3), [20, 20])
        x = tf.map_fn(prepare, image_bytes, fn_output_signature=tf.float32) / 255.0
        # 4x4 block means then a dense layer: not Conv2D, whose TF 2.15 CPU kernel returns its
        # input unchanged for an empty batch (shape [0, 20, 20, 3]), which no server should copy.
        blocks = tf.reduce_mean(tf.reshape(x, [-1, 5, 4, 5, 4, 3]), axis=[2, 4])
        logits = tf.matmul(tf.reshape(blocks, [-1, 75]), self.weights)
        return {"probabilities": tf.nn.softmax(logits), "pixels": x[:, ::5, ::5, :]}

    @tf.function(input_signature=[_spec([], tf.string, "image")])
    def decode(self, image):
        # DecodeImage (JPEG or PNG), DecodePng on the same bytes, both resize modes and their
        # legacy variants.
        img = tf.io.decode_image(image, channels=3, expand_animations=False)
        batch = img[tf.newaxis]
        return {
            "image": img,
            "png_gray16": tf.io.decode_png(image, channels=1, dtype=tf.uint16),
            "nearest": tf.image.resize(batch, [9, 13], method="nearest"),
            "legacy_nearest": tf.compat.v1.image.resize_nearest_neighbor(batch, [7, 5]),
            "align_corners": tf.compat.v1.image.resize_bilinear(batch, [6, 11],
                                                                align_corners=True),
            "float_bilinear": tf.image.resize(tf.cast(batch, tf.float32) / 3.0, [15, 4]),
        }

    @tf.function(input_signature=[_spec([], tf.string, "jpeg")])
    def decode_jpeg_attrs(self, jpeg):
        return {
            "fast_no_fancy": tf.io.decode_jpeg(jpeg, dct_method="INTEGER_FAST",
                                               fancy_upscaling=False),
            "half_gray": tf.io.decode_jpeg(jpeg, channels=1, ratio=2),
        }

    @tf.function(input_signature=[_spec([], tf.string, "gif"), _spec([], tf.string, "bmp")])
    def decode_gif_bmp(self, gif, bmp):
        # DecodeGif (every frame composited), DecodeImage's first frame, DecodeBmp at each
        # channel count and DecodeImage on BMP, then an antialiased resize as a pipeline would.
        frames = tf.io.decode_gif(gif)
        bmp_rgb = tf.io.decode_bmp(bmp, channels=3)
        return {
            "gif_frames": frames,
            "gif_first": tf.io.decode_image(gif, channels=3, expand_animations=False),
            "gif_all_float": tf.io.decode_image(gif, dtype=tf.float32),
            "bmp": tf.io.decode_bmp(bmp),
            "bmp_rgba": tf.io.decode_bmp(bmp, channels=4),
            # uint8: TF 2.21's DecodeImage aborts the process (std::bad_alloc) converting a
            # top-down BMP (negative height) to float32 or uint16.
            "bmp_image": tf.io.decode_image(bmp, channels=3, expand_animations=False),
            "bmp_resized": tf.image.resize(bmp_rgb[tf.newaxis], [6, 9], antialias=True),
        }


def module_image_bytes(path):
    m = ImageBytes()
    tf.saved_model.save(m, path, signatures={"serving_default": m.classify, "decode": m.decode,
                                             "decode_jpeg_attrs": m.decode_jpeg_attrs,
                                             "decode_gif_bmp": m.decode_gif_bmp})
    return {"image_bytes": {"kind": "image", "format": "jpeg"},
            "image": {"kind": "image", "format": "mixed"},
            "jpeg": {"kind": "image", "format": "jpeg"},
            "gif": {"kind": "image", "format": "gif"},
            "bmp": {"kind": "image", "format": "bmp"}}


class TextOps(tf.Module):
    @tf.function(input_signature=[_spec([None], tf.string, "text"),
                                  _spec([None], tf.int32, "segment")])
    def edit(self, text, segment):
        stripped = tf.strings.strip(text)
        lengths = tf.strings.length(stripped)
        return {
            "stripped": stripped,
            "prefix": tf.strings.substr(stripped, 0, 3),
            "suffix": tf.strings.substr(stripped, -tf.minimum(lengths, 2), lengths),
            "first_chars": tf.strings.substr(text, 0, 2, unit="UTF8_CHAR"),
            "is_word": tf.strings.regex_full_match(stripped, tf.constant(r"\w+")),
            "is_lower": tf.strings.regex_full_match(stripped, "[a-z ]*"),
            "marked": tf.strings.regex_replace(text, tf.constant("a+"), tf.constant("<\\0>")),
            "joined": tf.strings.unsorted_segment_join(stripped, segment, num_segments=4,
                                                       separator="|"),
        }


def module_text_ops(path):
    m = TextOps()
    tf.saved_model.save(m, path, signatures={"serving_default": m.edit})
    return {"text": {"kind": "string", "vocab": ["  tern ", "Model", "", "a b\t", "\u00e9t\u00e9",
                                                 "banana", "aaa!"]},
            "segment": {"kind": "int", "low": 0, "high": 4}}


class SpecialMath(tf.Module):
    @tf.function(input_signature=[_spec([None, 6], tf.float32, "x")])
    def serve(self, x):
        inv = 1.0 / x  # inf where x is 0
        return {
            # Keras 3's exact gelu; the tanh approximation cubes x with Pow.
            "gelu_erfc": 0.5 * x * tf.math.erfc(-x / tf.sqrt(2.0)),
            "gelu_tanh": tf.nn.gelu(x, approximate=True),
            "lgamma": tf.math.lgamma(x),
            "digamma": tf.math.digamma(tf.abs(x) + 0.25),
            "is_finite": tf.math.is_finite(inv),
            "is_inf": tf.math.is_inf(inv),
            "is_nan": tf.math.is_nan(x * inv),  # 0 * inf
            "cumprod": tf.math.cumprod(x, axis=1),
            "cumprod_exclusive_reverse": tf.math.cumprod(x, axis=1, exclusive=True, reverse=True),
        }

    @tf.function(input_signature=[_spec([None, 4], tf.float64, "x")])
    def double(self, x):
        return {"erfc": tf.math.erfc(x), "lgamma": tf.math.lgamma(x),
                "softplus": tf.math.softplus(x * 10.0), "elu": tf.nn.elu(x),
                "cumprod": tf.math.cumprod(x, axis=0)}


def module_special_math(path):
    m = SpecialMath()
    tf.saved_model.save(m, path, signatures={"serving_default": m.serve, "double": m.double})
    return {}


class Postprocess(tf.Module):
    """Classifier post-processing: top-k, arg max/min, picking and scattering by index."""

    def __init__(self):
        super().__init__()
        self.bias = tf.Variable(tf.linspace(-0.5, 0.5, 10), name="bias")

    @tf.function(input_signature=[_spec([None, 10], tf.float32, "logits")])
    def serve(self, logits):
        logits = logits + tf.broadcast_to(self.bias, tf.shape(logits))
        values, indices = tf.math.top_k(logits, k=3)
        best = tf.argmax(logits, axis=-1)
        rows = tf.range(tf.shape(logits)[0], dtype=tf.int64)
        picked = tf.gather_nd(logits, tf.stack([rows, best], axis=1))
        row_ids = tf.broadcast_to(tf.cast(rows, tf.int32)[:, None], tf.shape(indices))
        where = tf.stack([row_ids, indices], axis=-1)  # [batch, 3, 2]
        top_only = tf.scatter_nd(where, values, tf.shape(logits))
        return {"top_values": values, "top_indices": indices, "argmax": best,
                "argmin": tf.argmin(logits, axis=1, output_type=tf.int32),
                "picked": picked, "top_only": top_only,
                "reversed": tf.reverse(logits, axis=[-1])}

    @tf.function(input_signature=[_spec([None, None, 4], tf.float32, "seq")])
    def causal(self, seq):
        # A causal mask by hand, as attention code writes it: band_part of ones, broadcast to
        # the batch.
        t = tf.shape(seq)[1]
        mask = tf.linalg.band_part(tf.ones([t, t]), -1, 0)
        mask = tf.broadcast_to(mask, [tf.shape(seq)[0], t, t])
        scores = tf.matmul(seq, seq, transpose_b=True) - 1e9 * (1.0 - mask)
        return {"attended": tf.matmul(tf.nn.softmax(scores), seq),
                "band": tf.linalg.band_part(scores, 1, 1)}


def module_postprocess(path):
    m = Postprocess()
    tf.saved_model.save(m, path, signatures={"serving_default": m.serve, "causal": m.causal})
    return {}


class Ranking(tf.Module):
    """Ranking and post-processing users serve: sort/argsort, segment reductions, where, unique,
    non-max suppression."""

    @tf.function(input_signature=[_spec([None, 6], tf.float32, "scores"),
                                  _spec([None], tf.int32, "segment")])
    def serve(self, scores, segment):
        rows = tf.shape(scores)[0]
        ids = tf.math.minimum(segment, rows - 1)  # valid ids for the unsorted reductions
        return {
            "sorted": tf.sort(scores, axis=-1, direction="DESCENDING"),
            "argsort": tf.argsort(scores, axis=-1, stable=True),
            "ascending": tf.sort(scores, axis=0),
            "segment_sum": tf.math.unsorted_segment_sum(scores, ids, num_segments=4),
            "segment_max": tf.math.unsorted_segment_max(scores, ids, num_segments=4),
            "segment_min": tf.math.unsorted_segment_min(scores, ids, num_segments=4),
            "segment_mean": tf.math.unsorted_segment_mean(scores, ids, num_segments=4),
            "positive_at": tf.where(scores > 0.5),
            "clipped": tf.where(scores > 0, scores, tf.zeros_like(scores)),
            "unique_segments": tf.unique(segment).y,
        }

    @tf.function(input_signature=[_spec([None, 4], tf.float32, "boxes"),
                                  _spec([None], tf.float32, "box_scores")])
    def nms(self, boxes, box_scores):
        corners = tf.concat([boxes[:, :2], boxes[:, :2] + tf.abs(boxes[:, 2:])], axis=1)
        selected = tf.image.non_max_suppression(corners, box_scores, max_output_size=5,
                                                iou_threshold=0.3, score_threshold=-1.0)
        padded, valid = tf.image.non_max_suppression_padded(
            corners, box_scores, max_output_size=4, iou_threshold=0.5, pad_to_max_output_size=True)
        with_scores, soft_scores = tf.image.non_max_suppression_with_scores(
            corners, box_scores, max_output_size=3, soft_nms_sigma=0.5)
        return {"selected": selected, "padded": padded, "valid": valid,
                "soft_selected": with_scores, "soft_scores": soft_scores}


def module_ranking(path):
    m = Ranking()
    tf.saved_model.save(m, path, signatures={"serving_default": m.serve, "nms": m.nms})
    return {"segment": {"kind": "int", "low": 0, "high": 4}}


class ImageOps(tf.Module):
    """Image pre-processing in the graph: dtype conversion, every resize method, crops, flips,
    colour conversions."""

    @tf.function(input_signature=[_spec([None, 12, 10, 3], tf.uint8, "pixels")])
    def serve(self, pixels):
        x = tf.image.convert_image_dtype(pixels, tf.float32)
        out = {"as_float": x,
               "back_to_uint8": tf.image.convert_image_dtype(x * 0.5, tf.uint8, saturate=True),
               "grayscale": tf.image.rgb_to_grayscale(x),
               "flipped": tf.image.flip_left_right(tf.image.flip_up_down(x)),
               "central": tf.image.central_crop(x, 0.5),
               "padded": tf.image.resize_with_crop_or_pad(x, 14, 8),
               "standardized": tf.image.per_image_standardization(x),
               "adjusted": tf.image.adjust_contrast(tf.image.adjust_brightness(x, 0.1), 1.5)}
        for method in ("bilinear", "nearest", "bicubic", "area"):
            out["resize_" + method] = tf.image.resize(x, [7, 5], method=method)
        out["resize_pad"] = tf.image.resize_with_pad(x, 8, 8)
        return out


def module_image_ops(path):
    m = ImageOps()
    tf.saved_model.save(m, path, signatures={"serving_default": m.serve})
    return {"pixels": {"kind": "int", "low": 0, "high": 256}}


class ImageResizeKernels(tf.Module):
    """The resize methods TensorFlow computes with ScaleAndTranslate (kernel-based)."""

    @tf.function(input_signature=[_spec([None, 12, 10, 3], tf.float32, "image")])
    def serve(self, image):
        out = {"resize_" + m: tf.image.resize(image, [7, 5], method=m)
               for m in ("lanczos3", "lanczos5", "gaussian", "mitchellcubic")}
        out["resize_antialias"] = tf.image.resize(image, [5, 4], antialias=True)
        return out


def module_image_resize_kernels(path):
    m = ImageResizeKernels()
    tf.saved_model.save(m, path, signatures={"serving_default": m.serve})
    return {}


class EinsumForms(tf.Module):
    @tf.function(input_signature=[_spec([None, 4, 4], tf.float32, "a"),
                                  _spec([None, 4, 4], tf.float32, "b")])
    def serve(self, a, b):
        return {"diagonal": tf.einsum("bii->bi", a), "trace": tf.einsum("bii->b", a),
                "implicit": tf.einsum("bij,bjk", a, b), "outer": tf.einsum("bi,bj->bij",
                                                                           a[:, 0], b[:, 1]),
                "broadcast": tf.einsum("...ij,...jk->...ik", a, b),
                "sum_all": tf.einsum("bij->", a)}


def module_einsum(path):
    m = EinsumForms()
    tf.saved_model.save(m, path, signatures={"serving_default": m.serve})
    return {}


class RaggedText(tf.Module):
    """Ragged tensors as text pipelines build them: split, n-grams, lengths, padding."""

    @tf.function(input_signature=[_spec([None], tf.string, "text")])
    def serve(self, text):
        words = tf.strings.split(tf.strings.lower(text))
        return {"tokens": words.to_tensor(default_value="<pad>", shape=[None, 4]),
                "counts": words.row_lengths(),
                "bigrams": tf.strings.ngrams(words, 2, separator="_").to_tensor(),
                "first": tf.strings.reduce_join(words[:, :1], axis=1),
                "hashed": tf.strings.to_hash_bucket_fast(words, 7).to_tensor(-1),
                "chars": tf.strings.unicode_split(text, "UTF-8").row_lengths()}


def module_ragged_text(path):
    m = RaggedText()
    tf.saved_model.save(m, path, signatures={"serving_default": m.serve})
    return {"text": {"kind": "sentence", "vocab": ["Tern", "serves", "a", "MODEL", "\u00e9t\u00e9",
                                                   "x"]}}


class Float64(tf.Module):
    """The common ops computed in float64 (TensorFlow's CPU kernels run them in double, not
    float): dense and convolution layers, normalization, softmax, reductions and math."""

    def __init__(self):
        rng = np.random.default_rng(64)
        self.w = tf.Variable(rng.normal(size=[6, 5]), dtype=tf.float64)
        self.b = tf.Variable(rng.normal(size=[5]), dtype=tf.float64)
        self.filters = tf.Variable(rng.normal(size=[3, 3, 2, 4]), dtype=tf.float64)
        self.depthwise = tf.Variable(rng.normal(size=[3, 3, 2, 2]), dtype=tf.float64)

    @tf.function(input_signature=[_spec([None, 6], tf.float64, "x"),
                                  _spec([None, 5, 5, 2], tf.float64, "image")])
    def serve(self, x, image):
        dense = tf.nn.bias_add(tf.matmul(x, self.w), self.b)
        mean, variance = tf.nn.moments(dense, axes=[1], keepdims=True)
        conv = tf.nn.relu(tf.nn.conv2d(image, self.filters, 1, "SAME"))
        depthwise = tf.nn.depthwise_conv2d(image, self.depthwise, [1, 1, 1, 1], "SAME")
        pairs = tf.reshape(x, [-1, 2, 3])
        return {
            "dense": dense,
            "layer_norm": (dense - mean) * tf.math.rsqrt(variance + 1e-6),
            "softmax": tf.nn.softmax(dense),
            "log_softmax": tf.nn.log_softmax(dense),
            "sigmoid_tanh": tf.sigmoid(dense) + tf.tanh(dense),
            "conv": conv,
            "depthwise": depthwise,
            "max_pool": tf.nn.max_pool2d(conv, 2, 2, "VALID"),
            "avg_pool": tf.nn.avg_pool2d(depthwise, 2, 1, "SAME"),
            "batch_matmul": tf.matmul(pairs, pairs, transpose_b=True),
            "einsum": tf.einsum("bij,bkj->bik", pairs, pairs),
            "sum": tf.reduce_sum(x, axis=1), "mean": tf.reduce_mean(image, axis=[1, 2]),
            "max": tf.reduce_max(x, axis=1), "min": tf.reduce_min(x, axis=0),
            "prod": tf.reduce_prod(x[:, :3], axis=1),
            "math": tf.exp(-tf.abs(x)) + tf.math.log1p(tf.abs(x)) + tf.sqrt(tf.abs(x))
            + tf.math.squared_difference(x, 0.5) + tf.pow(tf.abs(x), 1.5) / (1.0 + x * x),
            "clip": tf.clip_by_value(tf.maximum(x, -1.0), -0.5, tf.minimum(x, 2.0) + 1.0),
            "cumsum": tf.cumsum(x, axis=1),
            "argmax": tf.argmax(dense, axis=1),
            "to_float32": tf.cast(x, tf.float32),
            "from_float32": tf.cast(tf.cast(x, tf.float32), tf.float64) - x,
        }


def module_float64(path):
    m = Float64()
    tf.saved_model.save(m, path, signatures={"serving_default": m.serve})
    return {}


EXPORTERS = [module_multi_signature, module_control_flow, module_stateful_counter, module_dtypes,
             module_unknown_dims, module_image_bytes, module_text_ops, module_special_math,
             module_postprocess, module_ranking, module_image_ops, module_image_resize_kernels,
             module_einsum, module_ragged_text, module_float64]
