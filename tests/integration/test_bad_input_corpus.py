"""A corpus of malformed requests across REST v1, KServe v2 (REST and gRPC) and TF Serving gRPC.
Each is answered with the right status code and a message naming the problem, and the server
keeps serving correct answers after every one."""
import base64
import gzip
import json
import socket
import time

import grpc
import pytest
import requests
import tensorflow as tf
from tensorflow_serving.apis import (classification_pb2, get_model_metadata_pb2, inference_pb2,
                                     predict_pb2, prediction_service_pb2_grpc, regression_pb2)
import tritonclient.grpc.service_pb2 as v2pb
import tritonclient.grpc.service_pb2_grpc as v2grpc

from conftest import TF_SERVING_MODELS

MODEL = "half_plus_two"
PREDICT = f"/v1/models/{MODEL}:predict"
CLASSIFY = f"/v1/models/{MODEL}:classify"
REGRESS = f"/v1/models/{MODEL}:regress"
INFER = f"/v2/models/{MODEL}/infer"
MAX_REQUEST_BYTES = 1 << 16


@pytest.fixture(scope="module")
def server(tern_factory):
    return tern_factory(MODEL, TF_SERVING_MODELS / "saved_model_half_plus_two_cpu",
                        [f"--max_request_bytes={MAX_REQUEST_BYTES}"])


def still_serving(server):
    ok = requests.post(server.rest + PREDICT, json={"instances": [1.0, 2.0, 5.0]}, timeout=10)
    assert ok.json() == {"predictions": [2.5, 3.0, 4.5]}


def v2_input(data, shape=(2,), datatype="FP32", name="x"):
    return json.dumps({"inputs": [{"name": name, "shape": list(shape), "datatype": datatype,
                                   "data": data}]}).encode()


DEEP = b'{"instances": ' + b"[" * 30000 + b"]" * 30000 + b"}"


def v2_binary(header, binary, declared_length=None):
    """A binary-extension body and its headers; declared_length overrides the true JSON length."""
    length = len(header) if declared_length is None else declared_length
    return header + binary, {"Inference-Header-Content-Length": str(length)}


BIN_HEADER = b'{"inputs": [{"name": "x", "shape": [2], "datatype": "FP32", "parameters": ' \
             b'{"binary_data_size": 8}}]}'
OVERLONG = v2_binary(BIN_HEADER, b"", declared_length=len(BIN_HEADER) + 50)
SHORT_DATA = v2_binary(BIN_HEADER, b"abcd")
REST_CASES = [
    # (method, path, body, headers, status, words the error must contain)
    ("POST", PREDICT, b"{not json", {}, 400, ["JSON", "offset"]),
    ("POST", PREDICT, b'{"instances": [1.0, 2.0', {}, 400, ["JSON"]),
    ("POST", PREDICT, b"", {}, 400, ["empty"]),
    ("POST", PREDICT, b"[1, 2, 3]", {}, 400, ["object"]),
    ("POST", PREDICT, b'"just a string"', {}, 400, ["object"]),
    ("POST", PREDICT, b'{"nothing": 1}', {}, 400, ["instances"]),
    ("POST", PREDICT, b'{"instances": []}', {}, 400, ["instances"]),
    ("POST", PREDICT, b'{"instances": ["a string"]}', {}, 400, ["x"]),
    ("POST", PREDICT, b'{"instances": [[1.0], [2.0, 3.0]]}', {}, 400, ["x"]),
    ("POST", PREDICT, b'{"instances": [1.0], "inputs": [1.0]}', {}, 400, ["instances", "inputs"]),
    ("POST", PREDICT, b'{"instances": [{"wrong_name": 1.0}]}', {}, 400, ["wrong_name"]),
    ("POST", PREDICT, b'{"instances": [1e39]}', {}, 400, ["x"]),
    ("POST", PREDICT, b'{"instances": [{"b64": "!!!not base64"}]}', {}, 400, ["x"]),
    ("POST", PREDICT, b'{"instances": [true]}', {}, 400, ["x"]),
    ("POST", PREDICT, b'{"instances": [null]}', {}, 400, ["x"]),
    ("POST", PREDICT, DEEP, {}, 400, []),
    ("POST", PREDICT, b'{"signature_name": 7, "instances": [1.0]}', {}, 400, ["signature_name"]),
    ("POST", PREDICT, b'{"signature_name": "nope", "instances": [1.0]}', {}, 404, ["nope"]),
    ("POST", "/v1/models/no_such_model:predict", b'{"instances": [1.0]}', {}, 404,
     ["Servable not found for request: Latest(no_such_model)"]),
    ("POST", f"/v1/models/{MODEL}/versions/999:predict", b'{"instances": [1.0]}', {}, 404, ["999"]),
    ("POST", f"/v1/models/{MODEL}/versions/abc:predict", b'{"instances": [1.0]}', {}, 400, ["abc"]),
    ("POST", f"/v1/models/{MODEL}/versions/99999999999999999999:predict", b'{"instances": [1.0]}', {},
     400, ["99999999999999999999"]),
    ("POST", f"/v1/models/{MODEL}:explode", b"{}", {}, 404, ["explode"]),
    ("POST", PREDICT, b"x" * (MAX_REQUEST_BYTES + 1), {}, 413, ["limit"]),
    ("POST", PREDICT, gzip.compress(b'{"instances": [' + b"1.0," * 40000 + b'1.0]}'),
     {"Content-Encoding": "gzip"}, 413, ["max_request_bytes"]),
    ("POST", PREDICT, b"\x1f\x8b\x08\x00 not really gzip", {"Content-Encoding": "gzip"}, 400, ["gzip"]),
    ("POST", PREDICT, b"{}", {"Content-Encoding": "br"}, 415, ["br"]),
    ("GET", "/v1/models", b"", {}, 400, ["Missing model name"]),
    ("GET", "/v1/models/no_such_model", b"", {}, 404, ["no_such_model"]),
    ("GET", "/v1/models/no_such_model/metadata", b"", {}, 404, ["no_such_model"]),
    ("GET", f"/v1/models/{MODEL}/versions/5/metadata", b"", {}, 404, ["5"]),
    ("POST", "/v1/nonsense", b"", {}, 404, ["nonsense"]),
    # classify / regress
    ("POST", CLASSIFY, b'{"signature_name": "classify_x_to_y"}', {}, 400, ["examples"]),
    ("POST", CLASSIFY, b'{"signature_name": "classify_x_to_y", "examples": []}', {}, 400, ["empty"]),
    ("POST", CLASSIFY, b'{"signature_name": "classify_x_to_y", "examples": [1.0]}', {}, 400, ["object"]),
    ("POST", CLASSIFY, b'{"signature_name": "classify_x_to_y", "examples": [{"x": [[1.0]]}]}', {}, 400, ["x"]),
    ("POST", CLASSIFY, b'{"signature_name": "serving_default", "examples": [{"x": 1.0}]}', {}, 400,
     ["serving_default"]),
    ("POST", REGRESS, b'{"signature_name": "classify_x_to_y", "examples": [{"x": 1.0}]}', {}, 400, ["outputs"]),
    ("POST", REGRESS, b'{"signature_name": "regress_x_to_y", "examples": [{"y": 1.0}]}', {}, 400, ["x"]),
    ("POST", REGRESS, b'{"signature_name": "nope", "examples": [{"x": 1.0}]}', {}, 404, ["nope"]),
    # KServe v2 REST
    ("POST", INFER, b"{", {}, 400, ["JSON"]),
    ("POST", INFER, b"{}", {}, 400, ["inputs"]),
    ("POST", INFER, v2_input([1.0, 2.0, 3.0]), {}, 400, ["x", "[2]", "3"]),
    ("POST", INFER, v2_input([1.0, "two"]), {}, 400, ["x", "element 1"]),
    ("POST", INFER, v2_input([1.0, 2.0], datatype="FP99"), {}, 400, ["FP99"]),
    ("POST", INFER, v2_input([1, 2], datatype="INT32"), {}, 400, ["INT32", "FP32"]),
    ("POST", INFER, v2_input([1.0, 2.0], shape=(-2,)), {}, 400, ["-2"]),
    ("POST", INFER, v2_input([1.0], shape=(1 << 40, 1 << 40)), {}, 400, ["elements"]),
    ("POST", INFER, v2_input([1.0, 1e300]), {}, 400, ["FP32"]),
    ("POST", INFER, v2_input([300, 2], datatype="UINT8", name="x"), {}, 400, ["range"]),
    ("POST", INFER, v2_input([1.0, 2.0], name="nope"), {}, 400, ["nope"]),
    ("POST", INFER, b'{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": ' +
     b"[" * 200 + b"1.0" + b"]" * 200 + b"}]}", {}, 400, ["nested"]),
    ("POST", INFER, OVERLONG[0], OVERLONG[1], 400, ["Inference-Header-Content-Length"]),
    ("POST", INFER, SHORT_DATA[0], SHORT_DATA[1], 400, ["binary_data_size"]),
    ("POST", INFER, v2_input([1.0, 2.0]), {"Inference-Header-Content-Length": "abc"}, 400, ["abc"]),
    ("POST", "/v2/models/no_such_model/infer", v2_input([1.0, 2.0]), {}, 404, ["no_such_model"]),
    ("POST", f"/v2/models/{MODEL}/versions/x1/infer", v2_input([1.0, 2.0]), {}, 400, ["x1"]),
    ("GET", "/v2/models/no_such_model", b"", {}, 404, ["no_such_model"]),
    ("GET", "/v2/models/no_such_model/ready", b"", {}, 404, ["no_such_model"]),
    ("GET", "/v2/bogus", b"", {}, 404, ["bogus"]),
]


@pytest.mark.parametrize("method,path,body,headers,status,words", REST_CASES,
                         ids=[f"rest{i}" for i in range(len(REST_CASES))])
def test_rest_bad_request(server, method, path, body, headers, status, words):
    r = requests.request(method, server.rest + path, data=body, headers=headers, timeout=30)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    for word in words:
        assert word in error, f"{error!r} should mention {word!r}"
    still_serving(server)


def tensor(values, dtype=tf.float32):
    return tf.make_tensor_proto(values, dtype=dtype)


def predict_request(**kwargs):
    r = predict_pb2.PredictRequest()
    r.model_spec.name = kwargs.get("name", MODEL)
    r.model_spec.signature_name = kwargs.get("signature", "")
    for key, proto in kwargs.get("inputs", {"x": tensor([1.0])}).items():
        r.inputs[key].CopyFrom(proto)
    r.output_filter.extend(kwargs.get("output_filter", []))
    return r


def bad_tensor_content():
    t = tensor([1.0, 2.0])
    t.tensor_content = t.tensor_content[:5]
    return t


def huge_shape():
    t = tensor([1.0])
    t.tensor_shape.dim[0].size = 1 << 62
    return t


def negative_shape():
    t = tensor([1.0])
    t.tensor_shape.dim[0].size = -3
    return t


def examples_request(kind, signature, examples):
    r = kind()
    r.model_spec.name = MODEL
    r.model_spec.signature_name = signature
    for features in examples:
        e = r.input.example_list.examples.add()
        for k, v in features.items():
            e.features.feature[k].float_list.value.append(v)
    return r


def multi(tasks):
    r = inference_pb2.MultiInferenceRequest()
    for name, signature, method in tasks:
        t = r.tasks.add()
        t.model_spec.name = name
        t.model_spec.signature_name = signature
        t.method_name = method
    r.input.example_list.examples.add().features.feature["x"].float_list.value.append(1.0)
    return r


def v2_request(**kwargs):
    r = v2pb.ModelInferRequest()
    r.model_name = kwargs.get("name", MODEL)
    r.model_version = kwargs.get("version", "")
    i = r.inputs.add()
    i.name = kwargs.get("input", "x")
    i.datatype = kwargs.get("datatype", "FP32")
    i.shape.extend(kwargs.get("shape", [2]))
    if "raw" in kwargs:
        r.raw_input_contents.extend(kwargs["raw"])
    else:
        i.contents.fp32_contents.extend(kwargs.get("fp32", [1.0, 2.0]))
    return r


GRPC_CASES = [
    # (service, method, request, code, words)
    ("tf", "Predict", predict_request(name="no_such_model"), "NOT_FOUND",
     ["Servable not found for request: Latest(no_such_model)"]),
    ("tf", "Predict", predict_request(name=""), "INVALID_ARGUMENT", ["model name"]),
    ("tf", "Predict", predict_request(signature="nope"), "NOT_FOUND", ["nope"]),
    ("tf", "Predict", predict_request(inputs={"wrong": tensor([1.0])}), "INVALID_ARGUMENT", ["wrong"]),
    ("tf", "Predict", predict_request(inputs={"x": tensor([1], tf.int32)}), "INVALID_ARGUMENT", ["x"]),
    ("tf", "Predict", predict_request(inputs={"x": bad_tensor_content()}), "INVALID_ARGUMENT", ["x"]),
    ("tf", "Predict", predict_request(inputs={"x": huge_shape()}), "INVALID_ARGUMENT", ["x"]),
    ("tf", "Predict", predict_request(inputs={"x": negative_shape()}), "INVALID_ARGUMENT", ["x"]),
    ("tf", "Predict", predict_request(output_filter=["nope"]), "INVALID_ARGUMENT", ["nope"]),
    ("tf", "Classify", examples_request(classification_pb2.ClassificationRequest, "classify_x_to_y", []),
     "INVALID_ARGUMENT", ["empty"]),
    ("tf", "Classify", examples_request(classification_pb2.ClassificationRequest, "serving_default",
                                        [{"x": 1.0}]), "INVALID_ARGUMENT", ["serving_default"]),
    ("tf", "Regress", examples_request(regression_pb2.RegressionRequest, "classify_x_to_y",
                                       [{"x": 1.0}]), "INVALID_ARGUMENT", ["outputs"]),
    ("tf", "Regress", examples_request(regression_pb2.RegressionRequest, "regress_x_to_y",
                                       [{"nothing": 1.0}]), "INVALID_ARGUMENT", ["x"]),
    ("tf", "MultiInference", multi([]), "INVALID_ARGUMENT", ["tasks"]),
    ("tf", "MultiInference", multi([(MODEL, "regress_x_to_y", "tensorflow/serving/regress"),
                                    ("other", "regress_x_to_y2", "tensorflow/serving/regress")]),
     "INVALID_ARGUMENT", ["same model"]),
    ("tf", "MultiInference", multi([(MODEL, "regress_x_to_y", "tensorflow/serving/predict")]),
     "INVALID_ARGUMENT", ["tensorflow/serving/predict"]),
    ("tf", "GetModelMetadata", get_model_metadata_pb2.GetModelMetadataRequest(), "INVALID_ARGUMENT",
     ["model name"]),
    ("v2", "ModelInfer", v2_request(name="no_such_model"), "NOT_FOUND", ["no_such_model"]),
    ("v2", "ModelInfer", v2_request(version="abc"), "INVALID_ARGUMENT", ["abc"]),
    ("v2", "ModelInfer", v2_request(fp32=[1.0]), "INVALID_ARGUMENT", ["fp32_contents"]),
    ("v2", "ModelInfer", v2_request(datatype="BF17"), "INVALID_ARGUMENT", ["BF17"]),
    ("v2", "ModelInfer", v2_request(shape=[-1]), "INVALID_ARGUMENT", ["-1"]),
    ("v2", "ModelInfer", v2_request(raw=[b"\x00" * 7]), "INVALID_ARGUMENT", ["8 bytes", "7"]),
    ("v2", "ModelInfer", v2_request(raw=[b"\x00" * 8, b"\x00"]), "INVALID_ARGUMENT", ["raw_input_contents"]),
    ("v2", "ModelInfer", v2_request(input="nope"), "INVALID_ARGUMENT", ["nope"]),
    ("v2", "ModelMetadata", v2pb.ModelMetadataRequest(name="no_such_model"), "NOT_FOUND", ["no_such_model"]),
    ("v2", "ModelReady", v2pb.ModelReadyRequest(name="no_such_model"), "NOT_FOUND", ["no_such_model"]),
]


@pytest.mark.parametrize("service,method,request_proto,code,words", GRPC_CASES,
                         ids=[f"grpc{i}" for i in range(len(GRPC_CASES))])
def test_grpc_bad_request(server, service, method, request_proto, code, words):
    with grpc.insecure_channel(server.grpc_target) as channel:
        if service == "tf":
            stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        else:
            stub = v2grpc.GRPCInferenceServiceStub(channel)
        with pytest.raises(grpc.RpcError) as error:
            getattr(stub, method)(request_proto, timeout=10)
    assert error.value.code() == getattr(grpc.StatusCode, code), error.value.details()
    for word in words:
        assert word in error.value.details(), f"{error.value.details()!r} should mention {word!r}"
    still_serving(server)


def test_grpc_truncated_protobuf(server):
    """Bytes that are not a PredictRequest never reach Tern's code and break nothing."""
    with grpc.insecure_channel(server.grpc_target) as channel:
        call = channel.unary_unary("/tensorflow.serving.PredictionService/Predict",
                                   request_serializer=None, response_deserializer=None)
        whole = predict_request().SerializeToString()
        with pytest.raises(grpc.RpcError) as error:
            call(whole[:-3], timeout=10)
    assert error.value.code() in (grpc.StatusCode.INTERNAL, grpc.StatusCode.INVALID_ARGUMENT)
    still_serving(server)


def test_slow_drip_headers_do_not_block_others(server):
    """A client that sends its headers a byte at a time holds only its own connection."""
    drip = socket.create_connection(("127.0.0.1", server.rest_port))
    try:
        for byte in b"POST /v1/models/half_plus_two:predict HTTP/1.1\r\nHost: x\r\n":
            drip.send(bytes([byte]))
            time.sleep(0.002)
        for _ in range(3):
            still_serving(server)
    finally:
        drip.close()
    still_serving(server)


def test_malformed_http_is_400(server):
    with socket.create_connection(("127.0.0.1", server.rest_port)) as s:
        s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        s.settimeout(10)
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 400"), reply
    still_serving(server)


def test_corpus_is_large_enough():
    assert len(REST_CASES) + len(GRPC_CASES) + 3 >= 60
