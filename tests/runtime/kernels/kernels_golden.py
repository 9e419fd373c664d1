#!/usr/bin/env python3
"""Record TensorFlow's outputs for single-op cases, the goldens of kernels_test.cc.

Run from the repository root:
  .venv/bin/python tests/runtime/kernels/kernels_golden.py

Writes tests/runtime/kernels/kernels_golden.json: a list of cases
  {"name", "op", "attrs": {name: {"b"|"i"|"f"|"s"|"type"|"list_f"|"list_s"|"list_type": v}},
   "inputs": [tensor, ...], "outputs": [tensor, ...]}      (or "error": TF's message)
where tensor = {"dtype": "float"|..., "shape": [...], "values": [flat values]}; floats that
JSON cannot hold are written as the strings "nan", "inf", "-inf"; a complex value is the pair
[real, imaginary]. Inputs are in the node's
input order (list inputs flattened). `attrs` are exactly the attrs the kernel test puts on
the NodeDef: attrs left at their OpDef default are omitted, as in a SavedModel exported with
stripped default attrs, so the kernels' defaults are tested too.
"""

import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "kernels_golden.json")

CASES = []


def enc_value(v, dtype):
    if dtype.is_complex:  # [real, imaginary]
        return [enc_value(v.real, tf.float64), enc_value(v.imag, tf.float64)]
    if dtype == tf.string:
        return v.decode("latin-1") if isinstance(v, bytes) else str(v)
    if dtype == tf.bool:
        return bool(v)
    if dtype.is_floating:
        f = float(v)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return f
    return int(v)


def enc_tensor(t):
    t = tf.convert_to_tensor(t)
    # Strings as an object array: np.asarray would make a scalar's bytes a fixed-width 'S'
    # array, which drops trailing NUL bytes (the padding at the end of a BMP, a GIF's last
    # block terminator).
    arr = np.asarray(t.numpy(), dtype=object if t.dtype == tf.string else None)
    return {"dtype": t.dtype.name, "shape": list(arr.shape),
            "values": [enc_value(v, t.dtype) for v in np.asarray(arr).reshape(-1).tolist()]}


class Ints(list):
    """A list(int) attr value (strides, ksize, dilations); plain lists of numbers are list(float)."""


def enc_attr(v):
    if isinstance(v, Ints):
        return {"list_i": [int(x) for x in v]}
    if isinstance(v, bool):
        return {"b": v}
    if isinstance(v, int):
        return {"i": v}
    if isinstance(v, float):
        return {"f": v}
    if isinstance(v, str):
        return {"s": v}
    if isinstance(v, tf.DType):
        return {"type": v.name}
    if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
        return {"list_s": list(v)}
    if isinstance(v, list) and all(isinstance(x, tf.DType) for x in v):
        return {"list_type": [x.name for x in v]}
    if isinstance(v, list):
        return {"list_f": [float(x) for x in v]}
    if isinstance(v, tf.TensorShape):  # unknown dims are -1, an unknown rank is null
        return {"shape": None if v.rank is None else [-1 if d is None else d for d in v.as_list()]}
    raise TypeError(v)


def case(name, op, args, attrs=None, node_attrs=None):
    """args: ordered (arg_name, value or list of values); attrs go to both TF and the node;
    node_attrs only to the node (attrs TF infers from the inputs)."""
    attrs = attrs or {}
    node_attrs = dict(node_attrs or {})
    inputs = []
    kwargs = {}
    for arg, value in args:
        if isinstance(value, list):
            tensors = [tf.convert_to_tensor(v) for v in value]
            kwargs[arg] = tensors
            inputs.extend(tensors)
        else:
            t = tf.convert_to_tensor(value)
            kwargs[arg] = t
            inputs.append(t)
    c = {"name": name, "op": op,
         "attrs": {k: enc_attr(v) for k, v in {**attrs, **node_attrs}.items()},
         "inputs": [enc_tensor(t) for t in inputs]}
    try:
        out = getattr(tf.raw_ops, op)(**kwargs, **attrs)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        c["outputs"] = [enc_tensor(o) for o in outs]
    except tf.errors.InvalidArgumentError as e:
        c["error"] = str(e).split("\n")[0][:300]
    CASES.append(c)


def i32(x):
    return np.array(x, np.int32)


def i64(x):
    return np.array(x, np.int64)


def f32(x):
    return np.array(x, np.float32)


def strided_slice_cases():
    x = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    xf = x.astype(np.float32) + 0.5
    xs = np.array([b"s%d" % v for v in range(24)]).reshape(2, 3, 4)
    vec = i32([7, 3])  # a Shape output, as the taxi model slices it

    def ss(name, inp, b, e, s, index=np.int32, **masks):
        case("StridedSlice/" + name, "StridedSlice",
             [("input", inp), ("begin", np.array(b, index)), ("end", np.array(e, index)),
              ("strides", np.array(s, index))], attrs=masks)

    ss("vector_shrink0", vec, [0], [1], [1], shrink_axis_mask=1)
    ss("vector_shrink_last", vec, [-1], [0], [1], shrink_axis_mask=1)
    ss("basic", x, [0, 1, 1], [2, 3, 3], [1, 1, 1])
    ss("basic_float", xf, [1, 0, 1], [2, 2, 4], [1, 1, 2])
    ss("reverse_all", x, [0, 0, 0], [0, 0, 0], [-1, -1, -1], begin_mask=7, end_mask=7)
    ss("neg_strides", x, [0, 0, 3], [0, 0, 0], [-1, -2, -1], begin_mask=3, end_mask=3)
    ss("neg_stride_from_end", x, [-1, -1, -2], [-3, -4, 0], [-1, -1, -2])
    ss("neg_stride_begin_mask", x, [0, 0, 0], [0, 0, 1], [1, 1, -1], begin_mask=7, end_mask=3)
    ss("neg_stride_end_mask", x, [0, 0, 2], [0, 0, 0], [1, 1, -1], begin_mask=3, end_mask=7)
    ss("neg_stride_clamped", x, [0, 10, 10], [0, -10, -10], [1, -1, -3], begin_mask=1, end_mask=1)
    ss("shrink_first", x, [1], [2], [1], shrink_axis_mask=1)
    ss("shrink_neg_masks", x, [-1, 0, 2], [0, 0, 3], [1, 1, 1], begin_mask=2, end_mask=2,
       shrink_axis_mask=5)
    ss("shrink_all", x, [1, 2, 3], [2, 3, 4], [1, 1, 1], shrink_axis_mask=7)
    ss("ellipsis_last", x, [0, 1], [0, 2], [1, 1], ellipsis_mask=1, shrink_axis_mask=2)
    ss("ellipsis_middle", x, [1, 0, 1], [2, 0, 3], [1, 1, 1], ellipsis_mask=2)
    ss("ellipsis_covers_none", x, [0, 0, 0, 1], [1, 3, 0, 3], [1, 1, 1, 1], ellipsis_mask=4,
       begin_mask=2)
    ss("new_axis_middle", x, [0, 0, 1], [0, 0, 0], [1, 1, 1], begin_mask=1, end_mask=5,
       new_axis_mask=2)
    ss("new_axis_around_ellipsis", x, [0, 0, 0], [0, 0, 0], [1, 1, 1], ellipsis_mask=2,
       new_axis_mask=5)
    ss("new_axis_after_ellipsis", x, [0, 0, 0], [0, 0, 1], [1, 1, 1], ellipsis_mask=1,
       new_axis_mask=2, shrink_axis_mask=4)
    ss("new_axis_only", x, [0], [0], [1], new_axis_mask=1)
    ss("implicit_ellipsis", x, [1], [2], [1])
    ss("clamped", x, [0, -10, 5], [0, 10, 10], [1, 1, 1], begin_mask=1, end_mask=1)
    ss("empty", x, [0, 2], [0, 1], [1, 1], begin_mask=1, end_mask=1)
    ss("empty_neg_stride", x, [0, 1], [0, 2], [1, -1], begin_mask=1, end_mask=1)
    ss("stride3", x, [0, 0, 0], [0, 0, 0], [1, 2, 3], begin_mask=7, end_mask=7)
    ss("negative_bounds", x, [0, -2, -3], [0, 0, -1], [1, 1, 1], begin_mask=1, end_mask=3)
    ss("int64_index", x, [1, 1], [2, 3], [1, 1], index=np.int64)
    ss("strings", xs, [1, 0, 3], [0, 3, 0], [-1, 2, -2], begin_mask=0, end_mask=1)
    ss("scalar_input_new_axis", np.int32(5), [0], [0], [1], new_axis_mask=1)
    ss("err_shrink_oob", x, [2], [3], [1], shrink_axis_mask=1)
    ss("err_stride0", x, [0], [1], [0])
    ss("err_shrink_neg_stride", x, [1], [0], [-1], shrink_axis_mask=1)
    ss("err_two_ellipses", x, [0, 0], [0, 0], [1, 1], ellipsis_mask=3)
    ss("err_too_many_dims", x, [0, 0, 0, 0], [1, 1, 1, 1], [1, 1, 1, 1])


def random_strided_slice_cases(count=250, seed=20240611):
    """Random specs (every mask, negative indices and strides) on small inputs of rank 1-4."""
    rng = np.random.default_rng(seed)
    for k in range(count):
        rank = int(rng.integers(1, 5))
        shape = [int(d) for d in rng.integers(1, 5, rank)]
        x = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
        n = int(rng.integers(1, 5))
        begin = [int(v) for v in rng.integers(-5, 5, n)]
        end = [int(v) for v in rng.integers(-5, 5, n)]
        strides = [int(v) for v in rng.choice([-3, -2, -1, 1, 1, 1, 2, 3], n)]
        masks = {}
        for name, p in (("begin_mask", 0.3), ("end_mask", 0.3), ("new_axis_mask", 0.1),
                        ("shrink_axis_mask", 0.15)):
            m = sum(1 << i for i in range(n) if rng.random() < p)
            if m:
                masks[name] = m
        if rng.random() < 0.3:
            masks["ellipsis_mask"] = 1 << int(rng.integers(0, n))
        case("StridedSlice/random%03d" % k, "StridedSlice",
             [("input", x), ("begin", i32(begin)), ("end", i32(end)), ("strides", i32(strides))],
             attrs=masks)


def sparse_cross_cases():
    key = 956888297470
    i0, v0, s0 = i64([[0, 0], [1, 0], [1, 1], [2, 0]]), i64([3, -5, 7, 1]), i64([3, 2])
    i1, v1, s1 = i64([[0, 0], [1, 0], [1, 1], [1, 2]]), i64([10, 20, 30, 40]), i64([3, 3])
    dense = i64([[100], [200], [300]])

    def sc(name, idx, vals, shapes, dense_inputs, hashed, buckets, out_type, internal_type):
        attrs = {"hashed_output": hashed, "num_buckets": buckets, "hash_key": key,
                 "out_type": out_type, "internal_type": internal_type}
        node = {"N": len(idx), "sparse_types": [tf.as_dtype(v.dtype) for v in vals],
                "dense_types": [tf.as_dtype(d.dtype) for d in dense_inputs]}
        case("SparseCross/" + name, "SparseCross",
             [("indices", idx), ("values", vals), ("shapes", shapes),
              ("dense_inputs", dense_inputs)], attrs=attrs, node_attrs=node)

    sc("hashed_sparse_dense", [i0, i1], [v0, v1], [s0, s1], [dense], True, 1000, tf.int64,
       tf.int64)
    sc("hashed_no_buckets", [i0, i1], [v0, v1], [s0, s1], [dense], True, 0, tf.int64, tf.int64)
    sc("hashed_dense_only", [], [], [], [i64([[1, 2], [3, 4]]), i64([[5], [6]])], True, 250,
       tf.int64, tf.int64)
    # The taxi model: four bucketized columns, one value per row each.
    b = [i64([3, 0, 9, 5]), i64([4, 4, 0, 9]), i64([5, 9, 0, 2]), i64([6, 9, 1, 7])]
    idx = i64([[r, 0] for r in range(4)])
    sc("taxi_like", [idx] * 4, b, [i64([4, 1])] * 4, [], True, 250, tf.int64, tf.int64)
    sc("unsorted_rows", [i64([[1, 0], [0, 0], [1, 1]]), i64([[1, 0], [0, 0]])],
       [i64([1, 2, 3]), i64([4, 5])], [i64([2, 2]), i64([2, 1])], [], True, 100, tf.int64,
       tf.int64)
    sc("empty_rows", [i64([[2, 0]]), i64([[0, 0], [2, 0], [2, 1]])],
       [i64([9]), i64([4, 5, 6])], [i64([4, 1]), i64([4, 2])], [], True, 100, tf.int64, tf.int64)
    sc("string_int64", [i0, i1], [v0, v1], [s0, s1], [dense], False, 0, tf.string, tf.int64)
    sc("string_strings", [i0], [np.array([b"a", b"b", b"c", b"d"])], [s0],
       [np.array([[b"x", b"y"], [b"z", b"w"], [b"u", b"v"]])], False, 0, tf.string, tf.string)


def other_cases():
    # Bucketize: a value equal to a boundary goes to the upper bucket.
    bounds = [-1.0, 0.0, 0.5, 10.0]
    case("Bucketize/float", "Bucketize",
         [("input", f32([[-5, -1, -0.999], [0, 0.25, 0.5], [9.99, 10, 1e9]]))],
         attrs={"boundaries": bounds})
    case("Bucketize/int32", "Bucketize", [("input", i32([-2, -1, 0, 1, 10, 11]))],
         attrs={"boundaries": bounds})
    case("Bucketize/double", "Bucketize",
         [("input", np.array([-73.99, -73.98, -73.97000000001], np.float64))],
         attrs={"boundaries": [-73.99, -73.98, -73.97]})
    case("Bucketize/taxi_float32", "Bucketize",
         [("input", f32([-73.9900, -73.9600, 40.75, 40.78, -74.05, -73.75]))],
         attrs={"boundaries": [round(-74.05 + 0.03 * k, 2) for k in range(1, 10)]})
    case("Bucketize/empty_boundaries", "Bucketize", [("input", f32([1, 2]))],
         attrs={"boundaries": []})
    case("Bucketize/err_unsorted", "Bucketize", [("input", f32([1]))],
         attrs={"boundaries": [2.0, 1.0]})

    # Transpose.
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    case("Transpose/3d", "Transpose", [("x", x), ("perm", i32([2, 0, 1]))])
    case("Transpose/3d_int64_perm", "Transpose", [("x", x.astype(np.int32)), ("perm", i64([1, 2, 0]))])
    case("Transpose/2d", "Transpose", [("x", i64([[1, 2, 3], [4, 5, 6]])), ("perm", i32([1, 0]))])
    case("Transpose/unit_dims", "Transpose", [("x", i32([[1, 2, 3]])), ("perm", i32([1, 0]))])
    case("Transpose/strings", "Transpose",
         [("x", np.array([[b"a", b"b"], [b"c", b"d"], [b"e", b"f"]])), ("perm", i32([1, 0]))])
    case("Transpose/err_not_perm", "Transpose", [("x", i32([[1, 2]])), ("perm", i32([0, 0]))])

    # Tile.
    m = i32([[1, 2, 3], [4, 5, 6]])
    case("Tile/rows", "Tile", [("input", m), ("multiples", i32([2, 1]))])
    case("Tile/cols", "Tile", [("input", m), ("multiples", i32([1, 3]))])
    case("Tile/both_int64", "Tile", [("input", m.astype(np.float32)), ("multiples", i64([3, 2]))])
    case("Tile/zero", "Tile", [("input", m), ("multiples", i32([0, 2]))])
    case("Tile/3d", "Tile", [("input", np.arange(6, dtype=np.int64).reshape(1, 2, 3)),
                            ("multiples", i32([2, 2, 2]))])
    case("Tile/taxi_like", "Tile", [("input", i32([[0], [1], [2]])), ("multiples", i32([1, 1]))])
    case("Tile/strings", "Tile", [("input", np.array([b"a", b"b"])), ("multiples", i32([3]))])
    case("Tile/err_negative", "Tile", [("input", m), ("multiples", i32([-1, 1]))])

    # OneHot.
    case("OneHot/default_axis", "OneHot",
         [("indices", i64([0, 2, -1, 5])), ("depth", np.int32(3)), ("on_value", np.float32(1)),
          ("off_value", np.float32(0))])
    case("OneHot/axis0", "OneHot",
         [("indices", i32([[0, 2], [1, 1]])), ("depth", np.int32(3)), ("on_value", np.float32(5)),
          ("off_value", np.float32(-1))], attrs={"axis": 0})
    case("OneHot/axis1", "OneHot",
         [("indices", i64([[0, 2], [1, 3]])), ("depth", np.int32(4)), ("on_value", np.int32(1)),
          ("off_value", np.int32(0))], attrs={"axis": 1})
    case("OneHot/uint8_strings", "OneHot",
         [("indices", np.array([1, 0], np.uint8)), ("depth", np.int32(2)),
          ("on_value", np.array(b"on")), ("off_value", np.array(b"off"))])
    case("OneHot/depth0", "OneHot",
         [("indices", i64([1, 2])), ("depth", np.int32(0)), ("on_value", np.float32(1)),
          ("off_value", np.float32(0))])
    case("OneHot/err_negative_depth", "OneHot",
         [("indices", i64([1])), ("depth", np.int32(-1)), ("on_value", np.float32(1)),
          ("off_value", np.float32(0))])

    # Sum.
    y = np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.25 - 1
    case("Sum/neg_axis", "Sum", [("input", y), ("axis", i32([-1]))])
    case("Sum/neg_axis_keep", "Sum", [("input", y), ("axis", i32(-2))], attrs={"keep_dims": True})
    case("Sum/two_axes", "Sum", [("input", y), ("axis", i64([0, 2]))])
    case("Sum/outer_axes", "Sum", [("input", y), ("axis", i32([0, 1]))])
    case("Sum/all", "Sum", [("input", y), ("axis", i32([0, 1, 2]))])
    case("Sum/empty_axes", "Sum", [("input", y), ("axis", np.zeros([0], np.int32))])
    case("Sum/int32", "Sum", [("input", i32([[1, 2, 3], [4, 5, 6]])), ("axis", i32([1]))])
    case("Sum/double_keep", "Sum", [("input", y.astype(np.float64)), ("axis", i32([1]))],
         attrs={"keep_dims": True})
    case("Sum/empty_dim", "Sum", [("input", np.zeros([2, 0], np.float32)), ("axis", i32([1]))])
    case("Sum/err_duplicate", "Sum", [("input", y), ("axis", i32([1, -2]))])
    case("Sum/err_out_of_range", "Sum", [("input", y), ("axis", i32([3]))])

    # MatMul.
    a = np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1
    bm = np.arange(12, dtype=np.float32).reshape(3, 4) * 0.25 + 0.125
    case("MatMul/plain", "MatMul", [("a", a), ("b", bm)])
    case("MatMul/transpose_a", "MatMul", [("a", a.T.copy()), ("b", bm)], attrs={"transpose_a": True})
    case("MatMul/transpose_b", "MatMul", [("a", a), ("b", bm.T.copy())], attrs={"transpose_b": True})
    case("MatMul/transpose_both", "MatMul", [("a", a.T.copy()), ("b", bm.T.copy())],
         attrs={"transpose_a": True, "transpose_b": True})
    case("MatMul/double", "MatMul", [("a", a.astype(np.float64)), ("b", bm.astype(np.float64))])
    case("MatMul/int32", "MatMul", [("a", i32([[1, 2], [3, 4]])), ("b", i32([[5, 6], [7, 8]]))])
    case("MatMul/empty_k", "MatMul", [("a", np.zeros([2, 0], np.float32)),
                                      ("b", np.zeros([0, 3], np.float32))])
    case("MatMul/err_inner", "MatMul", [("a", a), ("b", a)])

    # Cast.
    fx = f32([np.nan, np.inf, -np.inf, 3e9, -3e9, 2.7, -2.7, 300.5, -1.5, 0])
    for dst in (tf.int32, tf.int64, tf.uint8, tf.int8, tf.int16, tf.bool, tf.float64):
        case("Cast/float_to_" + dst.name, "Cast", [("x", fx)], attrs={"DstT": dst},
             node_attrs={"SrcT": tf.float32})
    case("Cast/int32_to_int64", "Cast", [("x", i32([0, -1, 2147483647, -2147483648]))],
         attrs={"DstT": tf.int64}, node_attrs={"SrcT": tf.int32})
    case("Cast/int64_to_int32", "Cast", [("x", i64([2**40 + 5, -1, 2**31]))],
         attrs={"DstT": tf.int32}, node_attrs={"SrcT": tf.int64})
    case("Cast/int64_to_float", "Cast", [("x", i64([2**40 + 5, -3, 16777217]))],
         attrs={"DstT": tf.float32}, node_attrs={"SrcT": tf.int64})
    case("Cast/bool_to_float", "Cast", [("x", np.array([True, False]))],
         attrs={"DstT": tf.float32}, node_attrs={"SrcT": tf.bool})
    case("Cast/double_to_float", "Cast", [("x", np.array([1e300, -1e300, 0.1, 1e-50], np.float64))],
         attrs={"DstT": tf.float32}, node_attrs={"SrcT": tf.float64})
    case("Cast/int32_to_uint8", "Cast", [("x", i32([300, -1, 255]))],
         attrs={"DstT": tf.uint8}, node_attrs={"SrcT": tf.int32})
    case("Cast/same_type", "Cast", [("x", i32([1, 2]))], attrs={"DstT": tf.int32},
         node_attrs={"SrcT": tf.int32})

    # BiasAdd.
    case("BiasAdd/nhwc_2d", "BiasAdd", [("value", a), ("bias", f32([1, -2, 0.5]))])
    case("BiasAdd/nhwc_4d", "BiasAdd",
         [("value", np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4)),
          ("bias", f32([0.5, 1, 2, -3]))])
    case("BiasAdd/nchw_3d", "BiasAdd",
         [("value", np.arange(12, dtype=np.float32).reshape(2, 2, 3)), ("bias", f32([10, 20]))],
         attrs={"data_format": "NCHW"})
    case("BiasAdd/double", "BiasAdd", [("value", a.astype(np.float64)),
                                        ("bias", np.array([1, 2, 3], np.float64))])
    case("BiasAdd/int32", "BiasAdd", [("value", i32([[1, 2], [3, 4]])), ("bias", i32([10, 20]))])
    case("BiasAdd/err_1d", "BiasAdd", [("value", f32([1, 2])), ("bias", f32([1, 1]))])
    case("BiasAdd/err_bias_size", "BiasAdd", [("value", a), ("bias", f32([1, 1]))])

    # ConcatV2.
    case("ConcatV2/axis0", "ConcatV2",
         [("values", [f32([[1, 2]]), f32([[3, 4], [5, 6]])]), ("axis", np.int32(0))])
    case("ConcatV2/axis_neg1", "ConcatV2",
         [("values", [f32([[1], [2]]), f32([[3, 4], [5, 6]]), f32([[7], [8]])]),
          ("axis", np.int32(-1))])
    case("ConcatV2/int64_axis_3d", "ConcatV2",
         [("values", [np.arange(12, dtype=np.int32).reshape(2, 2, 3),
                      np.arange(6, dtype=np.int32).reshape(2, 1, 3)]), ("axis", np.int64(1))])
    case("ConcatV2/strings", "ConcatV2",
         [("values", [np.array([b"a"]), np.array([b"b", b"c"])]), ("axis", np.int32(0))])
    case("ConcatV2/err_shapes", "ConcatV2",
         [("values", [f32([[1, 2]]), f32([[3]])]), ("axis", np.int32(0))])
    case("ConcatV2/err_scalars", "ConcatV2",
         [("values", [np.float32(1), np.float32(2)]), ("axis", np.int32(0))])

    # ExpandDims.
    case("ExpandDims/neg1", "ExpandDims", [("input", f32([1, 2])), ("axis", np.int32(-1))])
    case("ExpandDims/zero", "ExpandDims", [("input", f32([[1, 2]])), ("axis", i32([0]))])
    case("ExpandDims/int64_dim", "ExpandDims", [("input", i32([1, 2])), ("axis", np.int64(1))])
    case("ExpandDims/scalar", "ExpandDims", [("input", np.float32(3)), ("axis", np.int32(0))])
    case("ExpandDims/err_range", "ExpandDims", [("input", f32([1, 2])), ("axis", np.int32(3))])

    # Pack.
    case("Pack/axis0", "Pack", [("values", [i32([1, 2]), i32([3, 4]), i32([5, 6])])])
    case("Pack/axis1", "Pack", [("values", [i32([1, 2]), i32([3, 4])])], attrs={"axis": 1})
    case("Pack/axis_neg", "Pack", [("values", [f32([[1, 2]]), f32([[3, 4]])])], attrs={"axis": -2})
    case("Pack/scalars", "Pack", [("values", [np.int32(7), np.int32(-1)])])
    case("Pack/one", "Pack", [("values", [i32([7, 8])])])
    case("Pack/strings", "Pack", [("values", [np.array(b"a"), np.array(b"b")])])
    case("Pack/err_shapes", "Pack", [("values", [i32([1, 2]), i32([3])])])

    # Range.
    case("Range/int32", "Range", [("start", np.int32(0)), ("limit", np.int32(5)),
                                  ("delta", np.int32(1))])
    case("Range/int32_neg_delta", "Range", [("start", np.int32(5)), ("limit", np.int32(-2)),
                                            ("delta", np.int32(-2))])
    case("Range/int64", "Range", [("start", np.int64(3)), ("limit", np.int64(20)),
                                  ("delta", np.int64(4))])
    case("Range/float", "Range", [("start", np.float32(0.3)), ("limit", np.float32(10.3)),
                                  ("delta", np.float32(0.7))])
    case("Range/double", "Range", [("start", np.float64(1)), ("limit", np.float64(0)),
                                   ("delta", np.float64(-0.1))])
    case("Range/empty", "Range", [("start", np.int32(3)), ("limit", np.int32(3)),
                                  ("delta", np.int32(1))])
    case("Range/err_direction", "Range", [("start", np.int32(5)), ("limit", np.int32(1)),
                                          ("delta", np.int32(1))])
    case("Range/err_zero_delta", "Range", [("start", np.int32(0)), ("limit", np.int32(1)),
                                           ("delta", np.int32(0))])

    # Relu.
    case("Relu/float", "Relu", [("features", f32([np.nan, -1, 2, -0.5, 0, 3.25]))])
    case("Relu/double", "Relu", [("features", np.array([-1e300, 1e300], np.float64))])
    case("Relu/int32", "Relu", [("features", i32([[-3, 0], [4, -2147483648]]))])

    # Shape.
    case("Shape/default_int32", "Shape", [("input", np.zeros([2, 0, 3], np.float32))])
    case("Shape/int64", "Shape", [("input", np.zeros([4], np.int32))], attrs={"out_type": tf.int64})
    case("Shape/scalar", "Shape", [("input", np.float32(1))])

    # SparseToDense.
    case("SparseToDense/2d", "SparseToDense",
         [("sparse_indices", i64([[0, 1], [1, 0], [2, 3]])), ("output_shape", i64([3, 4])),
          ("sparse_values", i64([5, 6, 7])), ("default_value", np.int64(-1))])
    case("SparseToDense/scalar_value", "SparseToDense",
         [("sparse_indices", i32([[0, 1], [1, 1]])), ("output_shape", i32([2, 2])),
          ("sparse_values", np.float32(1.5)), ("default_value", np.float32(0))])
    case("SparseToDense/1d_indices", "SparseToDense",
         [("sparse_indices", i32([0, 2])), ("output_shape", i32([4])),
          ("sparse_values", f32([1, 2])), ("default_value", np.float32(9))])
    case("SparseToDense/scalar_index", "SparseToDense",
         [("sparse_indices", np.int32(2)), ("output_shape", i32([3])),
          ("sparse_values", np.int32(5)), ("default_value", np.int32(0))])
    case("SparseToDense/unsorted_no_validate", "SparseToDense",
         [("sparse_indices", i64([[1], [0]])), ("output_shape", i64([3])),
          ("sparse_values", i64([1, 2])), ("default_value", np.int64(0))],
         attrs={"validate_indices": False})
    case("SparseToDense/strings", "SparseToDense",
         [("sparse_indices", i64([[1]])), ("output_shape", i64([2])),
          ("sparse_values", np.array([b"x"])), ("default_value", np.array(b""))])
    case("SparseToDense/err_unsorted", "SparseToDense",
         [("sparse_indices", i64([[1], [0]])), ("output_shape", i64([3])),
          ("sparse_values", i64([1, 2])), ("default_value", np.int64(0))])
    case("SparseToDense/err_repeated", "SparseToDense",
         [("sparse_indices", i64([[1], [1]])), ("output_shape", i64([3])),
          ("sparse_values", i64([1, 2])), ("default_value", np.int64(0))])
    case("SparseToDense/err_out_of_bounds", "SparseToDense",
         [("sparse_indices", i64([[1], [3]])), ("output_shape", i64([3])),
          ("sparse_values", i64([1, 2])), ("default_value", np.int64(0))],
         attrs={"validate_indices": False})


def zoo_elementwise_cases():
    """Activations, math, comparisons, reductions and shape ops of the model zoo, with edges:
    NaN, +-inf, zeros, integer wrap-around, division by zero, empty tensors."""
    edge = f32([[-np.inf, -1e4, -2.5, -0.0], [0.0, 1e-8, 3.0, np.inf], [np.nan, 20.0, -20.0, 6.5]])
    for op in ("Tanh", "Sigmoid", "Erf", "Exp", "Relu6", "Softmax"):
        arg = "logits" if op == "Softmax" else ("features" if op == "Relu6" else "x")
        data = edge if op != "Softmax" else f32([[1, 2, 3], [-1e4, 0, 1e4], [0, 0, 0]])
        case(op + "/float", op, [(arg, data)])
        case(op + "/double", op, [(arg, data.astype(np.float64))])
        case(op + "/empty", op, [(arg, np.zeros([0, 3], np.float32))])
    case("Softmax/rank3", "Softmax", [("logits", np.linspace(-3, 3, 24, dtype=np.float32).reshape(2, 3, 4))])
    # Rows as long as attention's (whole vectors and a tail), with -inf (a masked logit), logits
    # 100 apart (exponentials under 2^-126) and a NaN.
    wide = (np.random.default_rng(5).standard_normal([4, 133]) * 10).astype(np.float32)
    wide[1, ::7] = -np.inf
    wide[2, :64] -= 100
    wide[3, 70] = np.nan
    case("Softmax/wide", "Softmax", [("logits", wide)])
    for op in ("Sqrt", "Rsqrt", "Log"):
        case(op + "/float", op, [("x", f32([0, 1, 4, 1e-30, -1, np.inf, np.nan]))])
    for op in ("Neg", "Abs", "Square"):
        case(op + "/float", op, [("x", edge)])
        case(op + "/int32", op, [("x", i32([-2147483648, -3, 0, 7, 2147483647]))])
        case(op + "/int8", op, [("x", np.array([-128, -3, 0, 7, 127], np.int8))])
        case(op + "/int64", op, [("x", i64([-9223372036854775808, -5, 0, 46341, 3037000500]))])
    a = f32([[1, -2, np.nan], [0, 5, -np.inf]])
    b = f32([0.5, np.nan, -1])
    for op in ("Maximum", "Minimum", "SquaredDifference", "RealDiv"):
        case(op + "/broadcast", op, [("x", a), ("y", b)])
        case(op + "/by_zero", op, [("x", f32([1, -1, 0])), ("y", f32([0, 0, 0]))])
    for op in ("Maximum", "Minimum"):
        case(op + "/int64", op, [("x", i64([[1, -2], [3, 9]])), ("y", i64([0, 5]))])
    for op in ("FloorMod", "FloorDiv"):
        case(op + "/int32", op, [("x", i32([7, -7, 7, -7, 0, -2147483648])),
                                 ("y", i32([2, 2, -2, -2, 3, -1]))])
        case(op + "/float", op, [("x", f32([7.5, -7.5, 7.5, -7.5, 0])), ("y", f32([2, 2, -2, -2, 3]))])
        case(op + "/err_zero", op, [("x", i32([1, 2])), ("y", i32([1, 0]))])
    for op in ("Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual"):
        case(op + "/float", op, [("x", a), ("y", b)])
        case(op + "/int64_scalar", op, [("x", i64([[1, 2], [3, 4]])), ("y", np.int64(2))])
    for op in ("Equal", "NotEqual"):
        case(op + "/strings", op, [("x", np.array([b"a", b"b", b""])), ("y", np.array(b"b"))])
    t, f = np.array([[True, False]]), np.array([[True], [False]])
    case("LogicalAnd/broadcast", "LogicalAnd", [("x", t), ("y", f)])
    case("LogicalOr/broadcast", "LogicalOr", [("x", t), ("y", f)])
    case("LogicalNot/bools", "LogicalNot", [("x", np.array([True, False]))])
    m = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10.5
    for op in ("Mean", "Max", "Min", "Prod"):
        case(op + "/axis1", op, [("input", m), ("axis", i32([1]))])
        case(op + "/axes_neg_keep", op, [("input", m), ("axis", i64([0, -1]))],
             attrs={"keep_dims": True})
        case(op + "/all_int32", op, [("input", i32([[1, -2, 3], [4, 5, -6]])), ("axis", i32([0, 1]))])
        case(op + "/empty_axis", op, [("input", np.zeros([0, 2], np.float32)), ("axis", i32([0]))])
        case(op + "/err_axis", op, [("input", m), ("axis", i32([3]))])
        # Every reduced dim of size 1: global pooling over a 1x1 map.
        case(op + "/unit_dims", op, [("input", m.reshape(2, 1, 1, 12)), ("axis", i32([1, 2]))])
    case("Mean/int_truncates", "Mean", [("input", i32([[1, 2], [4, 4]])), ("axis", i32([1]))])
    case("Max/nan", "Max", [("input", f32([1, np.nan, 3])), ("axis", i32([0]))])
    case("SelectV2/broadcast", "SelectV2",
         [("condition", np.array([[True], [False]])), ("t", f32([1, 2, 3])), ("e", f32([[9], [8]]))])
    case("SelectV2/strings", "SelectV2",
         [("condition", np.array([True, False])), ("t", np.array([b"a", b"b"])), ("e", np.array([b"x", b"y"]))])
    case("Select/rows", "Select",
         [("condition", np.array([True, False])), ("x", f32([[1, 2], [3, 4]])), ("y", f32([[5, 6], [7, 8]]))])
    case("Select/same_shape", "Select",
         [("condition", np.array([True, False])), ("x", i64([1, 2])), ("y", i64([5, 6]))])
    case("AddN/three", "AddN", [("inputs", [f32([1, 2]), f32([3, 4]), f32([-1, 0.5])])],
         node_attrs={"N": 3})
    case("AddN/int32_wraps", "AddN", [("inputs", [i32([2147483647]), i32([1])])], node_attrs={"N": 2})
    case("Squeeze/all", "Squeeze", [("input", np.zeros([1, 2, 1, 3], np.float32))])
    case("Size/default", "Size", [("input", np.zeros([2, 3, 0], np.float32))])
    case("Size/int64", "Size", [("input", np.zeros([2, 3], np.float32))], attrs={"out_type": tf.int64})
    case("Rank/3d", "Rank", [("input", np.zeros([2, 3, 1], np.float32))])
    # An empty batch through Keras' Reshape and Flatten: -1 is inferred the way TF does.
    case("Reshape/empty_keep_dims", "Reshape",
         [("tensor", np.zeros([0, 19, 8], np.float32)), ("shape", i32([0, -1, 8]))])
    case("Reshape/empty_flatten", "Reshape",
         [("tensor", np.zeros([0, 19, 8], np.float32)), ("shape", i32([-1, 152]))])
    case("Reshape/empty_inexact", "Reshape",
         [("tensor", np.zeros([0, 19, 8], np.float32)), ("shape", i32([0, -1, 7]))])


def zoo_window_cases():
    """Conv2D, DepthwiseConv2dNative, MaxPool, AvgPool, FusedBatchNormV3 and Pad."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=[2, 7, 6, 3]).astype(np.float32)
    w = rng.normal(size=[3, 2, 3, 4]).astype(np.float32)
    for pad in ("SAME", "VALID"):
        for s in (1, 2):
            case("Conv2D/%s_s%d" % (pad, s), "Conv2D", [("input", x), ("filter", w)],
                 attrs={"strides": Ints([1, s, s, 1]), "padding": pad})
        case("Conv2D/%s_dilated" % pad, "Conv2D", [("input", x), ("filter", w)],
             attrs={"strides": Ints([1, 1, 1, 1]), "padding": pad, "dilations": Ints([1, 2, 1, 1])})
        case("DepthwiseConv2dNative/%s" % pad, "DepthwiseConv2dNative",
             [("input", x), ("filter", w[:, :, :, :2])],
             attrs={"strides": Ints([1, 2, 1, 1]), "padding": pad})
        case("MaxPool/%s" % pad, "MaxPool", [("input", x)],
             attrs={"ksize": Ints([1, 3, 2, 1]), "strides": Ints([1, 2, 2, 1]), "padding": pad})
        case("AvgPool/%s" % pad, "AvgPool", [("value", x)],
             attrs={"ksize": Ints([1, 3, 3, 1]), "strides": Ints([1, 2, 1, 1]), "padding": pad})
    case("Conv2D/1x1", "Conv2D", [("input", x), ("filter", w[:1, :1])],
         attrs={"strides": Ints([1, 1, 1, 1]), "padding": "VALID"})
    case("Conv2D/explicit", "Conv2D", [("input", x), ("filter", w)],
         attrs={"strides": Ints([1, 1, 2, 1]), "padding": "EXPLICIT",
                "explicit_paddings": Ints([0, 0, 1, 2, 0, 1, 0, 0])})
    case("Conv2D/double_empty_batch", "Conv2D",
         [("input", np.zeros([0, 4, 4, 3])), ("filter", w.astype(np.float64))],
         attrs={"strides": Ints([1, 1, 1, 1]), "padding": "SAME"})
    case("Conv2D/err_channels", "Conv2D", [("input", x), ("filter", w[:, :, :2])],
         attrs={"strides": Ints([1, 1, 1, 1]), "padding": "SAME"})
    case("MaxPool/int32", "MaxPool", [("input", (x * 10).astype(np.int32))],
         attrs={"ksize": Ints([1, 2, 2, 1]), "strides": Ints([1, 1, 1, 1]), "padding": "SAME"})
    c = 3
    bn = [("x", x), ("scale", f32([1.0, 0.5, 2.0])), ("offset", f32([0.0, 1.0, -1.0])),
          ("mean", f32([0.1, -0.2, 0.3])), ("variance", f32([1.0, 0.25, 4.0]))]
    case("FusedBatchNormV3/inference", "FusedBatchNormV3", bn,
         attrs={"is_training": False, "epsilon": 0.001})
    case("FusedBatchNormV3/training", "FusedBatchNormV3",
         bn[:3] + [("mean", np.zeros([0], np.float32)), ("variance", np.zeros([0], np.float32))])
    del c
    case("Pad/2d", "Pad", [("input", i32([[1, 2], [3, 4]])), ("paddings", i32([[1, 0], [2, 1]]))])
    case("Pad/4d_float", "Pad", [("input", x[:1, :2, :2]), ("paddings", i64([[0, 0], [1, 2], [0, 1], [0, 0]]))])
    case("PadV2/strings", "PadV2", [("input", np.array([b"a", b"b"])), ("paddings", i32([[1, 2]])),
                                    ("constant_values", np.array(b"-"))])
    case("Pad/err_negative", "Pad", [("input", i32([1, 2])), ("paddings", i32([[-1, 0]]))])


def gather_cases():
    """GatherV2: axis (negative too), batch_dims, empty and scalar indices, range errors."""
    p = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 5.5
    ax = lambda v: np.int32(v)
    case("GatherV2/axis0", "GatherV2", [("params", p), ("indices", i32([1, 0, 1])), ("axis", ax(0))])
    case("GatherV2/axis1_2d_indices", "GatherV2",
         [("params", p), ("indices", i64([[2, 0], [1, 1]])), ("axis", ax(1))])
    case("GatherV2/axis_neg1", "GatherV2",
         [("params", p), ("indices", i32([3, 0])), ("axis", np.int64(-1))])
    case("GatherV2/scalar_index", "GatherV2",
         [("params", p), ("indices", np.int32(2)), ("axis", ax(1))])
    case("GatherV2/empty_indices", "GatherV2",
         [("params", p), ("indices", np.zeros([0], np.int32)), ("axis", ax(0))])
    case("GatherV2/empty_params_dim", "GatherV2",
         [("params", np.zeros([0, 3], np.float32)), ("indices", np.zeros([2, 0], np.int32)),
          ("axis", ax(0))])
    case("GatherV2/strings", "GatherV2",
         [("params", np.array([b"a", b"bb", b""])), ("indices", i32([[2, 1], [0, 0]])),
          ("axis", ax(0))])
    case("GatherV2/int8_1d", "GatherV2",
         [("params", np.array([-3, 5, 7], np.int8)), ("indices", i64([2, 2, 0])), ("axis", ax(0))])
    case("GatherV2/batch_dims1", "GatherV2",
         [("params", p), ("indices", i32([[0, 2], [1, 1]])), ("axis", ax(1))],
         attrs={"batch_dims": 1})
    case("GatherV2/batch_dims1_axis2", "GatherV2",
         [("params", p), ("indices", i32([[3], [0]])), ("axis", ax(2))], attrs={"batch_dims": 1})
    case("GatherV2/batch_dims_neg", "GatherV2",
         [("params", p), ("indices", i32([[0, 2, 1], [1, 1, 0]])), ("axis", ax(2))],
         attrs={"batch_dims": -1})
    case("GatherV2/batch_dims2", "GatherV2",
         [("params", p), ("indices", i64([[[0], [3], [1]], [[2], [2], [0]]])), ("axis", ax(2))],
         attrs={"batch_dims": 2})
    case("GatherV2/err_negative_index", "GatherV2",
         [("params", p), ("indices", i32([0, -1])), ("axis", ax(0))])
    case("GatherV2/err_index_too_large", "GatherV2",
         [("params", p), ("indices", i32([[0], [4]])), ("axis", ax(2))])
    case("GatherV2/err_axis", "GatherV2", [("params", p), ("indices", i32([0])), ("axis", ax(3))])
    case("GatherV2/err_axis_neg", "GatherV2", [("params", p), ("indices", i32([0])), ("axis", ax(-4))])
    case("GatherV2/err_batch_dims_gt_axis", "GatherV2",
         [("params", p), ("indices", i32([[0], [1]])), ("axis", ax(0))], attrs={"batch_dims": 1})
    case("GatherV2/err_batch_mismatch", "GatherV2",
         [("params", p), ("indices", i32([[0], [1], [1]])), ("axis", ax(1))],
         attrs={"batch_dims": 1})
    case("GatherV2/err_scalar_params", "GatherV2",
         [("params", np.float32(1)), ("indices", i32([0])), ("axis", ax(0))])


def fill_identity_n_cases():
    case("Fill/float", "Fill", [("dims", i32([2, 3])), ("value", np.float32(1.5))])
    case("Fill/int64_dims_string", "Fill", [("dims", i64([2])), ("value", np.array(b"ab"))])
    case("Fill/scalar", "Fill", [("dims", np.zeros([0], np.int32)), ("value", np.int64(-7))])
    case("Fill/empty", "Fill", [("dims", i32([0, 4])), ("value", np.float32(2))])
    case("Fill/err_negative", "Fill", [("dims", i32([2, -1])), ("value", np.float32(2))])
    case("Fill/err_value_not_scalar", "Fill", [("dims", i32([2])), ("value", f32([1, 2]))])
    case("IdentityN/mixed", "IdentityN", [("input", [f32([1, 2]), np.array([b"x"]), np.int32(3)])],
         node_attrs={"T": [tf.float32, tf.string, tf.int32]})


def sequence_and_layout_cases():
    """Split, SplitV, Unpack, BatchMatMul, Einsum, SpaceToBatchND/BatchToSpaceND,
    BroadcastGradientArgs: the ops of Keras LSTM/GRU, attention and dilated convolutions."""
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5 - 3
    case("Split/axis_last", "Split", [("axis", np.int32(-1)), ("value", x)],
         attrs={"num_split": 2})
    case("Split/axis0_one", "Split", [("axis", np.int32(0)), ("value", x)], attrs={"num_split": 1})
    case("Split/strings", "Split", [("axis", np.int32(0)), ("value", np.array([b"a", b"b", b"c"]))],
         attrs={"num_split": 3})
    case("Split/err_uneven", "Split", [("axis", np.int32(1)), ("value", x)], attrs={"num_split": 2})
    case("Split/err_axis", "Split", [("axis", np.int32(3)), ("value", x)], attrs={"num_split": 2})
    case("SplitV/sizes", "SplitV", [("value", x), ("size_splits", i32([1, 3])), ("axis", np.int32(2))],
         attrs={"num_split": 2})
    case("SplitV/inferred", "SplitV",
         [("value", x), ("size_splits", i64([-1, 1, 0])), ("axis", np.int32(1))],
         attrs={"num_split": 3})
    case("SplitV/err_sum", "SplitV", [("value", x), ("size_splits", i32([1, 1])), ("axis", np.int32(2))],
         attrs={"num_split": 2})
    case("Unpack/axis0", "Unpack", [("value", x)], attrs={"num": 2})
    case("Unpack/axis_neg", "Unpack", [("value", x)], attrs={"num": 4, "axis": -1})
    case("Unpack/axis1_int64", "Unpack", [("value", x.astype(np.int64))], attrs={"num": 3, "axis": 1})
    case("Unpack/err_num", "Unpack", [("value", x)], attrs={"num": 3})

    rng = np.random.default_rng(11)
    a = rng.normal(size=[2, 3, 4]).astype(np.float32)
    b = rng.normal(size=[2, 4, 5]).astype(np.float32)
    case("BatchMatMulV2/plain", "BatchMatMulV2", [("x", a), ("y", b)])
    case("BatchMatMulV2/adj", "BatchMatMulV2",
         [("x", a.transpose(0, 2, 1).copy()), ("y", b.transpose(0, 2, 1).copy())],
         attrs={"adj_x": True, "adj_y": True})
    case("BatchMatMulV2/broadcast", "BatchMatMulV2",
         [("x", rng.normal(size=[3, 1, 2, 4]).astype(np.float32)), ("y", b)])
    case("BatchMatMulV2/rank2_int32", "BatchMatMulV2", [("x", i32([[1, 2], [3, 4]])), ("y", i32([[5], [6]]))])
    case("BatchMatMulV2/empty_batch", "BatchMatMulV2",
         [("x", np.zeros([0, 3, 4], np.float32)), ("y", np.zeros([1, 4, 2], np.float32))])
    case("BatchMatMul/v1", "BatchMatMul", [("x", a), ("y", b)])
    case("BatchMatMul/err_v1_batch", "BatchMatMul", [("x", a), ("y", b[:1])])
    case("BatchMatMulV2/err_inner", "BatchMatMulV2", [("x", a), ("y", a)])
    case("BatchMatMulV3/plain", "BatchMatMulV3", [("x", a), ("y", b)],
         attrs={"Tout": tf.float32})

    q = rng.normal(size=[2, 5, 3, 4]).astype(np.float32)   # batch, seq, heads, dim
    k = rng.normal(size=[2, 6, 3, 4]).astype(np.float32)
    w = rng.normal(size=[8, 3, 4]).astype(np.float32)
    xs = rng.normal(size=[2, 5, 8]).astype(np.float32)
    for name, eq, ins in [
            ("dense_qkv", "abc,cde->abde", [xs, w]),
            ("attention_scores", "aecd,abcd->acbe", [k, q]),
            ("attention_values", "acbe,aecd->abcd",
             [rng.normal(size=[2, 3, 5, 6]).astype(np.float32), k]),
            ("output_proj", "abcd,cde->abe", [q, rng.normal(size=[3, 4, 7]).astype(np.float32)]),
            ("ellipsis_matmul", "...ij,...jk->...ik", [a, b]),
            ("outer", "i,j->ij", [f32([1, 2, 3]), f32([4, 5])]),
            ("sum_out", "ij,jk->i", [a[0], b[0]]),
            ("transpose", "ijk->kji", [a]),
            ("reduce", "ij->j", [a[0]]),
            ("int32", "ij,jk->ik", [i32([[1, 2], [3, 4]]), i32([[1], [-1]])]),
    ]:
        case("Einsum/" + name, "Einsum", [("inputs", ins)], attrs={"equation": eq},
             node_attrs={"N": len(ins)})
    case("Einsum/err_label_sizes", "Einsum", [("inputs", [a, b])],
         attrs={"equation": "abc,abd->acd"}, node_attrs={"N": 2})

    img = np.arange(2 * 5 * 4 * 3, dtype=np.float32).reshape(2, 5, 4, 3)
    case("SpaceToBatchND/2d", "SpaceToBatchND",
         [("input", img), ("block_shape", i32([2, 2])), ("paddings", i32([[1, 0], [0, 0]]))])
    case("SpaceToBatchND/pad_both", "SpaceToBatchND",
         [("input", img), ("block_shape", i64([3, 2])), ("paddings", i64([[2, 2], [1, 1]]))])
    case("SpaceToBatchND/1d", "SpaceToBatchND",
         [("input", img[:, :, 0, :]), ("block_shape", i32([2])), ("paddings", i32([[0, 1]]))])
    case("SpaceToBatchND/err_divisible", "SpaceToBatchND",
         [("input", img), ("block_shape", i32([2, 2])), ("paddings", i32([[0, 0], [0, 0]]))])
    case("BatchToSpaceND/2d", "BatchToSpaceND",
         [("input", np.arange(8 * 3 * 2 * 3, dtype=np.float32).reshape(8, 3, 2, 3)),
          ("block_shape", i32([2, 2])), ("crops", i32([[1, 0], [0, 1]]))])
    case("BatchToSpaceND/1d_int32", "BatchToSpaceND",
         [("input", np.arange(12, dtype=np.int32).reshape(4, 3, 1)), ("block_shape", i32([2])),
          ("crops", i32([[0, 2]]))])
    case("BatchToSpaceND/err_batch", "BatchToSpaceND",
         [("input", np.zeros([3, 2, 2, 1], np.float32)), ("block_shape", i32([2, 2])),
          ("crops", i32([[0, 0], [0, 0]]))])

    for name, s0, s1 in [("same", [2, 3], [2, 3]), ("row", [2, 3], [3]), ("ones", [1, 3, 1], [2, 1, 1]),
                         ("scalar", [], [4, 5]), ("int64", [5, 1], [1, 6])]:
        dt = np.int64 if name == "int64" else np.int32
        case("BroadcastGradientArgs/" + name, "BroadcastGradientArgs",
             [("s0", np.array(s0, dt)), ("s1", np.array(s1, dt))])
    case("BroadcastGradientArgs/err", "BroadcastGradientArgs", [("s0", i32([2, 3])), ("s1", i32([4]))])

    # Keras LayerNormalization: training-mode batch norm over channels-first rows.
    ln = rng.normal(size=[1, 6, 5, 1]).astype(np.float32) * 3 + 1
    ones, zeros = np.ones([6], np.float32), np.zeros([6], np.float32)
    empty = np.zeros([0], np.float32)
    case("FusedBatchNormV3/nchw_training", "FusedBatchNormV3",
         [("x", ln), ("scale", ones), ("offset", zeros), ("mean", empty), ("variance", empty)],
         attrs={"data_format": "NCHW", "epsilon": 0.001})
    case("FusedBatchNormV3/nchw_inference", "FusedBatchNormV3",
         [("x", rng.normal(size=[2, 3, 2, 2]).astype(np.float32)), ("scale", f32([1, 2, 0.5])),
          ("offset", f32([0, 1, -1])), ("mean", f32([0.1, 0.2, -0.3])),
          ("variance", f32([1, 0.5, 2]))],
         attrs={"data_format": "NCHW", "is_training": False})


def write_cases(path):
    """Writes every recorded case, one JSON object per line, and says how many there are."""
    with open(path, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c) for c in CASES) + "\n]\n")
    errors = sum(1 for c in CASES if "error" in c)
    print("wrote %s: %d cases (%d expect an error)" % (path, len(CASES), errors))


def main():
    strided_slice_cases()
    random_strided_slice_cases()
    sparse_cross_cases()
    other_cases()
    zoo_elementwise_cases()
    zoo_window_cases()
    gather_cases()
    fill_identity_n_cases()
    sequence_and_layout_cases()
    write_cases(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
