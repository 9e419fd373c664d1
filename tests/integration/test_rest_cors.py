"""--rest_api_enable_cors_support: preflights are answered and every reply allows any origin."""
import pytest
import requests

from conftest import TF_SERVING_MODELS


@pytest.fixture(scope="module")
def server(tern_factory):
    return tern_factory("half_plus_two", TF_SERVING_MODELS / "saved_model_half_plus_two_cpu",
                        ["--rest_api_enable_cors_support"])


def test_preflight_and_headers(server):
    url = f"{server.rest}/v1/models/half_plus_two:predict"
    pre = requests.options(url, headers={"Origin": "http://example.test",
                                         "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert requests.options(url).status_code == 400  # a preflight needs an Origin
    r = requests.post(url, json={"instances": [1.0]}, headers={"Origin": "http://example.test"})
    assert r.json() == {"predictions": [2.5]}
    assert r.headers["Access-Control-Allow-Origin"] == "*"
