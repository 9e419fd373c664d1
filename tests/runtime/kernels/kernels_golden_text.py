#!/usr/bin/env python3
"""Record TensorFlow's outputs for the string, regex, hashing, bincount, sparse, ragged and Cumsum
kernels and the float16 arithmetic, the goldens
of kernels_test.cc (tests/runtime/kernels/kernels_golden_text.json; same format and helpers as
kernels_golden.py, kept apart so the two sets can grow independently).

Run from the repository root:
  .venv/bin/python tests/runtime/kernels/kernels_golden_text.py
"""

import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernels_golden as kg  # noqa: E402
from kernels_golden import case, i32, i64, f32, Ints, tf  # noqa: E402

OUT = os.path.join(kg.HERE, "kernels_golden_text.json")


def s(x):
    return np.array(x, dtype=object)


def hash_inputs():
    """Strings of every length 0..200 (FarmHash switches algorithm at 16/32/64 bytes and loops
    per 64), with all byte values, and some words."""
    rng = random.Random(7)
    out = [bytes(rng.randrange(256) for _ in range(n)) for n in range(0, 201)]
    out += [b"", b"a", b"hello", b"tern", b"\x00", b"\xff" * 65, b"x" * 1000]
    return s(out)


def string_cases():
    words = s([[b"Hello", b"wORLD", b""], [b"caf\xc3\xa9", b"ABC123!", b"  x "]])
    case("StringUpper/ascii", "StringUpper", [("input", words)])
    case("StringLower/ascii", "StringLower", [("input", words)])
    case("StringLength/bytes", "StringLength", [("input", words)])
    case("StringLength/utf8", "StringLength", [("input", words)], attrs={"unit": "UTF8_CHAR"})
    case("StringJoin/two", "StringJoin", [("inputs", [s([b"a", b"b"]), s([b"x", b"y"])])],
         attrs={"separator": "-"}, node_attrs={"N": 2})
    case("StringJoin/scalar_broadcast", "StringJoin",
         [("inputs", [s(b"pre"), s([[b"a"], [b"b"]]), s(b"post")])], node_attrs={"N": 3})
    case("StringJoin/scalars", "StringJoin", [("inputs", [s(b"a"), s(b"b")])],
         attrs={"separator": ", "}, node_attrs={"N": 2})
    case("StringJoin/err_shapes", "StringJoin", [("inputs", [s([b"a", b"b"]), s([b"x"])])],
         node_attrs={"N": 2})
    case("AsString/int64", "AsString", [("input", i64([0, -5, 2**62]))])
    case("AsString/int32_width_fill", "AsString", [("input", i32([3, -42, 12345]))],
         attrs={"width": 4, "fill": "0"})
    case("AsString/float", "AsString", [("input", f32([1.5, -2.25e10, 0.1, 0]))])
    case("AsString/float_precision", "AsString", [("input", f32([1.5, 3.14159]))],
         attrs={"precision": 2})
    case("AsString/double_shortest", "AsString", [("input", np.array([1.5, 1e20, 0.1]))],
         attrs={"shortest": True})
    case("AsString/float_scientific", "AsString", [("input", f32([1.5, 12345.678]))],
         attrs={"scientific": True})
    case("AsString/bool", "AsString", [("input", np.array([True, False]))])
    case("AsString/uint8", "AsString", [("input", np.array([0, 255], np.uint8))])
    h = hash_inputs()
    case("StringToHashBucketFast/lengths_0_200", "StringToHashBucketFast", [("input", h)],
         attrs={"num_buckets": 2**62 + 7})
    case("StringToHashBucketFast/16", "StringToHashBucketFast", [("input", h)],
         attrs={"num_buckets": 16})
    case("StringToHashBucketFast/one_bucket", "StringToHashBucketFast", [("input", h[:5])],
         attrs={"num_buckets": 1})
    case("StringToHashBucketStrong/lengths_0_200", "StringToHashBucketStrong", [("input", h)],
         attrs={"num_buckets": 2**62 + 7, "key": Ints([3, 5])})
    case("StringToHashBucketStrong/big_key", "StringToHashBucketStrong", [("input", h[:80])],
         attrs={"num_buckets": 1000003, "key": Ints([2**63 - 25, 987654321987])})


def split_join_cases():
    grid = s([[b"a", b"b", b"c"], [b"d", b"e", b"f"]])
    case("ReduceJoin/axis0", "ReduceJoin", [("inputs", grid), ("reduction_indices", i32([0]))])
    case("ReduceJoin/axis1_sep_keep", "ReduceJoin",
         [("inputs", grid), ("reduction_indices", i32(-1))],
         attrs={"separator": " ", "keep_dims": True})
    case("ReduceJoin/both_order01", "ReduceJoin",
         [("inputs", grid), ("reduction_indices", i32([0, 1]))], attrs={"separator": ","})
    case("ReduceJoin/both_order10", "ReduceJoin",
         [("inputs", grid), ("reduction_indices", i32([1, 0]))], attrs={"separator": ","})
    case("ReduceJoin/none", "ReduceJoin",
         [("inputs", grid), ("reduction_indices", np.zeros([0], np.int32))])
    case("ReduceJoin/3d", "ReduceJoin",
         [("inputs", s([[[b"%d" % (i * 4 + j * 2 + k) for k in range(2)] for j in range(2)]
                        for i in range(3)])), ("reduction_indices", i32([2, 0]))],
         attrs={"separator": "|"})
    text = s([b"hello world", b"  a  b ", b"", b"x,y,,z", b"one"])
    case("StringSplit/space", "StringSplit", [("input", text), ("delimiter", s(b" "))])
    case("StringSplit/any_of", "StringSplit", [("input", text), ("delimiter", s(b", "))])
    case("StringSplit/keep_empty", "StringSplit", [("input", text), ("delimiter", s(b","))],
         attrs={"skip_empty": False})
    case("StringSplit/chars", "StringSplit", [("input", text[:2]), ("delimiter", s(b""))])
    case("StringSplitV2/whitespace", "StringSplitV2",
         [("input", s([b"hello world", b"  a \t b ", b"", b"   ", b"one"])), ("sep", s(b""))])
    case("StringSplitV2/sep", "StringSplitV2", [("input", text), ("sep", s(b","))])
    case("StringSplitV2/multi_sep", "StringSplitV2",
         [("input", s([b"a<>b<><>c", b"<>", b"abc"])), ("sep", s(b"<>"))])
    case("StringSplitV2/maxsplit", "StringSplitV2", [("input", text), ("sep", s(b","))],
         attrs={"maxsplit": 1})
    case("StringSplitV2/whitespace_maxsplit", "StringSplitV2",
         [("input", s([b" a b  c d ", b"x"])), ("sep", s(b""))], attrs={"maxsplit": 2})


def sparse_cases():
    case("Where/bool", "Where", [("condition", np.array([[True, False], [False, True], [True, True]]))])
    case("Where/float", "Where", [("condition", f32([0, 1.5, 0, -2]))])
    case("Where/int64_3d", "Where", [("condition", i64([[[0, 1], [2, 0]], [[0, 0], [3, 4]]]))])
    case("Where/none", "Where", [("condition", np.zeros([2, 3], bool))])
    case("ZerosLike/float", "ZerosLike", [("x", f32([[1, 2], [3, 4]]))])
    case("ZerosLike/int64", "ZerosLike", [("x", i64([5, 6, 7]))])
    case("Unique/int64", "Unique", [("x", i64([4, 1, 4, 2, 1, 9]))])
    case("Unique/int32_idx64", "Unique", [("x", i32([3, 3, 3]))], attrs={"out_idx": tf.int64})
    case("Unique/strings", "Unique", [("x", s([b"b", b"a", b"b", b""]))])
    case("Unique/empty", "Unique", [("x", np.zeros([0], np.int64))])
    x = np.arange(24, dtype=np.int64).reshape(2, 3, 4)
    case("Slice/3d", "Slice", [("input", x), ("begin", i32([1, 0, 1])), ("size", i32([1, 2, -1]))])
    case("Slice/int64_index", "Slice", [("input", x.astype(np.int32)), ("begin", i64([0, 1, 0])),
                                        ("size", i64([-1, -1, 2]))])
    case("Slice/empty", "Slice", [("input", x), ("begin", i32([0, 0, 0])), ("size", i32([0, 3, 4]))])
    case("Slice/err_bounds", "Slice", [("input", x), ("begin", i32([1, 0, 0])), ("size", i32([2, 1, 1]))])
    idx = i64([[0, 0], [0, 2], [2, 1], [3, 3]])
    case("SparseReshape/infer", "SparseReshape",
         [("input_indices", idx), ("input_shape", i64([4, 4])), ("new_shape", i64([2, -1]))])
    case("SparseReshape/3d", "SparseReshape",
         [("input_indices", idx), ("input_shape", i64([4, 4])), ("new_shape", i64([2, 2, 4]))])
    case("SparseReshape/err_size", "SparseReshape",
         [("input_indices", idx), ("input_shape", i64([4, 4])), ("new_shape", i64([3, 5]))])
    case("SparseFillEmptyRows/int64", "SparseFillEmptyRows",
         [("indices", i64([[0, 1], [0, 3], [2, 0], [4, 1]])), ("values", i64([10, 11, 12, 13])),
          ("dense_shape", i64([6, 5])), ("default_value", i64(-1))])
    case("SparseFillEmptyRows/unsorted_strings", "SparseFillEmptyRows",
         [("indices", i64([[2, 0], [0, 1], [2, 1]])), ("values", s([b"c", b"a", b"d"])),
          ("dense_shape", i64([3, 2])), ("default_value", s(b"?"))])
    case("SparseFillEmptyRows/empty", "SparseFillEmptyRows",
         [("indices", np.zeros([0, 2], np.int64)), ("values", f32([])),
          ("dense_shape", i64([2, 3])), ("default_value", f32(0.5))])
    data = f32([[1, 2], [3, 4], [5, 6], [7, 8]])
    for op in ["SparseSegmentSum", "SparseSegmentMean", "SparseSegmentSqrtN"]:
        case(op + "/basic", op, [("data", data), ("indices", i32([0, 2, 1, 1, 3])),
                                 ("segment_ids", i64([0, 0, 1, 3, 3]))])
        case(op + "/double_int64_ids", op, [("data", data.astype(np.float64)),
                                            ("indices", i64([3, 0])), ("segment_ids", i32([2, 2]))])
        case(op + "/empty", op, [("data", data), ("indices", np.zeros([0], np.int32)),
                                 ("segment_ids", np.zeros([0], np.int32))])
        case(op + "/err_index", op, [("data", data), ("indices", i32([4])),
                                     ("segment_ids", i32([0]))])


def hashed_cross_cases():
    """SparseCross with hashed_output over string columns: each string enters FingerprintCat64
    as its Fingerprint64 (the tf1 wide-and-deep crosses)."""
    idx = i64([[0, 0], [1, 0], [1, 1], [2, 0]])
    words = s([b"red", b"green", b"", b"a much longer colour name than sixty-four bytes, yes indeed!!"])
    ints = i64([3, -5, 7, 1])
    dense = s([[b"x"], [b"y"], [b"z"]])
    for name, vals, dense_inputs in [("hashed_string_int64", [words, ints], []),
                                     ("hashed_string_dense_string", [words], [dense])]:
        attrs = {"hashed_output": True, "num_buckets": 24, "hash_key": 956888297470,
                 "out_type": tf.int64, "internal_type": tf.int64}
        node = {"N": len(vals), "sparse_types": [tf.as_dtype(v.dtype) if v.dtype != object else
                                                 tf.string for v in vals],
                "dense_types": [tf.string for _ in dense_inputs]}
        case("SparseCross/" + name, "SparseCross",
             [("indices", [idx] * len(vals)), ("values", vals),
              ("shapes", [i64([3, 2])] * len(vals)), ("dense_inputs", dense_inputs)],
             attrs=attrs, node_attrs=node)


def bincount_cases():
    empty = np.zeros([0], np.float32)
    case("DenseBincount/1d_counts", "DenseBincount",
         [("input", i32([1, 2, 2, 7, 0])), ("size", i32(4)), ("weights", empty)])
    case("DenseBincount/2d_counts", "DenseBincount",
         [("input", i32([[1, 2, 2, 7], [0, 0, 3, 1]])), ("size", i32(4)), ("weights", empty)])
    case("DenseBincount/2d_binary_int64", "DenseBincount",
         [("input", i64([[1, 2, 2, 7], [0, 0, 3, 1]])), ("size", i64(5)), ("weights", empty)],
         attrs={"binary_output": True})
    case("DenseBincount/weighted", "DenseBincount",
         [("input", i32([1, 2, 2, 7])), ("size", i32(4)), ("weights", f32([.5, 1, 2, 3]))])
    case("DenseBincount/weighted_int64", "DenseBincount",
         [("input", i32([1, 1])), ("size", i32(3)), ("weights", i64([5, 6]))])
    case("DenseBincount/size0", "DenseBincount",
         [("input", i32([1, 2])), ("size", i32(0)), ("weights", empty)])
    case("DenseBincount/err_negative", "DenseBincount",
         [("input", i32([1, -2])), ("size", i32(4)), ("weights", empty)])


def ngram_ragged_bincount_cases():
    """StringNGrams and RaggedBincount, as Keras' TextVectorization (ngrams, count / multi_hot /
    tf_idf) and IntegerLookup run them."""
    words = s([b"the", b"quick", b"brown", b"fox", b"a", b"b", b"c", b"x"])
    splits = i64([0, 4, 4, 5, 7, 8])
    base = {"separator": " ", "ngram_widths": Ints([2]), "left_pad": "", "right_pad": "",
            "pad_width": 0, "preserve_short_sequences": False}

    def ngrams(name, data=words, sp=splits, **attrs):
        case("StringNGrams/" + name, "StringNGrams", [("data", data), ("data_splits", sp)],
             attrs={**base, **attrs})

    ngrams("bigrams")  # TextVectorization(ngrams=2) adds the unigrams separately
    ngrams("widths_1_2_3", ngram_widths=Ints([1, 2, 3]))
    ngrams("int32_splits", sp=i32([0, 4, 4, 5, 7, 8]), ngram_widths=Ints([3, 1]))
    ngrams("pad_auto", ngram_widths=Ints([2, 3]), left_pad="<s>", right_pad="</s>", pad_width=-1)
    ngrams("pad_1", ngram_widths=Ints([3]), left_pad="L", right_pad="R", pad_width=1,
           separator="_")
    ngrams("pad_wider_than_width", ngram_widths=Ints([2, 4]), left_pad="L", right_pad="R",
           pad_width=5, separator="")
    ngrams("preserve_short", ngram_widths=Ints([3]), preserve_short_sequences=True)
    ngrams("preserve_short_padded", ngram_widths=Ints([4]), left_pad="L", right_pad="R",
           pad_width=1, preserve_short_sequences=True)
    ngrams("no_widths_preserve", ngram_widths=Ints([]), pad_width=0, preserve_short_sequences=True)
    ngrams("long_separator", ngram_widths=Ints([2]), separator=" <-> ")
    ngrams("empty_data", data=s([]).astype(bytes), sp=i64([0, 0, 0]))
    ngrams("one_row", sp=i64([0, 8]), ngram_widths=Ints([8, 9]))
    ngrams("err_first_split", sp=i64([1, 4, 8]))
    ngrams("err_last_split", sp=i64([0, 4, 7]))
    ngrams("err_decreasing", sp=i64([0, 5, 4, 8]))
    ngrams("err_width", ngram_widths=Ints([0]))
    ngrams("err_preserve_dynamic_pad", ngram_widths=Ints([]), pad_width=-1,
           preserve_short_sequences=True)

    values = i64([3, 1, 1, 7, 0, 2, 2, 2, 5])
    rsplits = i64([0, 4, 4, 6, 9])
    empty_f = np.zeros([0], np.float32)

    def bincount(name, v=values, sp=rsplits, size=np.int64(6), weights=empty_f, **attrs):
        case("RaggedBincount/" + name, "RaggedBincount",
             [("splits", sp), ("values", v), ("size", size), ("weights", weights)], attrs=attrs)

    bincount("counts")
    bincount("multi_hot", binary_output=True)
    bincount("int32_values", v=values.astype(np.int32), size=np.int32(4))
    bincount("weighted_float", weights=np.linspace(0.5, 4.5, 9).astype(np.float32))
    bincount("weighted_double_binary", weights=np.linspace(0.5, 4.5, 9), binary_output=True)
    bincount("counts_int64", weights=np.zeros([0], np.int64))
    bincount("counts_int32", weights=np.zeros([0], np.int32))
    bincount("size0", size=np.int64(0))
    bincount("no_rows", v=i64([]), sp=i64([0]))
    bincount("err_negative", v=i64([3, 1, 1, -7, 0, 2, 2, 2, 5]))
    bincount("err_first_split", sp=i64([1, 4, 4, 6, 9]))
    bincount("err_last_split", sp=i64([0, 4, 4, 6, 8]))
    bincount("err_size", size=np.int64(-1))


def regex_cases():
    text = s([b"The cat, the DOG!", b"", b"a-b_c", b"caf\xc3\xa9 ok", b"aaa"])
    punct = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
    case("StaticRegexReplace/strip_punctuation", "StaticRegexReplace", [("input", text)],
         attrs={"pattern": punct, "rewrite": ""})
    case("StaticRegexReplace/first_only", "StaticRegexReplace", [("input", text)],
         attrs={"pattern": "a", "rewrite": "<\\0>", "replace_global": False})
    case("StaticRegexReplace/groups", "StaticRegexReplace", [("input", text)],
         attrs={"pattern": r"(\w+) (\w+)", "rewrite": r"\2 \1"})
    case("StaticRegexReplace/empty_match", "StaticRegexReplace", [("input", s([b"abc", b""]))],
         attrs={"pattern": "x*", "rewrite": "-"})
    case("StaticRegexReplace/missing_group_unchanged", "StaticRegexReplace",
         [("input", s([b"abcb"]))], attrs={"pattern": "b", "rewrite": r"\2"})
    case("StaticRegexReplace/matrix", "StaticRegexReplace",
         [("input", s([[b"a  b", b" c "], [b"\t", b"dd"]]))], attrs={"pattern": r"\s+", "rewrite": " "})
    case("StaticRegexReplace/err_bad_pattern", "StaticRegexReplace", [("input", s([b"a"]))],
         attrs={"pattern": "(a", "rewrite": ""})
    for name, pattern in [("anchored", r"\w+ ok"), ("alternatives", "a+|The.*"), ("empty", "")]:
        case("RegexFullMatch/" + name, "RegexFullMatch", [("input", text), ("pattern", s(pattern))])
    case("StaticRegexFullMatch/words", "StaticRegexFullMatch", [("input", text)],
         attrs={"pattern": r"[\w ,!]+"})
    case("StaticRegexFullMatch/err_bad_pattern", "StaticRegexFullMatch", [("input", text)],
         attrs={"pattern": "a(c"})
    case("RegexFullMatch/err_bad_pattern", "RegexFullMatch", [("input", text), ("pattern", s("a(c"))])
    case("RegexFullMatch/err_pattern_vector", "RegexFullMatch",
         [("input", text), ("pattern", s([b"a"]))])
    case("RegexReplace/groups", "RegexReplace",
         [("input", text), ("pattern", s(r"(\w+) (\w+)")), ("rewrite", s(r"\2 \1"))])
    case("RegexReplace/first_only", "RegexReplace",
         [("input", text), ("pattern", s("a")), ("rewrite", s("<\\0>"))],
         attrs={"replace_global": False})
    case("RegexReplace/missing_group_unchanged", "RegexReplace",
         [("input", text), ("pattern", s("b")), ("rewrite", s(r"\2"))])
    case("RegexReplace/err_bad_pattern", "RegexReplace",
         [("input", text), ("pattern", s("(a")), ("rewrite", s(""))])
    case("RegexReplace/err_rewrite_vector", "RegexReplace",
         [("input", text), ("pattern", s("a")), ("rewrite", s([b"b"]))])


def ragged_cases():
    def r2t(name, shape, values, default, parts, types):
        case("RaggedTensorToTensor/" + name, "RaggedTensorToTensor",
             [("shape", shape), ("values", values), ("default_value", default),
              ("row_partition_tensors", parts)],
             attrs={"row_partition_types": types}, node_attrs={"num_row_partition_tensors": len(parts)})

    v = i32([1, 2, 3, 4, 5])
    sp = i64([0, 2, 2, 5])
    rid = [i64(4), i64([0, 0, 2, 2, 3])]
    r2t("splits_unknown_shape", i64(-1), v, i32(0), [sp], ["ROW_SPLITS"])
    r2t("splits_truncate", i64([2, 2]), v, i32(9), [sp], ["ROW_SPLITS"])
    r2t("splits_pad", i64([-1, 6]), v, i32(9), [sp], ["ROW_SPLITS"])
    r2t("splits_int32", i32([4, -1]), v, i32(7), [i32([0, 2, 2, 5])], ["ROW_SPLITS"])
    r2t("rowids", i64([5, -1]), v, i32(9), rid, ["FIRST_DIM_SIZE", "VALUE_ROWIDS"])
    r2t("rowids_keras_shape", i64([-1, 1]), v, i32(0), rid, ["FIRST_DIM_SIZE", "VALUE_ROWIDS"])
    r2t("rowids_trailing_empty", i64(-1), i64([3, 4]), i64(0), [i64(5), i64([1, 1])],
        ["FIRST_DIM_SIZE", "VALUE_ROWIDS"])
    r2t("two_levels", i64(-1), v, i32(0), [i64([0, 1, 3]), i64([0, 2, 2, 5])],
        ["ROW_SPLITS", "ROW_SPLITS"])
    r2t("two_levels_rowids_cut", i64([-1, 1, 2]), v, i32(-1),
        [i64(2), i64([0, 1, 1]), i64([0, 0, 2, 2, 2])], ["FIRST_DIM_SIZE", "VALUE_ROWIDS", "VALUE_ROWIDS"])
    vm = f32(np.arange(10).reshape(5, 2))
    r2t("inner_default_vector", i64(-1), vm, f32([7, 8]), [sp], ["ROW_SPLITS"])
    r2t("inner_shape_given", i64([-1, 4, 2]), vm, f32(0.5), [sp], ["ROW_SPLITS"])
    r2t("strings", i32([-1, 3]), s([b"a", b"b", b"c"]), s(b""), [i32([0, 1, 3])], ["ROW_SPLITS"])
    r2t("empty", i64(-1), i32([]), i32(0), [i64([0])], ["ROW_SPLITS"])
    r2t("empty_rows", i64(-1), i32([]), i32(0), [i64([0, 0, 0])], ["ROW_SPLITS"])
    r2t("err_splits_not_from_0", i64(-1), v, i32(0), [i64([1, 2, 5])], ["ROW_SPLITS"])
    r2t("err_splits_decreasing", i64(-1), v, i32(0), [i64([0, 2, 1, 5])], ["ROW_SPLITS"])
    r2t("err_shape_rank", i64([2, 2, 2]), v, i32(0), [sp], ["ROW_SPLITS"])
    r2t("err_inner_shape", i64([-1, -1, 3]), vm, f32(0), [sp], ["ROW_SPLITS"])
    r2t("err_default_shape", i64(-1), vm, f32([1, 2, 3]), [sp], ["ROW_SPLITS"])
    r2t("err_rowid_too_big", i64(-1), v, i32(0), [i64(2), i64([0, 0, 2, 2, 3])],
        ["FIRST_DIM_SIZE", "VALUE_ROWIDS"])


def cumsum_cases():
    x = np.arange(1, 13, dtype=np.int64).reshape(3, 4)
    xf = f32(np.linspace(-1.3, 2.9, 12).reshape(3, 4))
    case("Cumsum/axis0", "Cumsum", [("x", x), ("axis", i32(0))])
    case("Cumsum/axis1_float", "Cumsum", [("x", xf), ("axis", i32(1))])
    case("Cumsum/neg_axis_exclusive", "Cumsum", [("x", x), ("axis", i64(-1))],
         attrs={"exclusive": True})
    case("Cumsum/reverse", "Cumsum", [("x", xf), ("axis", i32(0))], attrs={"reverse": True})
    case("Cumsum/reverse_exclusive", "Cumsum", [("x", i32([1, 2, 3, 4])), ("axis", i32(0))],
         attrs={"reverse": True, "exclusive": True})
    case("Cumsum/empty", "Cumsum", [("x", i32(np.zeros((2, 0)))), ("axis", i32(1))])
    case("Cumsum/err_axis", "Cumsum", [("x", x), ("axis", i32(2))])


def half_cases():
    """float16 in, float16 out: Eigen::half rounds each float result to nearest-even."""
    rng = np.random.default_rng(5)
    a = (rng.standard_normal((3, 4)) * 300).astype(np.float16)
    b = (rng.standard_normal((3, 4)) * 3).astype(np.float16)
    special = np.array([0.0, -0.0, 65504, -65504, 6e-8, np.inf, -np.inf, np.nan], np.float16)
    for op in ("AddV2", "Mul"):
        case(op + "/half", op, [("x", a), ("y", b)])
        case(op + "/half_broadcast", op, [("x", a), ("y", b[0])])
        case(op + "/half_special", op, [("x", special), ("y", special[::-1].copy())])
    case("AddV2/half_overflow", "AddV2", [("x", np.float16([65504, 1e-4])), ("y", np.float16([32, 1e-4]))])
    case("Neg/half", "Neg", [("x", np.concatenate([a.reshape(-1), special]))])
    case("Max/half", "Max", [("input", a), ("axis", i32([1]))])
    case("Max/half_nan", "Max", [("input", special.reshape(2, 4)), ("axis", i32(0))],
         attrs={"keep_dims": True})


def substr_strip_segment_join_cases():
    w = s([b"hello", b"caf\xc3\xa9s", b"", b"\xe9abc"])
    grid = s([[b"abcd", b"efgh"], [b"ijkl", b"mnop"]])
    for unit in ("BYTE", "UTF8_CHAR"):
        attrs = {} if unit == "BYTE" else {"unit": unit}
        case("Substr/%s_scalar" % unit, "Substr", [("input", w), ("pos", i32(0)), ("len", i32(2))],
             attrs=attrs)
        case("Substr/%s_negative_pos" % unit, "Substr",
             [("input", w[:2]), ("pos", i32(-2)), ("len", i32(10))], attrs=attrs)
        case("Substr/%s_negative_len" % unit, "Substr",
             [("input", w[:2]), ("pos", i64(1)), ("len", i64(-1))], attrs=attrs)
        case("Substr/%s_elementwise" % unit, "Substr",
             [("input", w), ("pos", i32([1, 2, 0, 1])), ("len", i32([2, 3, 1, 2]))], attrs=attrs)
        case("Substr/%s_err_pos" % unit, "Substr",
             [("input", w[:2]), ("pos", i32(-6)), ("len", i32(1))], attrs=attrs)
        case("Substr/%s_broadcast_rows" % unit, "Substr",
             [("input", grid), ("pos", i32([1, 2])), ("len", i32([2, 1]))], attrs=attrs)
        case("Substr/%s_broadcast_cols" % unit, "Substr",
             [("input", grid), ("pos", i32([[1], [2]])), ("len", i32([[2], [1]]))], attrs=attrs)
    case("Substr/broadcast_input", "Substr",
         [("input", s([b"abcd"])), ("pos", i32([[1], [2]])), ("len", i32([[2], [1]]))])
    case("Substr/broadcast_scalar_input", "Substr",
         [("input", s(b"abcd")), ("pos", i64([[1], [2]])), ("len", i64([[2], [1]]))])
    case("Substr/rank3_same_shape", "Substr",
         [("input", s([[[b"abcd"]]])), ("pos", i32([[[1]]])), ("len", i32([[[2]]]))])
    case("Substr/err_shapes", "Substr",
         [("input", s([b"abcd"])), ("pos", i32([[1], [2]])), ("len", i32([2, 1]))])
    case("StringStrip/ascii_space", "StringStrip",
         [("input", s([[b" \t a b\n\v\f\r", b""], [b"\x00 x\xa0", b"   "]]))])
    join = "UnsortedSegmentJoin"
    case(join + "/vector", join, [("inputs", s([b"a", b"b", b"c", b"d"])),
                                  ("segment_ids", i32([1, 0, 1, 3])), ("num_segments", i32(4))],
         attrs={"separator": ":"})
    case(join + "/rows", join, [("inputs", s([[b"a", b"b"], [b"c", b"d"], [b"e", b"f"]])),
                                ("segment_ids", i64([1, 1, 0])), ("num_segments", i64(3))],
         attrs={"separator": ", "})
    case(join + "/full_rank_ids", join, [("inputs", s([[b"a", b"b"], [b"c", b"d"]])),
                                         ("segment_ids", i32([[1, 0], [0, 0]])),
                                         ("num_segments", i32(2))])
    case(join + "/empty_strings", join,
         [("inputs", s([b"", b"", b"a", b"", b"", b"b", b"", b"c", b""])),
          ("segment_ids", i32([0, 0, 0, 0, 1, 1, 2, 2, 3])), ("num_segments", i32(5))],
         attrs={"separator": "|"})
    case(join + "/zero_segments", join, [("inputs", s([], )), ("segment_ids", i32([])),
                                         ("num_segments", i32(0))])
    case(join + "/err_negative_id", join, [("inputs", s([b"a", b"b"])),
                                           ("segment_ids", i32([1, -1])), ("num_segments", i32(2))])
    case(join + "/err_id_too_big", join, [("inputs", s([b"a", b"b"])),
                                          ("segment_ids", i32([1, 2])), ("num_segments", i32(2))])
    case(join + "/err_prefix", join, [("inputs", s([b"a", b"b"])), ("segment_ids", i32([1])),
                                      ("num_segments", i32(2))])
    case(join + "/err_num_segments", join, [("inputs", s([b"a"])), ("segment_ids", i32([0])),
                                            ("num_segments", i32(-1))])
    case(join + "/err_scalar_ids", join, [("inputs", s(b"a")), ("segment_ids", i32(0)),
                                          ("num_segments", i32(1))])


def main():
    string_cases()
    substr_strip_segment_join_cases()
    regex_cases()
    ragged_cases()
    cumsum_cases()
    half_cases()
    split_join_cases()
    bincount_cases()
    ngram_ragged_bincount_cases()
    sparse_cases()
    hashed_cross_cases()
    kg.write_cases(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
