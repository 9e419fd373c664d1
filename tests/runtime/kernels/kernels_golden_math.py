#!/usr/bin/env python3
"""Record TensorFlow's outputs for the elementwise math, bitwise, logical-reduction and shape ops
the Keras layer sweep needs (Floor ... Bitcast, BroadcastArgs, SparseMatMul), goldens of
kernels_test.cc.

Run from the repository root:
  .venv/bin/python tests/runtime/kernels/kernels_golden_math.py

Writes tests/runtime/kernels/kernels_golden_math.json in kernels_golden.py's format.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import kernels_golden as kg  # noqa: E402
from kernels_golden import Ints, case, f32, i32, i64  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = os.path.join(HERE, "kernels_golden_math.json")

EDGES = f32([-np.inf, -1e30, -100.5, -2.5, -1.5, -1.0, -0.5, -1e-8, -0.0, 0.0, 1e-8, 0.5, 0.75,
             1.0, 1.5, 2.5, 3.5, 100.5, 1e30, np.inf, np.nan])


def unary_cases():
    rng = np.random.default_rng(77)
    wide = (rng.normal(size=[3, 5]) * 3).astype(np.float32)
    unit = rng.uniform(-1, 1, size=[2, 6]).astype(np.float32)
    for op in ("Floor", "Ceil", "Rint", "Round", "Sign", "Reciprocal", "Inv", "Log1p", "Expm1",
               "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh",
               "Atanh"):
        case(op + "/edges", op, [("x", EDGES)])
        case(op + "/random", op, [("x", wide)])
        case(op + "/unit", op, [("x", unit)])
        case(op + "/double", op, [("x", EDGES.astype(np.float64))])
        case(op + "/empty", op, [("x", np.zeros([0, 3], np.float32))])
    ints = i32([-7, -1, 0, 1, 5, np.iinfo(np.int32).min, np.iinfo(np.int32).max])
    # (Round on integers is not recorded: TF 2.21's raw op answers zeros, and tf.round returns
    # an integer tensor itself without the op; Tern's Round passes integers through.)
    case("Sign/int32", "Sign", [("x", ints)])
    case("Sign/int64", "Sign", [("x", ints.astype(np.int64))])
    for dtype in (np.int8, np.int32, np.int64, np.uint8, np.uint16, np.uint64):
        info = np.iinfo(dtype)
        case("Invert/" + np.dtype(dtype).name, "Invert",
             [("x", np.array([0, 1, 5, info.min, info.max], dtype))])
    case("Invert/err_float", "Invert", [("x", f32([1]))])


def binary_cases():
    rng = np.random.default_rng(78)
    a = (rng.normal(size=[3, 4]) * 5).astype(np.float32)
    b = f32([[2.0, -3.0, 0.0, 0.5]])
    special = f32([0.0, -0.0, 1.0, -2.5, np.inf, -np.inf, np.nan, 3.0])
    special_y = f32([0.0, 2.0, 0.0, np.nan, 0.0, 4.0, 0.0, -np.inf])
    for op in ("Atan2", "DivNoNan", "Xlogy", "Xdivy"):
        case(op + "/broadcast", op, [("y" if op == "Atan2" else "x", a),
                                     ("x" if op == "Atan2" else "y", b)])
        case(op + "/special", op, [("y" if op == "Atan2" else "x", special),
                                   ("x" if op == "Atan2" else "y", special_y)])
        case(op + "/double", op, [("y" if op == "Atan2" else "x", special.astype(np.float64)),
                                  ("x" if op == "Atan2" else "y", special_y.astype(np.float64))])
        case(op + "/err_int", op, [("y" if op == "Atan2" else "x", i32([1])),
                                   ("x" if op == "Atan2" else "y", i32([2]))])
    xi = i32([[-7, 7, -7, 7, 0, np.iinfo(np.int32).min]])
    yi = i32([[5], [-5], [np.iinfo(np.int32).max]])
    for op in ("Div", "TruncateDiv", "TruncateMod", "Mod"):
        case(op + "/int32", op, [("x", xi), ("y", yi)])
        case(op + "/int64", op, [("x", xi.astype(np.int64)), ("y", yi.astype(np.int64))])
        case(op + "/int32_min_by_minus_one", op, [("x", i32([np.iinfo(np.int32).min])),
                                                  ("y", i32([-1]))])
        case(op + "/uint8", op, [("x", np.array([200, 7, 0], np.uint8)),
                                 ("y", np.array([3, 2, 9], np.uint8))])
        if op.endswith("Div"):  # TensorFlow has no CPU kernel for TruncateMod or Mod on half
            case(op + "/half", op, [("x", np.array([-7.5, 7.5, 3], np.float16)),
                                    ("y", np.array([2, -2, 0.5], np.float16))])
        case(op + "/float", op, [("x", f32([-7.5, 7.5, 1.0, -0.0, np.inf, 5.0])),
                                 ("y", f32([2.0, -2.0, 0.0, 3.0, 2.0, np.inf]))])
        case(op + "/double", op, [("x", a.astype(np.float64)), ("y", b.astype(np.float64))])
        if op in ("Div", "Mod"):  # TF's Truncate* answer INTERNAL ("Unexpected error"); Tern
            # refuses a zero integer divisor for all four with "Integer division by zero".
            case(op + "/err_zero", op, [("x", i32([1, 2])), ("y", i32([1, 0]))])
    bits = i32([[0, 1, -1, 0x55555555, np.iinfo(np.int32).min]])
    mask = i32([[0x0F0F0F0F], [-2], [7]])
    for op in ("BitwiseAnd", "BitwiseOr", "BitwiseXor"):
        case(op + "/int32", op, [("x", bits), ("y", mask)])
        case(op + "/uint8", op, [("x", np.array([0xF0, 3, 255], np.uint8)),
                                 ("y", np.array([0x3C, 1, 128], np.uint8))])
        case(op + "/int64", op, [("x", bits.astype(np.int64)), ("y", mask.astype(np.int64))])
        case(op + "/err_float", op, [("x", f32([1])), ("y", f32([2]))])
    shifts = i32([0, 1, 5, 31, 32, 40, -1])
    for op in ("LeftShift", "RightShift"):
        case(op + "/int32", op, [("x", i32([3, -3, 1, -1, 1, -8, 8])), ("y", shifts)])
        case(op + "/int8", op, [("x", np.array([3, -3, 1, -128, 1, 64, 100], np.int8)),
                                ("y", np.array([0, 1, 5, 7, 8, 9, -1], np.int8))])
        case(op + "/uint16", op, [("x", np.array([3, 65535, 1, 0x8000], np.uint16)),
                                  ("y", np.array([1, 4, 15, 16], np.uint16))])
        case(op + "/int64_broadcast", op, [("x", i64([[1], [-1024]])), ("y", i64([0, 3, 63, 64]))])


def other_cases():
    rng = np.random.default_rng(79)
    b = rng.random(size=[2, 3, 4]) > 0.5
    for op in ("Any", "All"):
        for axes in ([0], [1, 2], [-1], []):
            case("%s/axes_%s" % (op, "_".join(map(str, axes)) or "none"), op,
                 [("input", b), ("axis", i32(axes))])
        case(op + "/keep_dims", op, [("input", b), ("axis", i32([1]))], attrs={"keep_dims": True})
        case(op + "/all_true", op, [("input", np.ones([3, 2], bool)), ("axis", i32([0, 1]))])
        case(op + "/empty", op, [("input", np.zeros([0, 3], bool)), ("axis", i32([0]))])
        case(op + "/err_axis", op, [("input", b), ("axis", i32([3]))])
    for dtype in (np.float32, np.float64, np.int32, np.int64, np.uint8, np.float16, bool):
        case("OnesLike/" + np.dtype(dtype).name, "OnesLike", [("x", np.zeros([2, 3], dtype))])
    case("OnesLike/empty", "OnesLike", [("x", np.zeros([0], np.float32))])
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    for name, shape in (("exact", [2, 3]), ("unknown_dim", [None, 3]), ("unknown_rank", None),
                        ("err_dim", [2, 4]), ("err_rank", [6])):
        shape_attr = tf.TensorShape(shape)
        case("EnsureShape/" + name, "EnsureShape", [("input", x)], attrs={"shape": shape_attr})
    logits = (rng.normal(size=[3, 5]) * 10).astype(np.float32)
    case("LogSoftmax/random", "LogSoftmax", [("logits", logits)])
    case("LogSoftmax/large", "LogSoftmax", [("logits", f32([[1000, 0, -1000], [88, 89, 90]]))])
    case("LogSoftmax/double", "LogSoftmax", [("logits", logits.astype(np.float64))])
    case("LogSoftmax/rank3", "LogSoftmax", [("logits", logits.reshape(3, 5, 1) * f32([1, 2]))])
    t = f32([[-3, -1, 0, 1, 3, np.nan]])
    case("ClipByValue/scalars", "ClipByValue",
         [("t", t), ("clip_value_min", np.float32(-1)), ("clip_value_max", np.float32(2))])
    case("ClipByValue/min_above_max", "ClipByValue",
         [("t", t), ("clip_value_min", np.float32(2)), ("clip_value_max", np.float32(-1))])
    case("ClipByValue/elementwise", "ClipByValue",
         [("t", t), ("clip_value_min", f32([[0, 0, -1, 0, 0, 0]])),
          ("clip_value_max", f32([[1, 1, 1, 0.5, 2, 2]]))])
    case("ClipByValue/int32", "ClipByValue",
         [("t", i32([-5, 0, 5])), ("clip_value_min", np.int32(-2)), ("clip_value_max", np.int32(3))])
    case("ClipByValue/err_shape", "ClipByValue",
         [("t", t), ("clip_value_min", f32([0, 1])), ("clip_value_max", np.float32(2))])
    floats = f32([1.0, -2.5, np.inf, 0.0])
    case("Bitcast/float_to_int32", "Bitcast", [("input", floats)], attrs={"type": tf.int32})
    case("Bitcast/float_to_uint8", "Bitcast", [("input", floats)], attrs={"type": tf.uint8})
    case("Bitcast/uint8_to_float", "Bitcast",
         [("input", np.arange(8, dtype=np.uint8).reshape(2, 4))], attrs={"type": tf.float32})
    case("Bitcast/int64_to_double", "Bitcast", [("input", i64([1, -1]))],
         attrs={"type": tf.float64})
    case("Bitcast/double_to_int32", "Bitcast", [("input", np.array([1.5, -0.0]))],
         attrs={"type": tf.int32})
    case("Bitcast/err_last_dim", "Bitcast", [("input", np.zeros([2, 3], np.uint8))],
         attrs={"type": tf.float32})


def module_pattern_cases():
    """Segment reductions, non-max suppression, contrast, ragged ranges and UTF-8 decoding, as
    tf.Module exports use them."""
    rng = np.random.default_rng(80)
    data = (rng.normal(size=[5, 3]) * 4).astype(np.float32)
    ids = i32([2, 0, 2, -1, 1])
    for op in ("UnsortedSegmentSum", "UnsortedSegmentProd", "UnsortedSegmentMax",
               "UnsortedSegmentMin"):
        case(op + "/rows", op, [("data", data), ("segment_ids", ids),
                                ("num_segments", np.int32(4))])
        case(op + "/int64_2d_ids", op, [("data", i64([[1, 2], [3, 4]])),
                                        ("segment_ids", i32([[0, 1], [1, 1]])),
                                        ("num_segments", np.int64(3))])
        case(op + "/double", op, [("data", data.astype(np.float64)), ("segment_ids", ids),
                                  ("num_segments", np.int32(3))])
        case(op + "/err_range", op, [("data", data), ("segment_ids", i32([0, 1, 2, 3, 4])),
                                     ("num_segments", np.int32(4))])
        case(op + "/err_shape", op, [("data", data), ("segment_ids", i32([0, 1])),
                                     ("num_segments", np.int32(4))])
    corners = rng.uniform(0, 10, size=[12, 2]).astype(np.float32)
    boxes = np.concatenate([corners, corners + rng.uniform(1, 4, size=[12, 2])], axis=1)
    boxes = boxes.astype(np.float32)
    boxes[3] = boxes[3][[2, 3, 0, 1]]  # corners the other way round
    boxes[5] = boxes[4] + 0.1  # an overlapping twin
    scores = rng.uniform(0, 1, size=[12]).astype(np.float32)
    scores[7] = scores[8]  # a tie: the lower index ranks first
    base = [("boxes", boxes), ("scores", scores), ("max_output_size", np.int32(6)),
            ("iou_threshold", np.float32(0.2))]
    case("NonMaxSuppressionV2/basic", "NonMaxSuppressionV2", base)
    case("NonMaxSuppressionV3/threshold", "NonMaxSuppressionV3",
         base + [("score_threshold", np.float32(0.3))])
    case("NonMaxSuppressionV3/empty", "NonMaxSuppressionV3",
         [("boxes", np.zeros([0, 4], np.float32)), ("scores", np.zeros([0], np.float32)),
          ("max_output_size", np.int32(3)), ("iou_threshold", np.float32(0.5)),
          ("score_threshold", np.float32(0))])
    case("NonMaxSuppressionV3/err_iou", "NonMaxSuppressionV3",
         base[:3] + [("iou_threshold", np.float32(1.5)), ("score_threshold", np.float32(0))])
    for pad in (False, True):
        case("NonMaxSuppressionV4/pad_%s" % pad, "NonMaxSuppressionV4",
             [("boxes", boxes), ("scores", scores), ("max_output_size", np.int32(10)),
              ("iou_threshold", np.float32(0.1)), ("score_threshold", np.float32(0.2))],
             attrs={"pad_to_max_output_size": pad})
    for sigma in (0.0, 0.5):
        case("NonMaxSuppressionV5/sigma_%s" % sigma, "NonMaxSuppressionV5",
             [("boxes", boxes), ("scores", scores), ("max_output_size", np.int32(8)),
              ("iou_threshold", np.float32(0.3)), ("score_threshold", np.float32(0.05)),
              ("soft_nms_sigma", np.float32(sigma))])
    images = rng.uniform(0, 1, size=[2, 4, 5, 3]).astype(np.float32)
    case("AdjustContrastv2/batch", "AdjustContrastv2",
         [("images", images), ("contrast_factor", np.float32(1.7))])
    case("AdjustContrastv2/single", "AdjustContrastv2",
         [("images", images[0]), ("contrast_factor", np.float32(-0.5))])
    case("AdjustContrastv2/err_rank", "AdjustContrastv2",
         [("images", images[0, 0]), ("contrast_factor", np.float32(2))])
    case("RaggedRange/int32", "RaggedRange",
         [("starts", i32([0, 5, 3, 2])), ("limits", i32([5, 0, 3, 9])), ("deltas", i32([2, -2, 1, 3]))])
    case("RaggedRange/broadcast", "RaggedRange",
         [("starts", np.int64(1)), ("limits", i64([4, 0, 7])), ("deltas", np.int64(2))])
    case("RaggedRange/float_int32_splits", "RaggedRange",
         [("starts", f32([0.5, 1])), ("limits", f32([2.0, -1])), ("deltas", f32([0.4, -0.7]))],
         attrs={"Tsplits": tf.int32})
    case("RaggedRange/err_zero_delta", "RaggedRange",
         [("starts", i32([0])), ("limits", i32([3])), ("deltas", i32([0]))])
    texts = np.array([b"tern", "\u00e9t\u00e9 \U0001F426".encode(), b"", b"a\xffb\xe2\x82",
                      b"\xf0\x9f\x90x", b"\xc0\xaf\xed\xa0\x80z", b"tab\there\x01"],
                     dtype=object)
    for errors in ("replace", "ignore"):
        case("UnicodeDecode/" + errors, "UnicodeDecode", [("input", texts)],
             attrs={"input_encoding": "UTF-8", "errors": errors})
    case("UnicodeDecode/controls_int32_splits", "UnicodeDecode", [("input", texts.reshape(7, 1))],
         attrs={"input_encoding": "UTF-8", "replace_control_characters": True,
                "replacement_char": 63, "Tsplits": tf.int32})
    case("UnicodeDecode/err_strict", "UnicodeDecode", [("input", texts)],
         attrs={"input_encoding": "UTF-8", "errors": "strict"})


def grouped_conv_cases():
    """Conv2D whose filter covers a divisor of the input's channels: Keras' Conv2D(groups=G)."""
    rng = np.random.default_rng(81)
    x = rng.normal(size=[2, 6, 5, 6]).astype(np.float32)
    for name, filt_shape, strides, padding in (("g3_same", [3, 3, 2, 6], 1, "SAME"),
                                               ("g2_valid_s2", [2, 3, 3, 4], 2, "VALID"),
                                               ("g6_depthwise_like", [3, 3, 1, 12], 1, "SAME")):
        case("Conv2D/grouped_" + name, "Conv2D",
             [("input", x), ("filter", rng.normal(size=filt_shape).astype(np.float32))],
             attrs={"strides": Ints([1, strides, strides, 1]), "padding": padding})
    case("Conv2D/grouped_double", "Conv2D",
         [("input", x.astype(np.float64)), ("filter", rng.normal(size=[3, 3, 3, 4]))],
         attrs={"strides": Ints([1, 1, 1, 1]), "padding": "SAME"})


def einsum_diagonal_cases():
    rng = np.random.default_rng(82)
    a = rng.normal(size=[2, 3, 3]).astype(np.float32)
    b = rng.normal(size=[3, 4]).astype(np.float32)
    for eq in ("bii->bi", "bii->b", "bii->", "bii->ib"):
        case("Einsum/" + eq.replace("->", "_to_"), "Einsum", [("inputs", [a])],
             attrs={"equation": eq}, node_attrs={"N": 1})
    c = rng.normal(size=[3, 3, 2]).astype(np.float32)
    case("Einsum/iij_jk_to_ik", "Einsum", [("inputs", [c, b[:2]])],
         attrs={"equation": "iij,jk->ik"}, node_attrs={"N": 2})
    case("Einsum/ii_to_empty_int", "Einsum", [("inputs", [i32([[1, 2], [3, 4]])])],
         attrs={"equation": "ii->"}, node_attrs={"N": 1})


def broadcast_args_sparse_matmul_cases():
    """BroadcastArgs (Keras 3's image and spectrogram layers) and SparseMatMul (tf-keras'
    LocallyConnected layers)."""
    case("BroadcastArgs/int32", "BroadcastArgs", [("s0", i32([2, 1, 3])), ("s1", i32([4, 1]))])
    case("BroadcastArgs/int64", "BroadcastArgs", [("s0", i64([5, 1])), ("s1", i64([1, 7]))],
         node_attrs={"T": tf.int64})
    case("BroadcastArgs/scalar", "BroadcastArgs", [("s0", i32([])), ("s1", i32([3, 0]))])
    case("BroadcastArgs/err_incompatible", "BroadcastArgs", [("s0", i32([2, 3])), ("s1", i32([4]))])
    rng = np.random.default_rng(53)
    a = rng.normal(size=[3, 5]).astype(np.float32)
    b = rng.normal(size=[5, 4]).astype(np.float32)
    a[a < 0] = 0  # sparse, as its name says; the product is the same either way
    case("SparseMatMul/plain", "SparseMatMul", [("a", a), ("b", b)])
    case("SparseMatMul/transposed_sparse_hints", "SparseMatMul", [("a", a.T.copy()), ("b", b.T.copy())],
         attrs={"transpose_a": True, "transpose_b": True, "a_is_sparse": True,
                "b_is_sparse": True})
    case("SparseMatMul/err_inner", "SparseMatMul", [("a", a), ("b", a)])


def main():
    einsum_diagonal_cases()
    grouped_conv_cases()
    module_pattern_cases()
    unary_cases()
    binary_cases()
    other_cases()
    broadcast_args_sparse_matmul_cases()
    kg.write_cases(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
