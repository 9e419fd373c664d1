"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/): a few small, real
inputs each, from the repo's test models and the request forms the tests use. The files are
committed; rerun this (with the venv's TensorFlow) only to change them:
    .venv/bin/python tests/fuzz/make_seeds.py
Length-prefixed layouts follow tests/fuzz/fuzz_input.h."""
import gzip
import json
import pathlib
import shutil
import struct

import numpy as np
import tensorflow as tf

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ZOO = ROOT / "tests/models/zoo_tf2_15"
SMALL_MODELS = ["hashing", "mlp_linear", "tf1_raw_features", "module_multi_signature"]


def prefixed(*pieces):
    """All pieces but the last preceded by their 4-byte little-endian length."""
    out = b""
    for piece in pieces[:-1]:
        out += struct.pack("<I", len(piece)) + piece
    return out + pieces[-1]


def write(target, seeds):
    d = HERE / "corpus" / target
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    for name, data in seeds.items():
        (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


PREDICT = {
    "row": '{"instances": [[1.0, 2.0, 3.0], [4, 5, 6]]}',
    "columnar": '{"signature_name": "serving_default", "inputs": {"x": [[1.5, -2, 1e3]]}}',
    "nonfinite": '{"inputs": [[NaN, Infinity, -Infinity]]}',
    "multi": '{"signature_name": "multi", "instances": [{"a": 1, "b": ["x", {"b64": "eXk="}], '
             '"c": true}, {"a": -2, "b": ["z", "w"], "c": false}]}',
    "bytes": '{"signature_name": "bytes", "inputs": {"s_bytes": [{"b64": "AAEC"}, {"b64": "/w=="}]}}',
    "half": '{"signature_name": "xy", "inputs": [[0.5, 65504, -1e-3]]}',
    "uint64": '{"signature_name": "abcdefghijkl", "inputs": [18446744073709551615, 0]}',
}

EXAMPLES = {
    "regress": '{"examples": [{"x": 1.5, "tag": "a"}, {"x": [2, 3], "tag": {"b64": "Yg=="}}]}',
    "classify_context": '{"signature_name": "classify", "context": {"country": "fr"}, '
                        '"examples": [{"age": 31, "flag": true}, {"age": [], "score": [0.5, 1e-3]}]}',
}

KSERVE = {
    "json": '{"id": "1", "inputs": [{"name": "x", "datatype": "FP32", "shape": [2, 2], '
            '"data": [[1, 2], [3, 4]]}], "outputs": [{"name": "y"}]}',
    "bytes_and_bool": '{"inputs": [{"name": "s", "datatype": "BYTES", "shape": [2], "data": ["a", "bc"]}, '
                      '{"name": "b", "datatype": "BOOL", "shape": [1], "data": [true]}], '
                      '"parameters": {"binary_data_output": true, "signature_name": "serving_default"}}',
    "shared_memory": '{"inputs": [{"name": "x", "datatype": "INT32", "shape": [4], "parameters": '
                     '{"shared_memory_region": "region", "shared_memory_offset": 16, '
                     '"shared_memory_byte_size": 16}}], "outputs": [{"name": "y", "parameters": '
                     '{"shared_memory_region": "region", "shared_memory_byte_size": 64, '
                     '"classification": 2}}]}',
}
header = ('{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 3], "parameters": '
          '{"binary_data_size": 12}}, {"name": "s", "datatype": "BYTES", "shape": [2], '
          '"parameters": {"binary_data_size": 11}}], "outputs": [{"name": "y", "parameters": '
          '{"binary_data": true}}]}').encode()
binary = struct.pack("<3f", 1, 2, 3) + struct.pack("<I", 3) + b"abc" + struct.pack("<I", 0)
KSERVE["binary_extension"] = str(len(header)).encode() + b"\n" + header + binary

MODEL_CONFIG = {
    "two_models": 'model_config_list {\n  config {\n    name: "mlp"\n    base_path: "/models/mlp"\n'
                  '    model_platform: "tensorflow"\n    model_version_policy { specific { versions: 1 '
                  'versions: 2 } }\n    version_labels { key: "stable" value: 1 }\n  }\n  config {\n'
                  '    name: "taxi"\n    base_path: "/models/taxi"\n    model_version_policy { latest '
                  '{ num_versions: 2 } }\n  }\n}\n',
    "scale_to_zero": 'model_config_list { config { name: "m" base_path: "/m" min_instances: 0 '
                     'max_instances: 1 idle_unload_seconds: 30 model_version_policy { all {} } } }\n',
    "bad": 'model_config_list { config { name: "m" base_path: "/m" model_type: OTHER } }\n',
}

HTTP = {
    "predict": b"\x1fPOST /v1/models/mlp:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: 31\r\n\r\n{\"instances\": [[1.0, 2.0, 3.0]]}",
    "chunked_keepalive": b"\x07POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                         b"Inference-Header-Content-Length: 2\r\n\r\n4\r\n{}ab\r\n0\r\n\r\n"
                         b"GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n",
    "gzip": b"\xffPOST /v1/models/m:regress HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n",
    "options": b"\x00OPTIONS /v1/models/m HTTP/1.1\r\nOrigin: http://a\r\nConnection: close\r\n\r\n",
}
zipped = gzip.compress(EXAMPLES["regress"].encode())
HTTP["gzip"] = HTTP["gzip"] % len(zipped) + zipped


def tensor_protos():
    protos = {
        "float_content": tf.make_tensor_proto(np.arange(6, dtype=np.float32).reshape(2, 3)),
        "int64_content": tf.make_tensor_proto(np.array([[1, -2], [3, 2**40]], dtype=np.int64)),
        "strings": tf.make_tensor_proto(np.array([b"a", b"bc", b"\xff"], dtype=object)),
        "half": tf.make_tensor_proto(np.array([0.5, -2], dtype=np.float16)),
        "bool": tf.make_tensor_proto(np.array([True, False, True])),
        "splat": tf.make_tensor_proto(7, dtype=tf.int32, shape=[3, 2]),
        "complex": tf.make_tensor_proto(np.array([1 + 2j], dtype=np.complex64)),
    }
    typed = tf.make_tensor_proto(np.array([1.5, 2.5], dtype=np.float32))
    typed.ClearField("tensor_content")
    typed.float_val.extend([1.5, 2.5])
    protos["float_val"] = typed
    return {k: v.SerializeToString() for k, v in protos.items()}


def example(features):
    feats = {}
    for k, v in features.items():
        if isinstance(v[0], bytes):
            feats[k] = tf.train.Feature(bytes_list=tf.train.BytesList(value=v))
        elif isinstance(v[0], float):
            feats[k] = tf.train.Feature(float_list=tf.train.FloatList(value=v))
        else:
            feats[k] = tf.train.Feature(int64_list=tf.train.Int64List(value=v))
    return tf.train.Example(features=tf.train.Features(feature=feats)).SerializeToString()


def parse_example_seeds():
    full = example({"s_str": [b"a", b"b"], "s_int": [1, 2, 3], "s_flt": [0.5],
                    "d_flt": [1.0, 2.0], "d_int": [4], "d_req": [3.0], "d_str": [b"x"]})
    minimal = example({"d_req": [1.0]})
    wrong = example({"d_req": [1.0, 2.0], "d_flt": [1], "s_int": [0.5]})
    return {"one": prefixed(full, b"", b""), "batch": prefixed(full, minimal, full, minimal),
            "wrong_kinds": prefixed(wrong, b"", b"")}


def tf_record(data):
    """TFRecord framing as TF writes it (length, masked CRC32C of it, data, masked CRC32C)."""
    with tf.io.TFRecordWriter("/tmp/tern_seed.tfrecord") as w:
        w.write(data)
    return pathlib.Path("/tmp/tern_seed.tfrecord").read_bytes()


def warmup_seeds():
    """Warmup files as TF Serving users write them: predict, classify and multi-inference logs."""
    from tensorflow_serving.apis import (classification_pb2, inference_pb2, predict_pb2,
                                         prediction_log_pb2)
    predict = predict_pb2.PredictRequest()
    predict.model_spec.name = "m"
    predict.inputs["x"].CopyFrom(tf.make_tensor_proto([[1.0, 2.0]], dtype=tf.float32))
    predict.inputs["s"].CopyFrom(tf.make_tensor_proto([b"a", b"bc"]))
    predict.output_filter.append("y")
    classify = classification_pb2.ClassificationRequest()
    classify.model_spec.signature_name = "classify"
    classify.input.example_list.examples.add().ParseFromString(example({"x": [1.5], "w": [b"red"]}))
    multi = inference_pb2.MultiInferenceRequest()
    multi.input.example_list_with_context.context.ParseFromString(example({"c": [3]}))
    multi.input.example_list_with_context.examples.add().ParseFromString(example({"x": [2.0]}))
    multi.tasks.add().model_spec.signature_name = "regress"
    multi.tasks.add().model_spec.signature_name = "classify"
    logs = {
        "predict": prediction_log_pb2.PredictionLog(
            predict_log=prediction_log_pb2.PredictLog(request=predict)),
        "classify": prediction_log_pb2.PredictionLog(
            classify_log=prediction_log_pb2.ClassifyLog(request=classify)),
        "multi_inference": prediction_log_pb2.PredictionLog(
            multi_inference_log=prediction_log_pb2.MultiInferenceLog(request=multi)),
    }
    seeds = {name: tf_record(log.SerializeToString()) for name, log in logs.items()}
    seeds["three_records"] = b"".join(seeds[name] for name in logs)
    return seeds


def h2_frame(kind, flags, stream, payload=b""):
    """One HTTP/2 frame: 24-bit length, type, flags, 31-bit stream id, payload (RFC 9113 4.1)."""
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + \
        struct.pack(">I", stream) + payload


def hpack_literal(headers):
    """HPACK literal header fields without indexing, new names, no Huffman (RFC 7541 6.2.2)."""
    out = b""
    for name, value in headers:
        out += b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value
    return out


def http2_seeds():
    """What clients send after the preface: SETTINGS, then requests as HEADERS (+ DATA)."""
    settings, headers, data, window, ping, goaway, rst = 4, 1, 0, 8, 6, 7, 3
    end_stream, end_headers = 1, 4

    def request(stream, path, body=b"", content_type=b"application/json", extra=()):
        fields = [(b":method", b"POST" if body else b"GET"), (b":scheme", b"http"),
                  (b":authority", b"localhost"), (b":path", path),
                  (b"content-type", content_type)] + list(extra)
        head = h2_frame(headers, end_headers | (0 if body else end_stream), stream,
                        hpack_literal(fields))
        return head + (h2_frame(data, end_stream, stream, body) if body else b"")

    hello = h2_frame(settings, 0, 0)
    predict = request(1, b"/v1/models/m:predict", b'{"instances": [[1.0, 2.0]]}')
    return {
        "get_status": hello + request(1, b"/v1/models/m"),
        "predict": hello + predict,
        "two_streams_and_ping": hello + predict + request(3, b"/v2/health/ready") +
        h2_frame(ping, 0, 0, b"12345678"),
        "gzip_body": hello + request(1, b"/v1/models/m:predict", gzip.compress(b'{"inputs": 1}'),
                                     extra=[(b"content-encoding", b"gzip")]),
        "grpc_stream": hello + request(1, b"/tensorflow.serving.PredictionService/Predict",
                                       b"\x00\x00\x00\x00\x00", b"application/grpc"),
        "window_update_and_reset": hello + h2_frame(window, 0, 0, struct.pack(">I", 65535)) +
        request(1, b"/v1/models/m:predict", b"{}")[:-2] + h2_frame(rst, 0, 1, b"\x00\x00\x00\x08"),
        "goaway": hello + predict + h2_frame(goaway, 0, 0, b"\x00" * 8),
    }


def image_seeds():
    """Small real images of each format, behind the options byte image_decode_fuzz reads."""
    import sys
    sys.path.insert(0, str(ROOT / "tests" / "models"))
    import image_files
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    indices = rng.integers(0, 4, size=(4, 6))
    palette = [(0, 0, 0), (255, 0, 0), (0, 255, 0), (0, 0, 255)]
    return {
        "jpeg_rgb": b"\x00" + tf.io.encode_jpeg(rgb, quality=80).numpy(),
        "jpeg_gray_ratio2": b"\x15" + tf.io.encode_jpeg(rgb[..., :1]).numpy(),
        "png_rgb": b"\x00" + tf.io.encode_png(rgb).numpy(),
        "png_16bit": b"\x13" + tf.io.encode_png(rgb.astype(np.uint16) * 257).numpy(),
        "gif_two_frames": b"\x00" + image_files.gif(6, 4, [
            {"indices": indices}, {"indices": indices[:2, :3], "left": 1, "top": 1,
                                   "transparent": 0}], palette=palette, palette_bits=1),
        "bmp_24": b"\x00" + image_files.bmp(rgb),
        "bmp_32_top_down": b"\x03" + image_files.bmp(
            np.concatenate([rgb, rgb[..., :1]], axis=-1), bits=32, top_down=True),
        "bmp_8": b"\x00" + image_files.bmp(rgb[..., 0], bits=8),
    }


def main():
    write("json_predict_fuzz", PREDICT)
    write("json_examples_fuzz", EXAMPLES)
    write("kserve_infer_request_fuzz", KSERVE)
    write("model_config_fuzz", MODEL_CONFIG)
    write("http_request_fuzz", HTTP)
    write("gzip_fuzz", {k: gzip.compress(v.encode()) for k, v in EXAMPLES.items()} |
          {"empty": gzip.compress(b"")})
    write("tensor_proto_fuzz", tensor_protos())
    write("parse_example_fuzz", parse_example_seeds())
    bundles, models = {}, {}
    for name in SMALL_MODELS:
        v = ZOO / name / "1"
        index = (v / "variables/variables.index").read_bytes()
        data = (v / "variables/variables.data-00000-of-00001").read_bytes()
        bundles[name] = prefixed(index, data)
        models[name] = prefixed((v / "saved_model.pb").read_bytes(), index, data)
    write("tensor_bundle_fuzz", bundles)
    write("saved_model_fuzz", models)
    write("warmup_records_fuzz", warmup_seeds())
    write("http2_fuzz", http2_seeds())
    write("image_decode_fuzz", image_seeds())


if __name__ == "__main__":
    main()
