#!/usr/bin/env python3
"""Record TensorFlow's outputs for the ops Tern runs on bfloat16 and float16 (Keras' mixed
precision policies compute in them), goldens of kernels_test.cc.

Run from the repository root:
  .venv/bin/python tests/runtime/kernels/kernels_golden_narrow.py

Writes tests/runtime/kernels/kernels_golden_narrow.json in kernels_golden.py's format, with its
case() helper. TensorFlow runs with its defaults (oneDNN on), as when it serves a model.

Outputs in half and bfloat16 are compared bit for bit unless a case says `max_ulp`, with the
reason next to it. TensorFlow's CPU kernels accumulate some float16 sums in float16 (Sum, Mean,
AvgPool, DepthwiseConv2dNative, Einsum), where Tern sums in float and rounds once: those cases
feed multiples of 1/4 small enough that every partial sum is exact in float16, so both agree
exactly; on arbitrary data the two differ by a few ulps (tests/conformance allows for it).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import kernels_golden as kg  # noqa: E402
from kernels_golden import Ints, case, f32, i32  # noqa: E402

import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = os.path.join(HERE, "kernels_golden_narrow.json")
BF16 = ml_dtypes.bfloat16
NARROW = {"bf16": BF16, "f16": np.float16}
RNG = np.random.default_rng(1515)


def rnd(shape, scale=1.0):
    return (RNG.normal(size=shape) * scale).astype(np.float32)


def quarters(shape, limit=8):
    """Multiples of 1/4 in [-limit/4, limit/4]: their sums stay exact in float16."""
    return (RNG.integers(-limit, limit + 1, size=shape) / 4).astype(np.float32)


# Zeros of both signs, infinities, NaN, values near 1, each type's largest finite values and
# float16 subnormals (6e-8, 1e-6). No float subnormals: TensorFlow computes with them flushed to
# zero, as Tern does when it serves (Plan::Run), but kernels_test runs kernels without the flush;
# the Cast cases, which convert bit patterns, have them.
SPECIAL = f32([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, 65504.0, -65504.0,
               3.0e38, 6e-8, 1e-6, 2.5, -7.75])


def unary_cases():
    x = np.concatenate([rnd([48], 3.0), SPECIAL])
    small = rnd([32], 0.05)  # where exp(x) - 1 cancels (Elu, Selu)
    for tag, dt in NARROW.items():
        for op, arg in (("Abs", "x"), ("Neg", "x"), ("Relu", "features"), ("Relu6", "features"),
                        ("Elu", "features"), ("Selu", "features"), ("LeakyRelu", "features"),
                        ("Sigmoid", "x"), ("Tanh", "x"), ("Erf", "x"), ("Erfc", "x"),
                        ("Exp", "x"), ("Log", "x"), ("Sqrt", "x"), ("Rsqrt", "x"),
                        ("Square", "x")):
            case("%s/%s" % (op, tag), op, [(arg, x.astype(dt))])
            if op == "Rsqrt":
                # TensorFlow's vectorized loop computes rsqrt in float; the last elements, that
                # fill no vector, go through the narrow type's own rsqrt, one ulp off for some
                # values (here the special values at the end). Tern computes each in float.
                kg.CASES[-1]["max_ulp"] = 1
        for op in ("Floor", "Ceil", "Round", "Sign", "Log1p", "Expm1"):
            case("%s/%s" % (op, tag), op, [("x", x.astype(dt))])
        for op in ("Elu", "Selu", "Sigmoid"):
            case("%s/%s_small" % (op, tag), op, [("features" if op != "Sigmoid" else "x",
                                                  small.astype(dt))])
        # TensorFlow rounds alpha to the narrow type before multiplying.
        case("LeakyRelu/%s_alpha" % tag, "LeakyRelu", [("features", x.astype(dt))],
             attrs={"alpha": 0.3})


def binary_cases():
    a = np.concatenate([rnd([40], 4.0), SPECIAL])
    b = np.concatenate([rnd([40], 2.0), SPECIAL[::-1].copy()])
    for tag, dt in NARROW.items():
        for op in ("AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "SquaredDifference"):
            case("%s/%s" % (op, tag), op, [("x", a.astype(dt)), ("y", b.astype(dt))])
            case("%s/%s_broadcast" % (op, tag), op,
                 [("x", rnd([3, 4], 3.0).astype(dt)), ("y", rnd([4]).astype(dt))])
        for op in ("Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual"):
            case("%s/%s" % (op, tag), op, [("x", a.astype(dt)), ("y", b.astype(dt))])
        case("ClipByValue/%s" % tag, "ClipByValue",
             [("t", a.astype(dt)), ("clip_value_min", np.array(-1.5, dt)),
              ("clip_value_max", np.array(2.25, dt))])
        for op in ("ArgMax", "ArgMin"):
            case("%s/%s" % (op, tag), op, [("input", rnd([4, 9], 3.0).astype(dt)),
                                            ("dimension", i32(1))])
        case("Pow/%s" % tag, "Pow", [("x", np.abs(rnd([24], 2.0)).astype(dt)),
                                      ("y", rnd([24], 2.0).astype(dt))])
        case("BiasAdd/%s" % tag, "BiasAdd", [("value", rnd([3, 5], 2.0).astype(dt)),
                                              ("bias", rnd([5]).astype(dt))])


def cast_cases():
    # Ties: 1 + 2^-8 sits halfway between two bfloat16 values, 1 + 2^-11 between two halfs;
    # the odd/even neighbours check the tie goes to the even one.
    ties = f32([1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-11, 1 + 3 * 2**-11, -(1 + 2**-8),
                1 + 2**-8 + 2**-20, 65519.0, 65520.0, 3.3895e38, 3.4e38, 2**-24, 2**-25,
                3 * 2**-26])
    values = np.concatenate([SPECIAL, ties, rnd([16], 100.0)])
    # Float subnormals (whose narrow bit patterns Eigen's conversion computes without float
    # arithmetic) only where float is the source: TensorFlow flushes them in the other casts.
    subnormals = f32([1e-39, -1e-39, 1e-40, -1e-45, 1.17e-38])
    for tag, dt in (("bf16", tf.bfloat16), ("f16", tf.float16)):
        case("Cast/float_to_%s" % tag, "Cast", [("x", np.concatenate([values, subnormals]))],
             attrs={"DstT": dt}, node_attrs={"SrcT": tf.float32})
        case("Cast/float_to_%s_truncate" % tag, "Cast",
             [("x", np.concatenate([values, subnormals]))],
             attrs={"DstT": dt, "Truncate": True}, node_attrs={"SrcT": tf.float32})
        case("Cast/double_to_%s" % tag, "Cast",
             [("x", np.concatenate([values.astype(np.float64),
                                    [1 + 2**-8 + 2**-40, 1 + 2**-11 + 2**-40]]))],
             attrs={"DstT": dt}, node_attrs={"SrcT": tf.float64})
        ints = i32([0, 1, -1, 255, 256, 257, 2049, 65504, 65520, 100000, -2**31, 2**31 - 1])
        case("Cast/int32_to_%s" % tag, "Cast", [("x", ints)], attrs={"DstT": dt},
             node_attrs={"SrcT": tf.int32})
        case("Cast/int64_to_%s" % tag, "Cast",
             [("x", np.array([2**40 + 1, -2**62, 2**63 - 1, 7], np.int64))], attrs={"DstT": dt},
             node_attrs={"SrcT": tf.int64})
        case("Cast/bool_to_%s" % tag, "Cast", [("x", np.array([True, False]))],
             attrs={"DstT": dt}, node_attrs={"SrcT": tf.bool})
        narrow = values.astype(NARROW[tag])
        for dst in (tf.float32, tf.float64, tf.int32, tf.int64, tf.bool,
                    tf.bfloat16 if tag == "f16" else tf.float16):
            case("Cast/%s_to_%s" % (tag, dst.name), "Cast", [("x", narrow)],
                 attrs={"DstT": dst}, node_attrs={"SrcT": dt})
        # To 8 bits, only values in range: TensorFlow saturates out-of-range values in the part
        # of a tensor its vectorized loop converts and wraps them (through int32) in the tail,
        # so their result depends on their position.
        for dst, low, high in ((tf.int8, -128, 127), (tf.uint8, 0, 255)):
            fits = np.isfinite(values) & (values > low - 1) & (values < high + 1)
            case("Cast/%s_to_%s" % (tag, dst.name), "Cast",
                 [("x", values[fits].astype(NARROW[tag]))], attrs={"DstT": dst},
                 node_attrs={"SrcT": dt})


def contraction_cases():
    for tag, dt in NARROW.items():
        # float16 contractions that TensorFlow sums in float16 get exact-sum inputs.
        data = quarters if tag == "f16" else rnd
        case("MatMul/%s" % tag, "MatMul", [("a", rnd([5, 24]).astype(dt)),
                                            ("b", rnd([24, 6]).astype(dt))])
        case("MatMul/%s_transposed" % tag, "MatMul",
             [("a", rnd([24, 5]).astype(dt)), ("b", rnd([6, 24]).astype(dt))],
             attrs={"transpose_a": True, "transpose_b": True})
        case("BatchMatMulV2/%s" % tag, "BatchMatMulV2",
             [("x", rnd([2, 3, 4, 16]).astype(dt)), ("y", rnd([1, 16, 5]).astype(dt))])
        for name, eq, ins in (
                ("dense", "abc,cd->abd", [data([2, 3, 16]), data([16, 4])]),
                ("attention", "aecd,abcd->acbe", [data([2, 5, 2, 8]), data([2, 5, 2, 8])])):
            case("Einsum/%s_%s" % (tag, name), "Einsum", [("inputs", [t.astype(dt) for t in ins])],
                 attrs={"equation": eq}, node_attrs={"N": 2})
        x = data([2, 7, 6, 3])
        w = data([3, 3, 3, 4])
        case("Conv2D/%s" % tag, "Conv2D", [("input", rnd([2, 7, 6, 3]).astype(dt)),
                                            ("filter", rnd([3, 3, 3, 4]).astype(dt))],
             attrs={"strides": Ints([1, 1, 1, 1]), "padding": "SAME"})
        case("Conv2D/%s_strided" % tag, "Conv2D", [("input", x.astype(dt)), ("filter", w.astype(dt))],
             attrs={"strides": Ints([1, 2, 2, 1]), "padding": "VALID"})
        case("DepthwiseConv2dNative/%s" % tag, "DepthwiseConv2dNative",
             [("input", x.astype(dt)), ("filter", w[:, :, :, :2].astype(dt))],
             attrs={"strides": Ints([1, 1, 1, 1]), "padding": "SAME"})


def window_and_reduction_cases():
    for tag, dt in NARROW.items():
        data = quarters if tag == "f16" else rnd
        x = data([2, 6, 6, 3])
        case("MaxPool/%s" % tag, "MaxPool", [("input", rnd([2, 6, 6, 3]).astype(dt))],
             attrs={"ksize": Ints([1, 2, 2, 1]), "strides": Ints([1, 2, 2, 1]), "padding": "VALID"})
        case("AvgPool/%s" % tag, "AvgPool", [("value", x.astype(dt))],
             attrs={"ksize": Ints([1, 3, 3, 1]), "strides": Ints([1, 2, 2, 1]), "padding": "SAME"})
        m = data([4, 40])
        for op in ("Sum", "Mean", "Max", "Min"):
            case("%s/%s" % (op, tag), op, [("input", m.astype(dt)), ("axis", i32([1]))])
            case("%s/%s_keep_dims_axis0" % (op, tag), op,
                 [("input", m.astype(dt)), ("axis", i32([0]))], attrs={"keep_dims": True})
        # A long bfloat16 sum: TensorFlow sums bfloat16 in float, as Tern does.
        if tag == "bf16":
            case("Sum/bf16_long", "Sum", [("input", rnd([3, 500]).astype(dt)), ("axis", i32([1]))])
            case("Mean/bf16_long", "Mean", [("input", rnd([3, 500]).astype(dt)), ("axis", i32([1]))])
        case("Softmax/%s" % tag, "Softmax", [("logits", (quarters([3, 8]) if tag == "f16"
                                                          else rnd([3, 8], 3.0)).astype(dt))])
        if tag == "f16":
            # TensorFlow's float16 Softmax rounds the exponentials and their sum to float16 before
            # dividing; Tern divides the float ones and rounds once. On these logits that is one
            # ulp at most (arbitrary logits: a few; tests/conformance allows for it).
            kg.CASES[-1]["max_ulp"] = 1
        c = 3
        bn = [("x", rnd([2, 4, 4, c], 2.0).astype(dt)), ("scale", f32([1.0, 0.5, 2.0])),
              ("offset", f32([0.0, 1.0, -1.0])), ("mean", f32([0.1, -0.2, 0.3])),
              ("variance", f32([1.0, 0.25, 4.0]))]
        # float16 only through tests/conformance (k3_mixed_float16): TensorFlow's oneDNN kernel
        # for it returns other values than the given mean and variance in the statistics
        # outputs, which inference never reads.
        if tag == "bf16":
            case("FusedBatchNormV3/%s" % tag, "FusedBatchNormV3", bn,
                 attrs={"is_training": False, "epsilon": 0.001})


def main():
    unary_cases()
    binary_cases()
    cast_cases()
    contraction_cases()
    window_and_reduction_cases()
    kg.write_cases(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
