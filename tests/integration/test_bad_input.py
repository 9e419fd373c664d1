"""Bad requests get a 4xx with {"error": ...} naming the problem; the server keeps serving."""
import pytest
import requests

from conftest import TF_SERVING_MODELS

URL = "/v1/models/half_plus_two:predict"


@pytest.fixture(scope="module")
def server(tern_factory):
    return tern_factory("half_plus_two", TF_SERVING_MODELS / "saved_model_half_plus_two_cpu")


CASES = [
    # (path, body, expected status, words the error must contain)
    (URL, b"{not json", 400, ["JSON"]),
    (URL, b'{"instances": [1.0, 2.0', 400, ["JSON"]),
    (URL, b"[1, 2, 3]", 400, ["object"]),
    (URL, b'{"nothing": 1}', 400, ["instances"]),
    ("/v1/models/no_such_model:predict", b'{"instances": [1.0]}', 404,
     ["Servable not found for request: Latest(no_such_model)"]),
    ("/v1/models/half_plus_two/versions/999:predict", b'{"instances": [1.0]}', 404,
     ["half_plus_two", "999"]),
    (URL, b'{"signature_name": "nope", "instances": [1.0]}', 404, ["nope", "serving_default"]),
    (URL, b'{"instances": [{"wrong_name": 1.0}]}', 400, ["wrong_name"]),
    (URL, b'{"instances": ["a string"]}', 400, ["x"]),
    (URL, b'{"instances": [[1.0], [2.0, 3.0]]}', 400, ["x"]),
    (URL, b'{"instances": [1.0], "inputs": [1.0]}', 400, ["instances", "inputs"]),
    ("/v1/models/half_plus_two/versions/abc:predict", b'{"instances": [1.0]}', 400, ["abc"]),
    ("/v1/nonsense", b"", 404, ["nonsense"]),
]


@pytest.mark.parametrize("path,body,status,words", CASES)
def test_bad_request_is_answered_clearly(server, path, body, status, words):
    r = requests.post(server.rest + path, data=body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    for word in words:
        assert word in error, f"{error!r} should mention {word!r}"
    # The good model still answers after every bad request.
    ok = requests.post(server.rest + URL, json={"instances": [1.0, 2.0, 5.0]})
    assert ok.json() == {"predictions": [2.5, 3.0, 4.5]}


def test_wrong_dtype_names_input_and_types(server):
    r = requests.post(server.rest + URL, json={"instances": [True, False]})
    assert r.status_code == 400
    assert "x" in r.json()["error"]


def test_unknown_model_status_is_404(server):
    r = requests.get(server.rest + "/v1/models/no_such_model")
    assert r.status_code == 404
    assert "no_such_model" in r.json()["error"]
