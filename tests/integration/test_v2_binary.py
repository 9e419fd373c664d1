"""The v2 binary tensor extension over REST: binary inputs and outputs with tritonclient.http,
binary_data_output per output and for the whole request, and raw binary requests
(Inference-Header-Content-Length: 0) as Triton defines them, against half_plus_two (y = x/2 + 2)."""
import json
import struct

import numpy as np
import pytest
import requests
import tritonclient.http as httpclient

from conftest import TF_SERVING_MODELS

MODEL = "half_plus_two"


@pytest.fixture(scope="module")
def server(tern_factory):
    return tern_factory(MODEL, TF_SERVING_MODELS / "saved_model_half_plus_two_cpu")


def split(response):
    """(JSON header, binary tail) of a v2 infer response."""
    length = int(response.headers.get("Inference-Header-Content-Length", len(response.content)))
    return json.loads(response.content[:length]), response.content[length:]


@pytest.mark.parametrize("binary_in", [True, False])
@pytest.mark.parametrize("binary_out", [True, False])
def test_tritonclient_binary_inputs_and_outputs(server, binary_in, binary_out):
    c = httpclient.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
    x = np.array([[1.0], [2.0], [5.0]], np.float32)
    infer_input = httpclient.InferInput("x", list(x.shape), "FP32")
    infer_input.set_data_from_numpy(x, binary_data=binary_in)
    out = httpclient.InferRequestedOutput("y", binary_data=binary_out)
    result = c.infer(MODEL, [infer_input], outputs=[out])
    np.testing.assert_array_equal(result.as_numpy("y"), [[2.5], [3.0], [4.5]])
    response = result.get_response()
    assert ("binary_data_size" in response["outputs"][0].get("parameters", {})) == binary_out
    c.close()


def v2_body(outputs=None, parameters=None):
    doc = {"inputs": [{"name": "x", "shape": [2, 1], "datatype": "FP32", "data": [1.0, 3.0]}]}
    if outputs is not None:
        doc["outputs"] = outputs
    if parameters is not None:
        doc["parameters"] = parameters
    return json.dumps(doc)


def test_binary_data_output_for_the_request_and_per_output(server):
    url = f"{server.rest}/v2/models/{MODEL}/infer"
    header, tail = split(requests.post(url, data=v2_body(parameters={"binary_data_output": True})))
    assert header["outputs"][0]["parameters"]["binary_data_size"] == 8
    assert struct.unpack("<2f", tail) == (2.5, 3.5)
    # A per-output binary_data false wins over the request's binary_data_output.
    r = requests.post(url, data=v2_body(outputs=[{"name": "y", "parameters": {"binary_data": False}}],
                                        parameters={"binary_data_output": True}))
    header, tail = split(r)
    assert tail == b"" and header["outputs"][0]["data"] == [2.5, 3.5]
    header, tail = split(requests.post(
        url, data=v2_body(outputs=[{"name": "y", "parameters": {"binary_data": True}}])))
    assert struct.unpack("<2f", tail) == (2.5, 3.5)


def test_raw_binary_request(server):
    url = f"{server.rest}/v2/models/{MODEL}/infer"
    body = np.array([1.0, 2.0, 5.0, 7.0], np.float32).tobytes()
    r = requests.post(url, data=body, headers={"Inference-Header-Content-Length": "0",
                                               "Content-Type": "application/octet-stream"})
    assert r.status_code == 200, r.text
    header, tail = split(r)
    # x is [-1, 1] in the signature: 16 bytes are 4 rows.
    assert header["outputs"][0]["shape"] == [4, 1]
    assert header["outputs"][0]["parameters"]["binary_data_size"] == 16
    assert np.frombuffer(tail, "<f4").tolist() == [2.5, 3.0, 4.5, 5.5]


def test_raw_binary_request_errors(server):
    url = f"{server.rest}/v2/models/{MODEL}/infer"
    r = requests.post(url, data=b"\x00" * 6, headers={"Inference-Header-Content-Length": "0"})
    assert r.status_code == 400
    assert "6 bytes" in r.json()["error"] and "x" in r.json()["error"]
    r = requests.post(f"{server.rest}/v2/models/nope/infer", data=b"\x00" * 4,
                      headers={"Inference-Header-Content-Length": "0"})
    assert r.status_code == 404
    assert requests.post(url, data=b"\x00\x00\x80\x3f",
                         headers={"Inference-Header-Content-Length": "0"}).status_code == 200


def test_raw_binary_request_needs_a_single_input_model(tern_factory):
    # The regress signature of half_plus_two has one input, but serving_default of a model with
    # two inputs cannot be fed raw: the taxi-fare demo model has five.
    from conftest import ROOT
    server = tern_factory("taxi_fare", ROOT / "models" / "taxi_fare")
    r = requests.post(f"{server.rest}/v2/models/taxi_fare/infer", data=b"\x00" * 4,
                      headers={"Inference-Header-Content-Length": "0"})
    assert r.status_code == 400
    assert "exactly one input" in r.json()["error"] and "taxi_fare" in r.json()["error"]
