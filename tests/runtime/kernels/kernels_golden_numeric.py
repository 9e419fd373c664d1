#!/usr/bin/env python3
"""Record TensorFlow's outputs for the activation, classification, layout, index and
transposed-convolution ops of issue #15 (Erfc ... Conv2DBackpropInput) and the 3-D convolutions
and pools (Conv3D, Conv3DBackpropInputV2, MaxPool3D, AvgPool3D) and the stateless Philox ops
(StatelessRandomGetKeyCounter, StatelessRandomUniformV2, StatelessRandomUniformIntV2,
StatelessRandomNormalV2, StatelessRandomGammaV3), the spectrogram ops (RFFT, Real, Imag,
MirrorPad), FNet's Complex and FFT2D and MatrixSolve, goldens of kernels_test.cc.

Run from the repository root:
  .venv/bin/python tests/runtime/kernels/kernels_golden_numeric.py

Writes tests/runtime/kernels/kernels_golden_numeric.json in kernels_golden.py's format, with its
case() helper (attrs left at their OpDef default are omitted, as in an export).
"""

import json
import os
import subprocess
import sys

# TensorFlow's own CPU kernels, not oneDNN's: the oneDNN Conv2DBackpropInput aborts (instead of
# an InvalidArgument naming the mismatch) on the bad shapes the error cases feed it. Valid inputs
# give the same values either way. Only dilated Conv2DBackpropInput needs oneDNN (TensorFlow's
# own CPU kernel refuses dilations; oneDNN, on by default, runs them): those cases are recorded
# by a second run of this script with --dilated, in a process of its own.
DILATED = "--dilated" in sys.argv
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if DILATED else "0"
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import kernels_golden as kg  # noqa: E402
from kernels_golden import Ints, case, f32, i32, i64  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = os.path.join(HERE, "kernels_golden_numeric.json")


def activation_cases():
    edge = f32([[-np.inf, -1e4, -20.0, -2.5], [-1e-8, -0.0, 0.0, 1e-8],
                [0.5, 3.0, 14.0, 16.0], [20.0, 1e4, np.inf, np.nan]])
    rng = np.random.default_rng(15)
    wide = (rng.normal(size=[3, 5]) * 4).astype(np.float32)
    for op in ("Erfc", "Elu", "Selu", "Softplus", "Softsign", "LeakyRelu"):
        arg = "x" if op == "Erfc" else "features"
        case(op + "/edges", op, [(arg, edge)])
        case(op + "/random", op, [(arg, wide)])
        case(op + "/double", op, [(arg, edge.astype(np.float64))])
        case(op + "/empty", op, [(arg, np.zeros([0, 4], np.float32))])
    case("LeakyRelu/alpha", "LeakyRelu", [("features", wide)], attrs={"alpha": 0.01})
    case("LeakyRelu/alpha_above_one", "LeakyRelu", [("features", wide)], attrs={"alpha": 3.0})
    case("LeakyRelu/alpha_double", "LeakyRelu", [("features", wide.astype(np.float64))],
         attrs={"alpha": 0.3})
    # Softplus around its thresholds (log(eps) + 2: about -13.9 for float, -34 for double).
    around = f32([-15, -13.95, -13.9, -13, 13, 13.9, 13.95, 15])
    case("Softplus/thresholds", "Softplus", [("features", around)])
    case("Softplus/thresholds_double", "Softplus",
         [("features", np.array([-36, -34.1, -34, -33, 33, 34, 34.1, 36], np.float64))])
    gamma_in = f32([-2.5, -1.5, -0.5, 1e-6, 0.5, 1, 1.5, 2, 3.7, 10, 100, 1e6])
    for op in ("Lgamma", "Digamma"):
        case(op + "/values", op, [("x", gamma_in)])
        case(op + "/double", op, [("x", gamma_in.astype(np.float64))])
        case(op + "/poles", op, [("x", f32([0, -0.0, -1, -2, np.inf, -np.inf, np.nan]))])
    base = f32([[-2, -0.5, 0, 0.5, 3, np.inf, -np.inf, np.nan, 1, 1e10]])
    expo = f32([[3], [0.5], [-1], [0], [2.5], [np.nan]])
    case("Pow/float_broadcast", "Pow", [("x", base), ("y", expo)])
    case("Pow/double", "Pow", [("x", base.astype(np.float64)), ("y", expo.astype(np.float64))])
    case("Pow/cube", "Pow", [("x", wide), ("y", np.float32(3))])
    case("Pow/int32_wraps", "Pow", [("x", i32([2, -3, 0, 7, -1, 46341])), ("y", i32([31, 3, 0, 2, 5, 2]))])
    case("Pow/int64", "Pow", [("x", i64([[2], [-5]])), ("y", i64([0, 1, 63]))])
    case("Pow/err_negative_int", "Pow", [("x", i32([2, 3])), ("y", i32([1, -1]))])
    cls = f32([[np.nan, np.inf, -np.inf], [0, -1e38, 1e-45]])
    for op in ("IsNan", "IsInf", "IsFinite"):
        case(op + "/float", op, [("x", cls)])
        case(op + "/double", op, [("x", cls.astype(np.float64))])
        case(op + "/half", op, [("x", cls.astype(np.float16))])
        case(op + "/empty", op, [("x", np.zeros([2, 0], np.float32))])


def layout_cases():
    x = np.arange(2 * 4 * 5, dtype=np.float32).reshape(2, 4, 5) - 7.5
    for lo, up in ((-1, 0), (0, -1), (1, 2), (0, 0), (-1, -1), (4, 5), (2, 0)):
        case("MatrixBandPart/%d_%d" % (lo, up), "MatrixBandPart",
             [("input", x), ("num_lower", np.int64(lo)), ("num_upper", np.int64(up))])
    case("MatrixBandPart/int32_wide", "MatrixBandPart",
         [("input", np.arange(12, dtype=np.int32).reshape(2, 6)), ("num_lower", np.int32(1)),
          ("num_upper", np.int32(3))])
    case("MatrixBandPart/bool", "MatrixBandPart",
         [("input", np.ones([3, 3], bool)), ("num_lower", np.int32(-1)),
          ("num_upper", np.int32(0))])
    case("MatrixBandPart/empty", "MatrixBandPart",
         [("input", np.zeros([0, 3, 3], np.float32)), ("num_lower", np.int32(1)),
          ("num_upper", np.int32(1))])
    case("MatrixBandPart/err_rank", "MatrixBandPart",
         [("input", f32([1, 2])), ("num_lower", np.int32(0)), ("num_upper", np.int32(0))])
    case("MatrixBandPart/err_lower", "MatrixBandPart",
         [("input", x), ("num_lower", np.int64(5)), ("num_upper", np.int64(0))])
    case("MatrixBandPart/err_upper", "MatrixBandPart",
         [("input", x), ("num_lower", np.int64(0)), ("num_upper", np.int64(6))])
    case("MatrixBandPart/err_not_scalar", "MatrixBandPart",
         [("input", x), ("num_lower", i64([0])), ("num_upper", np.int64(0))])

    for name, axes in (("axis0", [0]), ("last", [-1]), ("two", [0, 2]), ("all", [2, 1, 0]),
                       ("none", [])):
        case("ReverseV2/" + name, "ReverseV2", [("tensor", x), ("axis", i32(axes))])
    case("ReverseV2/int64_axis_strings", "ReverseV2",
         [("tensor", np.array([[b"a", b"b", b"c"], [b"d", b"e", b"f"]])), ("axis", i64([1]))])
    case("ReverseV2/int8", "ReverseV2",
         [("tensor", np.array([1, 2, 3], np.int8)), ("axis", i32([0]))])
    case("ReverseV2/empty", "ReverseV2", [("tensor", np.zeros([2, 0], np.float32)),
                                          ("axis", i32([1]))])
    case("ReverseV2/err_duplicate", "ReverseV2", [("tensor", x), ("axis", i32([0, -3]))])
    case("ReverseV2/err_range", "ReverseV2", [("tensor", x), ("axis", i32([3]))])

    case("BroadcastTo/row", "BroadcastTo", [("input", f32([1, 2, 3])), ("shape", i32([2, 3]))])
    case("BroadcastTo/col_int64", "BroadcastTo",
         [("input", i64([[1], [2]])), ("shape", i64([2, 4]))])
    case("BroadcastTo/middle", "BroadcastTo",
         [("input", np.arange(6, dtype=np.float32).reshape(2, 1, 3)), ("shape", i32([4, 2, 2, 3]))])
    case("BroadcastTo/scalar", "BroadcastTo", [("input", np.float32(7)), ("shape", i32([2, 2]))])
    case("BroadcastTo/same", "BroadcastTo", [("input", f32([[1, 2]])), ("shape", i32([1, 2]))])
    case("BroadcastTo/to_zero", "BroadcastTo", [("input", f32([[1, 2]])), ("shape", i32([0, 2]))])
    case("BroadcastTo/strings", "BroadcastTo",
         [("input", np.array([b"x", b"y"])), ("shape", i32([2, 2]))])
    case("BroadcastTo/err_incompatible", "BroadcastTo",
         [("input", f32([1, 2])), ("shape", i32([3]))])
    case("BroadcastTo/err_rank", "BroadcastTo", [("input", f32([[1, 2]])), ("shape", i32([2]))])
    case("BroadcastTo/err_negative", "BroadcastTo", [("input", f32([1, 2])), ("shape", i32([-1, 2]))])


def index_cases():
    m = f32([[1, 5, 5, -2], [np.nan, 3, 9, 9], [-np.inf, -np.inf, -1, -7]])
    for op in ("ArgMax", "ArgMin"):
        case(op + "/last", op, [("input", m), ("dimension", np.int32(-1))])
        case(op + "/first", op, [("input", m), ("dimension", np.int64(0))])
        case(op + "/int32_out", op, [("input", m), ("dimension", np.int32(1))],
             attrs={"output_type": tf.int32})
        case(op + "/int32_in", op, [("input", i32([[3, -1, 3], [0, 0, 0]])), ("dimension", np.int32(1))])
        case(op + "/uint8", op, [("input", np.array([0, 255, 255, 0], np.uint8)),
                                 ("dimension", np.int32(0))])
        case(op + "/nan_first", op, [("input", f32([np.nan, 1, 3, -2])), ("dimension", np.int32(0))])
        case(op + "/all_nan", op, [("input", f32([np.nan, np.nan])), ("dimension", np.int32(0))])
        case(op + "/rank3", op, [("input", np.arange(24, dtype=np.float64).reshape(2, 3, 4) % 5),
                                 ("dimension", np.int32(1))])
        case(op + "/err_dim", op, [("input", m), ("dimension", np.int32(2))])
        case(op + "/err_empty", op, [("input", np.zeros([2, 0], np.float32)),
                                     ("dimension", np.int32(1))])

    row = f32([[1, 5, 3, 5, 2, 0, 9], [4, 4, 4, 4, -1, 4, 8]])
    for k in (0, 1, 3, 7):
        case("TopKV2/k%d" % k, "TopKV2", [("input", row), ("k", np.int32(k))])
    case("TopKV2/int32", "TopKV2", [("input", i32([[3, -1, 3, 7], [0, 0, 0, 0]])), ("k", np.int32(2))])
    case("TopKV2/double_rank3", "TopKV2",
         [("input", np.random.default_rng(3).normal(size=[2, 3, 6])), ("k", np.int32(4))])
    case("TopKV2/unsorted_all", "TopKV2", [("input", row), ("k", np.int32(7))],
         attrs={"sorted": False})
    case("TopKV2/unsorted_one", "TopKV2", [("input", row), ("k", np.int32(1))],
         attrs={"sorted": False})
    case("TopKV2/inf", "TopKV2", [("input", f32([-np.inf, 2, np.inf, -1])), ("k", np.int32(3))])
    case("TopKV2/err_k", "TopKV2", [("input", row), ("k", np.int32(8))])
    case("TopKV2/err_negative_k", "TopKV2", [("input", row), ("k", np.int32(-1))])
    case("TopKV2/err_scalar", "TopKV2", [("input", np.float32(1)), ("k", np.int32(1))])

    p = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 3.5
    case("GatherNd/full", "GatherNd", [("params", p), ("indices", i32([[1, 2, 3], [0, 0, 1]]))])
    case("GatherNd/rows", "GatherNd", [("params", p), ("indices", i64([[[1], [0]], [[1], [1]]]))])
    case("GatherNd/pairs", "GatherNd", [("params", p), ("indices", i32([[0, 2], [1, 0]]))])
    case("GatherNd/depth0", "GatherNd", [("params", p[0]), ("indices", np.zeros([2, 0], np.int32))])
    case("GatherNd/strings", "GatherNd",
         [("params", np.array([[b"a", b"b"], [b"c", b"d"]])), ("indices", i32([[1, 0], [0, 1]]))])
    case("GatherNd/empty_indices", "GatherNd", [("params", p), ("indices", np.zeros([0, 2], np.int32))])
    case("GatherNd/err_range", "GatherNd", [("params", p), ("indices", i32([[0, 1], [0, 3]]))])
    case("GatherNd/err_negative", "GatherNd", [("params", p), ("indices", i32([[-1]]))])
    case("GatherNd/err_depth", "GatherNd", [("params", p[0]), ("indices", i32([[0, 0, 0]]))])
    case("GatherNd/err_scalar_indices", "GatherNd", [("params", p), ("indices", np.int32(0))])

    case("ScatterNd/vector", "ScatterNd",
         [("indices", i32([[4], [3], [1], [7]])), ("updates", f32([9, 10, 11, 12])),
          ("shape", i32([8]))])
    case("ScatterNd/duplicates_add", "ScatterNd",
         [("indices", i64([[1], [1], [0], [1]])), ("updates", f32([0.5, 0.25, 3, 1e-8])),
          ("shape", i64([3]))])
    case("ScatterNd/slices", "ScatterNd",
         [("indices", i32([[0], [2]])), ("updates", f32([[5, 5, 5, 5], [6, 6, 6, 6]])),
          ("shape", i32([4, 4]))])
    case("ScatterNd/int32_pairs", "ScatterNd",
         [("indices", i32([[[0, 1]], [[1, 0]]])), ("updates", i32([[2147483647], [3]])),
          ("shape", i32([2, 2]))])
    case("ScatterNd/int32_wraps", "ScatterNd",
         [("indices", i32([[0], [0]])), ("updates", i32([2147483647, 1])), ("shape", i32([1]))])
    case("ScatterNd/empty_updates", "ScatterNd",
         [("indices", np.zeros([0, 1], np.int32)), ("updates", np.zeros([0], np.float64)),
          ("shape", i32([3]))])
    case("ScatterNd/err_range", "ScatterNd",
         [("indices", i32([[5]])), ("updates", f32([1])), ("shape", i32([4]))])
    case("ScatterNd/err_updates_shape", "ScatterNd",
         [("indices", i32([[1]])), ("updates", f32([1, 2])), ("shape", i32([4]))])
    case("ScatterNd/err_empty_output", "ScatterNd",
         [("indices", i32([[1]])), ("updates", f32([1])), ("shape", i32([0]))])

    c = f32([[1, 2, 3], [0.5, -2, 4]])
    for attrs in ({}, {"exclusive": True}, {"reverse": True}, {"exclusive": True, "reverse": True}):
        suffix = "_".join(sorted(attrs)) or "plain"
        case("Cumprod/" + suffix, "Cumprod", [("x", c), ("axis", np.int32(1))], attrs=attrs)
    case("Cumprod/axis0_int64", "Cumprod", [("x", i64([[2, 3], [4, -5]])), ("axis", np.int64(0))])
    case("Cumprod/int32_wraps", "Cumprod", [("x", i32([65536, 65536, 3])), ("axis", np.int32(0))])
    case("Cumprod/double", "Cumprod", [("x", c.astype(np.float64)), ("axis", np.int32(-1))])
    case("Cumprod/err_axis", "Cumprod", [("x", c), ("axis", np.int32(2))])


def conv_transpose_cases(dilated=False):
    """Conv2DBackpropInput as Keras' Conv2DTranspose calls it, and TF's shape checks; with
    `dilated`, only the dilated cases (run under oneDNN)."""
    rng = np.random.default_rng(21 + dilated)

    def conv_t(name, in_shape, k, out_c, pad, s, d=(1, 1), sizes=None, **extra):
        in_h, in_w = in_shape
        filt = rng.normal(size=[k[0], k[1], 3, out_c]).astype(np.float32)
        # out_backprop has the Conv2D output shape for an input of in_shape.
        eff = [(k[i] - 1) * d[i] + 1 for i in range(2)]
        if pad == "SAME":
            oh, ow = -(-in_h // s[0]), -(-in_w // s[1])
        else:
            p = extra.get("explicit_paddings", [0] * 8)
            oh = (in_h + p[2] + p[3] - eff[0]) // s[0] + 1
            ow = (in_w + p[4] + p[5] - eff[1]) // s[1] + 1
        grad = rng.normal(size=[2, oh, ow, out_c]).astype(np.float32)
        attrs = {"strides": Ints([1, s[0], s[1], 1]), "padding": pad}
        if d != (1, 1):
            attrs["dilations"] = Ints([1, d[0], d[1], 1])
        attrs.update(extra)
        case("Conv2DBackpropInput/" + name, "Conv2DBackpropInput",
             [("input_sizes", sizes if sizes is not None else i32([2, in_h, in_w, 3])),
              ("filter", filt), ("out_backprop", grad)], attrs=attrs)

    if dilated:
        conv_t("dilated_same", (7, 7), (3, 3), 2, "SAME", (1, 1), d=(2, 2))
        conv_t("dilated_valid", (9, 7), (3, 2), 2, "VALID", (1, 1), d=(2, 3))
        conv_t("dilated_strided", (9, 8), (2, 3), 3, "SAME", (2, 1), d=(1, 2))
        return
    conv_t("same_s1", (5, 6), (3, 3), 4, "SAME", (1, 1))
    conv_t("same_s2", (8, 8), (3, 3), 4, "SAME", (2, 2))
    conv_t("same_s2_odd", (7, 9), (3, 2), 2, "SAME", (2, 2))
    conv_t("valid_s2", (9, 8), (3, 3), 5, "VALID", (2, 2))
    conv_t("valid_s2_extra", (10, 9), (3, 3), 5, "VALID", (2, 2))  # a row the window skips
    conv_t("valid_s3_k2", (6, 6), (2, 2), 1, "VALID", (3, 3))
    conv_t("same_4x4_s2", (8, 6), (4, 4), 3, "SAME", (2, 2))
    conv_t("err_sizes_int64", (5, 5), (3, 3), 2, "SAME", (2, 2), sizes=i64([2, 5, 5, 3]))
    conv_t("sizes_hw_only", (5, 5), (3, 3), 2, "SAME", (2, 2), sizes=i32([5, 5]))
    conv_t("explicit", (6, 5), (3, 3), 2, "EXPLICIT", (1, 2),
           explicit_paddings=Ints([0, 0, 1, 2, 0, 1, 0, 0]))
    filt = rng.normal(size=[3, 3, 3, 4]).astype(np.float32)
    case("Conv2DBackpropInput/double", "Conv2DBackpropInput",
         [("input_sizes", i32([1, 4, 4, 3])), ("filter", filt.astype(np.float64)),
          ("out_backprop", rng.normal(size=[1, 2, 2, 4]))],
         attrs={"strides": Ints([1, 2, 2, 1]), "padding": "SAME"})
    case("Conv2DBackpropInput/empty_batch", "Conv2DBackpropInput",
         [("input_sizes", i32([0, 4, 4, 3])), ("filter", filt),
          ("out_backprop", np.zeros([0, 2, 2, 4], np.float32))],
         attrs={"strides": Ints([1, 2, 2, 1]), "padding": "SAME"})
    case("Conv2DBackpropInput/err_out_size", "Conv2DBackpropInput",
         [("input_sizes", i32([1, 4, 4, 3])), ("filter", filt),
          ("out_backprop", np.zeros([1, 3, 2, 4], np.float32))],
         attrs={"strides": Ints([1, 2, 2, 1]), "padding": "SAME"})
    case("Conv2DBackpropInput/err_depth", "Conv2DBackpropInput",
         [("input_sizes", i32([1, 4, 4, 2])), ("filter", filt),
          ("out_backprop", np.zeros([1, 2, 2, 4], np.float32))],
         attrs={"strides": Ints([1, 2, 2, 1]), "padding": "SAME"})
    case("Conv2DBackpropInput/err_out_depth", "Conv2DBackpropInput",
         [("input_sizes", i32([1, 4, 4, 3])), ("filter", filt),
          ("out_backprop", np.zeros([1, 2, 2, 5], np.float32))],
         attrs={"strides": Ints([1, 2, 2, 1]), "padding": "SAME"})


def volume_cases(dilated=False):
    """The 3-D ops of Keras' Conv3D, Conv3DTranspose, MaxPooling3D and AveragePooling3D; with
    `dilated`, only the dilated Conv3D (TensorFlow's own CPU kernel refuses dilations, oneDNN runs
    them)."""
    rng = np.random.default_rng(33 + dilated)

    def conv(name, shape, k, oc, pad, s, d=(1, 1, 1), dtype=np.float32):
        inp = rng.normal(size=shape).astype(dtype)
        filt = rng.normal(size=[*k, shape[4], oc]).astype(dtype)
        attrs = {"strides": Ints([1, *s, 1]), "padding": pad}
        if d != (1, 1, 1):
            attrs["dilations"] = Ints([1, *d, 1])
        case("Conv3D/" + name, "Conv3D", [("input", inp), ("filter", filt)], attrs=attrs)

    if dilated:
        conv("dilated", [1, 7, 7, 7, 2], (2, 3, 2), 3, "VALID", (1, 1, 1), d=(2, 2, 3))
        conv("dilated_same", [1, 6, 5, 7, 2], (3, 2, 2), 2, "SAME", (1, 2, 1), d=(2, 1, 2))
        return
    x = rng.normal(size=[2, 5, 6, 7, 3]).astype(np.float32)
    for pad in ("VALID", "SAME"):
        for k, s in (((2, 2, 2), (2, 2, 2)), ((3, 2, 3), (1, 2, 3)), ((1, 1, 1), (1, 1, 1))):
            name = "%s_k%d%d%d_s%d%d%d" % ((pad,) + k + s)
            attrs = {"ksize": Ints([1, *k, 1]), "strides": Ints([1, *s, 1]), "padding": pad}
            case("MaxPool3D/" + name, "MaxPool3D", [("input", x)], attrs=attrs)
            case("AvgPool3D/" + name, "AvgPool3D", [("input", x)], attrs=attrs)
    pool = {"ksize": Ints([1, 2, 2, 2, 1]), "strides": Ints([1, 2, 2, 2, 1]), "padding": "VALID"}
    case("MaxPool3D/neg_inf", "MaxPool3D",
         [("input", np.full([1, 2, 2, 2, 1], -np.inf, np.float32))], attrs=pool)
    case("MaxPool3D/empty_batch", "MaxPool3D", [("input", np.zeros([0, 4, 4, 4, 2], np.float32))],
         attrs=pool)
    case("AvgPool3D/window_wider_than_input", "AvgPool3D", [("input", x[:, :1])], attrs=pool)
    case("AvgPool3D/err_window", "AvgPool3D", [("input", x[:, :1])],
         attrs={**pool, "ksize": Ints([1, 3, 2, 2, 1]), "strides": Ints([1, 1, 1, 1, 1])})
    case("MaxPool3D/err_rank", "MaxPool3D", [("input", x[0])], attrs=pool)

    conv("valid_s1", [2, 5, 6, 7, 3], (3, 3, 3), 4, "VALID", (1, 1, 1))
    conv("same_s1", [1, 5, 6, 7, 3], (3, 3, 3), 4, "SAME", (1, 1, 1))
    conv("same_s2", [2, 5, 6, 7, 2], (3, 2, 3), 5, "SAME", (2, 2, 2))
    conv("valid_s2_1x1x1", [1, 4, 4, 4, 3], (1, 1, 1), 2, "VALID", (2, 1, 2))
    conv("double", [1, 4, 5, 4, 2], (2, 2, 2), 3, "SAME", (1, 2, 1), dtype=np.float64)
    case("Conv3D/err_channels", "Conv3D",
         [("input", x), ("filter", np.zeros([2, 2, 2, 2, 4], np.float32))],
         attrs={"strides": Ints([1, 1, 1, 1, 1]), "padding": "VALID"})
    case("Conv3D/err_filter_rank", "Conv3D",
         [("input", x), ("filter", np.zeros([2, 2, 3, 4], np.float32))],
         attrs={"strides": Ints([1, 1, 1, 1, 1]), "padding": "VALID"})

    def conv_t(name, in_shape, k, oc, pad, s, sizes_dtype=np.int32, grad_shape=None):
        filt = rng.normal(size=[*k, in_shape[4], oc]).astype(np.float32)
        if pad == "SAME":
            out = [-(-in_shape[i + 1] // s[i]) for i in range(3)]
        else:
            out = [(in_shape[i + 1] - k[i]) // s[i] + 1 for i in range(3)]
        grad = rng.normal(size=grad_shape or [in_shape[0], *out, oc]).astype(np.float32)
        case("Conv3DBackpropInputV2/" + name, "Conv3DBackpropInputV2",
             [("input_sizes", np.array(in_shape, sizes_dtype)), ("filter", filt),
              ("out_backprop", grad)],
             attrs={"strides": Ints([1, *s, 1]), "padding": pad})

    conv_t("same_s2", [2, 4, 6, 5, 3], (3, 3, 3), 4, "SAME", (2, 2, 2))
    conv_t("same_s1", [1, 3, 4, 5, 2], (2, 3, 2), 3, "SAME", (1, 1, 1))
    conv_t("valid_s2", [1, 7, 6, 5, 2], (3, 2, 3), 2, "VALID", (2, 2, 1))
    conv_t("valid_extra_row", [1, 8, 6, 6, 1], (3, 3, 3), 2, "VALID", (2, 2, 2))
    conv_t("sizes_int64", [1, 4, 4, 4, 2], (2, 2, 2), 3, "SAME", (2, 2, 2), sizes_dtype=np.int64)
    conv_t("err_out_size", [1, 4, 4, 4, 2], (2, 2, 2), 3, "SAME", (2, 2, 2),
           grad_shape=[1, 2, 3, 2, 3])


def stateless_random_cases():
    """The Philox stream of tf.random.stateless_uniform (Keras 3's random image layers):
    StatelessRandomGetKeyCounter, then StatelessRandomUniformV2 at the key and counter."""
    for name, seed in (("int32", i32([1, 2])), ("int32_negative", i32([-7, 2147483647])),
                       ("int64", i64([123456789012, -5])), ("zeros", i64([0, 0]))):
        case("StatelessRandomGetKeyCounter/" + name, "StatelessRandomGetKeyCounter",
             [("seed", seed)])
    case("StatelessRandomGetKeyCounter/err_shape", "StatelessRandomGetKeyCounter",
         [("seed", i32([1, 2, 3]))])
    key, counter = tf.raw_ops.StatelessRandomGetKeyCounter(seed=i32([1337, 42]))
    key, counter = key.numpy(), counter.numpy()
    u64 = lambda v: np.array(v, np.uint64)  # noqa: E731

    def uniform(name, shape, dtype=tf.float32, k=key, c=counter, alg=np.int32(3)):
        attrs = {} if dtype == tf.float32 else {"dtype": dtype}
        case("StatelessRandomUniformV2/" + name, "StatelessRandomUniformV2",
             [("shape", shape), ("key", k), ("counter", c), ("alg", alg)], attrs=attrs)

    uniform("float_auto", i32([3, 5]))
    uniform("float_philox", i32([7]), alg=np.int32(1))
    uniform("float_scalar", i32([]))
    uniform("double", i64([2, 5]), dtype=tf.float64)
    uniform("half", i32([9]), dtype=tf.float16)
    uniform("empty", i32([0, 3]))
    # A counter about to carry out of its low 64 bits.
    uniform("counter_carry", i32([2, 6]), c=u64([2**64 - 2, 5]))
    uniform("counter_zero_key_max", i32([5]), k=u64([2**64 - 1]), c=u64([0, 0]))
    uniform("err_alg", i32([3]), alg=np.int32(7))
    uniform("err_key_shape", i32([3]), k=u64([1, 2]))


def more_stateless_random_cases():
    """The other Philox draws of Keras 3's image augmentation layers: integers
    (StatelessRandomUniformIntV2), normals (StatelessRandomNormalV2, Box-Muller) and gammas
    (StatelessRandomGammaV3, Marsaglia-Tsang with rejections), at one key and counter."""
    key, counter = tf.raw_ops.StatelessRandomGetKeyCounter(seed=i32([1337, 42]))
    key, counter = key.numpy(), counter.numpy()
    u64 = lambda v: np.array(v, np.uint64)  # noqa: E731
    alg = np.int32(3)

    def ints(name, shape, lo, hi, dtype, c=counter):
        case("StatelessRandomUniformIntV2/" + name, "StatelessRandomUniformIntV2",
             [("shape", shape), ("key", key), ("counter", c), ("alg", alg),
              ("minval", np.array(lo, dtype)), ("maxval", np.array(hi, dtype))],
             node_attrs={"dtype": tf.as_dtype(dtype)})

    ints("int32", i32([3, 5]), -7, 20, np.int32)
    ints("int32_full_range", i32([9]), -2**31, 2**31 - 1, np.int32)
    ints("int64", i32([7]), -5, 10**12, np.int64)
    ints("int64_full_range", i64([5]), -2**63, 2**63 - 1, np.int64)
    ints("one_value", i32([4]), 3, 4, np.int32)
    ints("counter_carry", i32([2, 6]), 0, 100, np.int32, c=u64([2**64 - 2, 5]))
    ints("empty_bad_range", i32([0]), 5, 5, np.int32)
    ints("err_range", i32([3]), 5, 5, np.int32)
    ints("err_minval_shape", i32([3]), [1, 2], 5, np.int32)

    def normal(name, shape, dtype=tf.float32, c=counter, a=alg):
        attrs = {} if dtype == tf.float32 else {"dtype": dtype}
        case("StatelessRandomNormalV2/" + name, "StatelessRandomNormalV2",
             [("shape", shape), ("key", key), ("counter", c), ("alg", a)], attrs=attrs)

    normal("float", i32([3, 7]))
    normal("double", i32([5]), dtype=tf.float64)
    normal("half", i32([9]), dtype=tf.float16)
    normal("counter_carry", i32([10]), c=u64([2**64 - 3, 0]))
    normal("empty", i32([2, 0]))
    normal("err_alg", i32([2]), a=np.int32(7))

    def gamma(name, shape, alpha, dtype=np.float32):
        case("StatelessRandomGammaV3/" + name, "StatelessRandomGammaV3",
             [("shape", shape), ("key", key), ("counter", counter), ("alg", alg),
              ("alpha", np.array(alpha, dtype))], node_attrs={"dtype": tf.as_dtype(dtype)})

    gamma("alphas", i32([4, 5]), [0.3, 1.0, 2.5, 40.0, 0.05])
    gamma("scalar_alpha", i32([6]), 0.7)
    gamma("double", i32([3, 2]), [1.5, 0.9], np.float64)
    gamma("half", i32([2, 2]), [1.0, 3.0], np.float16)
    gamma("empty", i32([0, 2]), [1.0, 3.0])
    gamma("err_shape", i32([3, 4]), [1.0, 2.0])


def signal_cases():
    """tf.signal's pieces in Keras 3's MelSpectrogram and STFTSpectrogram: RFFT (whole and
    cropped signals, odd lengths; a short signal is an error, tf.signal pads before the op),
    Real and Imag of its complex output, MirrorPad."""
    rng = np.random.default_rng(51)
    frames = rng.normal(size=[2, 3, 16]).astype(np.float32)

    def rfft(name, x, n):
        case("RFFT/" + name, "RFFT", [("input", x), ("fft_length", i32([n]))])

    rfft("frames", frames, 16)
    rfft("err_too_short", frames, 24)
    rfft("cropped_odd", frames, 9)
    rfft("length_one", frames[:, :, :1], 1)
    rfft("long", (rng.normal(size=[1, 256]) * 100).astype(np.float32), 256)
    rfft("empty_batch", np.zeros([0, 8], np.float32), 8)
    case("RFFT/double", "RFFT", [("input", frames.astype(np.float64)), ("fft_length", i32([12]))],
         attrs={"Tcomplex": tf.complex128}, node_attrs={"Treal": tf.float64})
    spectrum = tf.signal.rfft(frames[0]).numpy()
    for op in ("Real", "Imag"):
        case(op + "/complex64", op, [("input", spectrum)])
        case(op + "/complex128", op, [("input", spectrum.astype(np.complex128))],
             attrs={"Tout": tf.float64}, node_attrs={"T": tf.complex128})
        case(op + "/empty", op, [("input", np.zeros([0, 2], np.complex64))])
    # Complex and FFT2D: keras_hub's FNet mixes tokens with the real part of a 2-D FFT.
    re = rng.normal(size=[2, 3, 5]).astype(np.float32)
    case("Complex/broadcast", "Complex", [("real", re), ("imag", re[:1, :1, :])])
    case("Complex/double", "Complex", [("real", re.astype(np.float64)),
                                       ("imag", np.float64(0.5))],
         attrs={"Tout": tf.complex128}, node_attrs={"T": tf.float64})
    case("Complex/err_shapes", "Complex", [("real", re), ("imag", re[:, :2])])
    signal = (re + 1j * rng.normal(size=[2, 3, 5])).astype(np.complex64)
    case("FFT2D/batch", "FFT2D", [("input", signal)])
    case("FFT2D/fnet_12x16", "FFT2D",
         [("input", (rng.normal(size=[1, 12, 16]) * 10).astype(np.complex64))])
    case("FFT2D/double", "FFT2D", [("input", signal.astype(np.complex128))],
         node_attrs={"Tcomplex": tf.complex128})
    case("FFT2D/empty", "FFT2D", [("input", np.zeros([0, 3, 4], np.complex64))])
    x = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    for mode in ("REFLECT", "SYMMETRIC"):
        m = mode.lower()
        case("MirrorPad/%s_3d" % m, "MirrorPad",
             [("input", x), ("paddings", i32([[1, 1], [2, 0], [0, 3]]))], attrs={"mode": mode})
        case("MirrorPad/%s_int64_paddings" % m, "MirrorPad",
             [("input", np.arange(5, dtype=np.int32)), ("paddings", i64([[2, 3]]))],
             attrs={"mode": mode})
        case("MirrorPad/%s_strings" % m, "MirrorPad",
             [("input", np.array([b"a", b"b", b"c"])), ("paddings", i32([[1, 2]]))],
             attrs={"mode": mode})
        case("MirrorPad/%s_pad_of_dim" % m, "MirrorPad",
             [("input", x), ("paddings", i32([[0, 0], [3, 0], [0, 0]]))], attrs={"mode": mode})
    # REFLECT refuses a pad as wide as the dimension, SYMMETRIC takes it.
    case("MirrorPad/symmetric_full_width", "MirrorPad",
         [("input", x), ("paddings", i32([[2, 2], [3, 3], [0, 4]]))], attrs={"mode": "SYMMETRIC"})
    case("MirrorPad/reflect_scalar", "MirrorPad",
         [("input", np.float32(3)), ("paddings", np.zeros([0, 2], np.int32))],
         attrs={"mode": "REFLECT"})


def matrix_solve_cases():
    """MatrixSolve (Keras 3's RandomPerspective): batches, adjoint, several right-hand sides, a
    singular matrix."""
    rng = np.random.default_rng(52)
    a = rng.normal(size=[3, 4, 4]).astype(np.float32)
    b = rng.normal(size=[3, 4, 2]).astype(np.float32)
    case("MatrixSolve/batch", "MatrixSolve", [("matrix", a), ("rhs", b)])
    case("MatrixSolve/adjoint", "MatrixSolve", [("matrix", a), ("rhs", b)],
         attrs={"adjoint": True})
    case("MatrixSolve/double", "MatrixSolve",
         [("matrix", a[0].astype(np.float64)), ("rhs", b[0].astype(np.float64))],
         node_attrs={"T": tf.float64})
    case("MatrixSolve/perspective_8x8", "MatrixSolve",
         [("matrix", rng.normal(size=[2, 8, 8]).astype(np.float32)),
          ("rhs", rng.normal(size=[2, 8, 1]).astype(np.float32))])
    case("MatrixSolve/empty_rhs", "MatrixSolve",
         [("matrix", a), ("rhs", np.zeros([3, 4, 0], np.float32))])
    case("MatrixSolve/err_singular", "MatrixSolve",
         [("matrix", f32([[1, 2], [2, 4]])), ("rhs", f32([[1], [2]]))])
    case("MatrixSolve/err_shapes", "MatrixSolve", [("matrix", a), ("rhs", b[:2])])


def main():
    if DILATED:
        conv_transpose_cases(dilated=True)
        volume_cases(dilated=True)
        print(json.dumps(kg.CASES))
        return 0
    activation_cases()
    layout_cases()
    index_cases()
    conv_transpose_cases()
    volume_cases()
    stateless_random_cases()
    more_stateless_random_cases()
    signal_cases()
    matrix_solve_cases()
    dilated = subprocess.run([sys.executable, __file__, "--dilated"], check=True,
                             capture_output=True, text=True,
                             env={**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1"}).stdout
    kg.CASES.extend(json.loads(dilated.strip().splitlines()[-1]))
    kg.write_cases(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
