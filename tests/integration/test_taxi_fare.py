"""The bundled demo model answers what TensorFlow answered (goldens recorded from TensorFlow)."""
import base64
import json

import grpc
import numpy as np
import pytest
import requests
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from conftest import ROOT

GOLDEN = json.loads((ROOT / "tests/models/taxi_fare/golden.json").read_text())
PREDICT_CASES = [c for c in GOLDEN if c["signature_name"] == "serving_default"]
REGRESS_CASES = [c for c in GOLDEN if c["signature_name"] != "serving_default"]


def assert_close(actual, expected):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape
    bound = 1e-5 + 1e-5 * np.abs(expected)
    assert np.all(np.abs(actual - expected) <= bound), f"{actual} vs {expected}"


def serialized_examples(case):
    return [base64.b64decode(s) for s in case["inputs"]["inputs"]["b64"]]


@pytest.fixture(scope="module")
def server(tern_factory):
    return tern_factory("taxi_fare", ROOT / "models" / "taxi_fare")


def test_goldens_cover_both_signatures():
    assert len(PREDICT_CASES) >= 3 and len(REGRESS_CASES) >= 1


@pytest.mark.parametrize("case", PREDICT_CASES, ids=lambda c: f"rows{len(c['inputs']['passenger_count'])}")
def test_rest_predict_row_format(server, case):
    names = list(case["inputs"])
    rows = [dict(zip(names, values)) for values in zip(*case["inputs"].values())]
    r = requests.post(f"{server.rest}/v1/models/taxi_fare:predict", json={"instances": rows})
    assert r.status_code == 200, r.text
    assert_close(r.json()["predictions"], case["outputs"]["predictions"])


@pytest.mark.parametrize("case", PREDICT_CASES, ids=lambda c: f"rows{len(c['inputs']['passenger_count'])}")
def test_rest_predict_columnar_format(server, case):
    r = requests.post(f"{server.rest}/v1/models/taxi_fare:predict", json={"inputs": case["inputs"]})
    assert r.status_code == 200, r.text
    assert_close(r.json()["outputs"], case["outputs"]["predictions"])


@pytest.mark.parametrize("case", PREDICT_CASES, ids=lambda c: f"rows{len(c['inputs']['passenger_count'])}")
def test_grpc_predict(server, case):
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "taxi_fare"
        for name, values in case["inputs"].items():
            request.inputs[name].CopyFrom(tf.make_tensor_proto(values, dtype=tf.float32))
        response = stub.Predict(request, timeout=10)
        assert_close(tf.make_ndarray(response.outputs["predictions"]), case["outputs"]["predictions"])


@pytest.mark.parametrize("case", REGRESS_CASES, ids=lambda c: f"examples{len(c['inputs']['inputs']['b64'])}")
def test_grpc_predict_on_regression_signature_with_serialized_examples(server, case):
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "taxi_fare"
        request.model_spec.signature_name = case["signature_name"]
        request.inputs["inputs"].CopyFrom(
            tf.make_tensor_proto(serialized_examples(case), dtype=tf.string))
        response = stub.Predict(request, timeout=10)
        [output] = case["outputs"]
        assert_close(tf.make_ndarray(response.outputs[output]), case["outputs"][output])


@pytest.mark.parametrize("case", REGRESS_CASES, ids=lambda c: f"examples{len(c['inputs']['inputs']['b64'])}")
def test_rest_predict_on_regression_signature_with_b64_examples(server, case):
    body = {"signature_name": case["signature_name"],
            "inputs": {"inputs": [{"b64": s} for s in case["inputs"]["inputs"]["b64"]]}}
    r = requests.post(f"{server.rest}/v1/models/taxi_fare:predict", json=body)
    assert r.status_code == 200, r.text
    [output] = case["outputs"]
    assert_close(r.json()["outputs"], case["outputs"][output])


def test_missing_feature_in_example_is_a_clear_error(server):
    example = tf.train.Example()
    example.features.feature["pickup_longitude"].float_list.value.append(-73.98)
    body = {"signature_name": REGRESS_CASES[0]["signature_name"],
            "inputs": {"inputs": [{"b64": base64.b64encode(example.SerializeToString()).decode()}]}}
    r = requests.post(f"{server.rest}/v1/models/taxi_fare:predict", json=body)
    assert r.status_code == 400, r.text
    assert "is required" in r.json()["error"]
