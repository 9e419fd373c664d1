"""Every dtype over TF Serving's REST JSON, in the row ("instances") and the columnar ("inputs")
format: a tf.Module exported here takes and returns each one, TensorFlow computes the answers,
and Tern's response must hold the same values written token for token as TF Serving writes them
(tensorflow_serving/util/json_tensor.cc):

- float and double: printf("%g") with six significant digits when that reads back to the same
  value, else max_digits10 (9 for float, 17 for double); ".0" appended when the text has neither
  '.' nor 'e'; NaN, Infinity and -Infinity as bare tokens.
- the integers: plain decimal, int64 and uint64 included (no quoting; 2^64 - 1 in full).
- bool: true/false. string: a JSON string; an output whose name ends in "_bytes":
  {"b64": <base64 with padding>}. A request's {"b64": ...} is decoded for any string input.

TF Serving refuses float16, bfloat16 and uint16 in JSON (Unimplemented, both ways). Tern takes
and writes them: the 16-bit floats as numbers written as TF Serving writes a float32 of the same
value (every float16 and bfloat16 is one), uint16 as a decimal integer.
"""
import base64
import json
import math

import numpy as np
import pytest
import requests
import tensorflow as tf

MODEL = "dtypes"
BF16 = tf.bfloat16.as_numpy_dtype
ROWS = 3

# name -> (dtype, values of shape [ROWS, 4]) for the numeric and bool inputs.
F32 = np.array([[0.1, 1 / 3, -0.0, 9e6], [1e-7, 16777217.0, math.nan, math.inf],
                [-math.inf, 3.4028235e38, 1.4e-45, 2.5]], np.float32)
F64 = np.array([[0.1, 1 / 3, -0.0, 9e6], [1e-300, 2.0**53 + 2, math.nan, -math.inf],
                [1.7976931348623157e308, 5e-324, 123456.7, -2.0]], np.float64)
HALF = np.array([[0.1, -2.5, 1000.0, 65504.0], [6e-8, -0.3333, math.nan, math.inf],
                 [-0.0, 3.0, 0.5, -1.0]], np.float16)
BFLOAT = np.array([[0.1, -2.5, 1e30, 3.0], [-0.3333, math.inf, math.nan, 1e-30],
                   [-0.0, 7.0, 256.0, -1.5]], BF16)
INPUTS = {
    "f32": (tf.float32, F32),
    "f64": (tf.float64, F64),
    "f16": (tf.float16, HALF),
    "bf16": (tf.bfloat16, BFLOAT),
    "i8": (tf.int8, np.array([[-128, 127, 0, -1], [5, 100, -100, 64], [1, 2, 3, 4]], np.int8)),
    "i16": (tf.int16, np.array([[-32768, 32767, 0, -1], [300, -300, 7, 8], [1, 2, 3, 4]],
                               np.int16)),
    "i32": (tf.int32, np.array([[-2**31, 2**31 - 1, 0, -1], [70000, -70000, 9, 10], [1, 2, 3, 4]],
                               np.int32)),
    "i64": (tf.int64, np.array([[-2**63, 2**63 - 1, 0, -1], [2**53 + 1, -(2**53 + 1), 2**62, 11],
                                [1, 2, 3, 4]], np.int64)),
    "u8": (tf.uint8, np.array([[0, 255, 128, 1], [7, 8, 9, 10], [1, 2, 3, 4]], np.uint8)),
    "u16": (tf.uint16, np.array([[0, 65535, 32768, 1], [7, 8, 9, 10], [1, 2, 3, 4]], np.uint16)),
    "u32": (tf.uint32, np.array([[0, 2**32 - 1, 2**31, 1], [7, 8, 9, 10], [1, 2, 3, 4]],
                                np.uint32)),
    "u64": (tf.uint64, np.array([[0, 2**64 - 1, 2**63, 2**53 + 1], [7, 8, 9, 10], [1, 2, 3, 4]],
                                np.uint64)),
    "flag": (tf.bool, np.array([[True, False, True, True], [False, False, True, False],
                                [True, True, True, True]])),
}
TEXT = np.array([["tern", "\u00e9t\u00e9", "a \"quoted\"\\ word", "tab\tnew\nline\x01"],
                 ["", "x", "y", "z"], ["1", "2", "3", "4"]], object)
BLOBS = np.array([[b"\x00\xff\xfe", b"", b"abc", b"\x80"], [b"1", b"12", b"123", b"1234"],
                  [b"a", b"b", b"c", b"d"]], object)


class Dtypes(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None, 4], dt, name) for name, (dt, _) in
                                  INPUTS.items()] + [tf.TensorSpec([None, 4], tf.string, "text"),
                                                     tf.TensorSpec([None, 4], tf.string, "blob")])
    def serve(self, f32, f64, f16, bf16, i8, i16, i32, i64, u8, u16, u32, u64, flag, text, blob):
        out = {}
        for name, x in (("f32", f32), ("f64", f64), ("f16", f16), ("bf16", bf16)):
            out[name] = tf.identity(x)
            # Computed in the dtype itself: a product and a sum, each rounded to it.
            out[name + "_calc"] = x * tf.constant(1.5, x.dtype) + tf.constant(0.25, x.dtype)
        for name, x in (("i8", i8), ("i16", i16), ("i32", i32), ("i64", i64), ("u8", u8),
                        ("u16", u16), ("u32", u32), ("u64", u64)):
            out[name] = tf.identity(x)
            out[name + "_calc"] = x + x  # wraps, as integer arithmetic does in TensorFlow
        out["flag"] = tf.logical_not(flag)
        out["text"] = tf.strings.join([text, "!"])
        out["blob_bytes"] = tf.identity(blob)
        out["text_as_bytes"] = tf.identity(text)
        return out


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """The exported model and TensorFlow's outputs for INPUTS, TEXT and BLOBS."""
    base = tmp_path_factory.mktemp("dtypes")
    module = Dtypes()
    tf.saved_model.save(module, str(base / "1"), signatures={"serving_default": module.serve})
    feeds = {name: tf.constant(values, dt) for name, (dt, values) in INPUTS.items()}
    want = module.serve(**feeds, text=tf.constant(TEXT.tolist()), blob=tf.constant(BLOBS.tolist()))
    return base, {name: t.numpy() for name, t in want.items()}


@pytest.fixture(scope="module")
def server(tern_factory, model):
    return tern_factory(MODEL, model[0])


class Token(str):
    """A number or NaN/Infinity token exactly as it appears in the response body."""


def parse_keeping_tokens(body):
    return json.loads(body, parse_float=Token, parse_int=Token, parse_constant=Token)


def tf_serving_decimal(value, digits):
    """TF Serving's text for a float (digits=9) or double (digits=17)."""
    v = float(value)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "-Infinity" if v < 0 else "Infinity"
    text = "%.6g" % v
    reads_back = float(text) if digits == 17 else float(np.float32(float(text)))
    if reads_back != v:
        text = "%.*g" % (digits, v)
    if "." not in text and "e" not in text:
        text += ".0"
    return text


def expected_tokens(name, values):
    """The JSON tree TF Serving writes for output `name` (numbers as their tokens)."""
    def leaf(v):
        if values.dtype == np.float64:
            return tf_serving_decimal(v, 17)
        if values.dtype in (np.float32, np.float16, BF16):
            return tf_serving_decimal(np.float32(v), 9)
        if values.dtype == np.bool_:
            return bool(v)
        if values.dtype == object:
            if name.endswith("_bytes"):
                return {"b64": base64.b64encode(v).decode()}
            return v.decode("utf-8")
        return str(int(v))

    def tree(v):
        return [tree(x) for x in v] if isinstance(v, np.ndarray) else leaf(v)
    return [tree(row) for row in values]


def plain(values):
    """Request values for json.dumps: exact Python numbers (NaN/Infinity as tokens)."""
    if values.dtype in (np.float16, BF16):
        values = values.astype(np.float32)  # exact
    if values.dtype == object:
        return [[v.decode() if isinstance(v, bytes) else v for v in row] for row in values]
    return values.tolist()


def columnar_body():
    inputs = {name: plain(values) for name, (_, values) in INPUTS.items()}
    inputs["text"] = TEXT.tolist()
    inputs["blob"] = [[{"b64": base64.b64encode(b).decode()} for b in row] for row in BLOBS]
    return {"inputs": inputs}


def row_body():
    columns = columnar_body()["inputs"]
    return {"instances": [{name: column[i] for name, column in columns.items()}
                          for i in range(ROWS)]}


def predict(server, body):
    r = requests.post(f"{server.rest}/v1/models/{MODEL}:predict", data=json.dumps(body),
                      timeout=30)
    assert r.status_code == 200, r.text
    return r.text


def test_columnar_request_and_response(server, model):
    got = parse_keeping_tokens(predict(server, columnar_body()))["outputs"]
    want = model[1]
    assert sorted(got) == sorted(want)
    for name in sorted(want):
        assert got[name] == expected_tokens(name, want[name]), name


def test_row_request_and_response(server, model):
    got = parse_keeping_tokens(predict(server, row_body()))["predictions"]
    want = model[1]
    assert len(got) == ROWS
    for i, row in enumerate(got):
        assert sorted(row) == sorted(want)
        for name in sorted(want):
            assert row[name] == expected_tokens(name, want[name])[i], (name, i)


def test_the_reference_formatting_is_tf_servings():
    """The reference itself, on values whose TF Serving text is known from its rules."""
    assert tf_serving_decimal(np.float32(0.1), 9) == "0.1"
    assert tf_serving_decimal(np.float32(2.0), 9) == "2.0"
    assert tf_serving_decimal(np.float32(9e6), 9) == "9e+06"
    assert tf_serving_decimal(np.float32(16777216.0), 9) == "16777216.0"
    assert tf_serving_decimal(np.float32(1 / 3), 9) == "0.333333343"
    assert tf_serving_decimal(1 / 3, 17) == "0.33333333333333331"
    assert tf_serving_decimal(-0.0, 17) == "-0.0"
    assert tf_serving_decimal(math.nan, 17) == "NaN"
    assert tf_serving_decimal(-math.inf, 9) == "-Infinity"


def test_token_layout_of_a_whole_body(server):
    """Beyond the values: the body is TF Serving's pretty-printed layout, with uint64's top value
    and int64's bottom one written in full."""
    body = columnar_body()
    text = predict(server, body)
    assert text.startswith('{\n    "outputs": {\n')
    assert "18446744073709551615" in text and "-9223372036854775808" in text
    assert '"b64": "AP/+"' in text
