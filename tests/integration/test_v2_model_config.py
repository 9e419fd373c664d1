"""Triton's model-config extension and perf_analyzer's triton (KServe v2) kind against build/tern.

perf_analyzer asks for the model config before it sends a request (ModelConfig over gRPC,
GET /v2/models/{m}/config over HTTP) and shapes its requests from max_batch_size and dims, so
this runs the real binary from loadtest/.tools for a short window over both protocols.
"""
import sys
import types

import pytest
import requests
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from conftest import ROOT, TF_SERVING_MODELS

sys.path.insert(0, str(ROOT / "loadtest"))
import drivers  # noqa: E402

EXPECTED = {"name": "half_plus_two", "platform": "tensorflow_savedmodel", "backend": "tensorflow",
            "max_batch_size": 1000,
            "input": [{"name": "x", "data_type": "TYPE_FP32", "dims": [1]}],
            "output": [{"name": "y", "data_type": "TYPE_FP32", "dims": [1]}]}


@pytest.fixture(scope="module")
def server(tern_factory):
    return tern_factory("half_plus_two", TF_SERVING_MODELS / "saved_model_half_plus_two_cpu")


def test_rest_config_is_derived_from_the_signature(server):
    for path in ["config", "versions/123/config"]:
        r = requests.get(f"{server.rest}/v2/models/half_plus_two/{path}")
        assert r.status_code == 200, r.text
        assert r.json() == EXPECTED
    c = httpclient.InferenceServerClient(server.rest.removeprefix("http://"))
    assert c.get_model_config("half_plus_two") == EXPECTED


def test_grpc_config_matches_rest(server):
    c = grpcclient.InferenceServerClient(server.grpc_target)
    config = c.get_model_config("half_plus_two", as_json=True, client_timeout=10)["config"]
    # Protobuf's JSON writes int64 as strings and leaves out zero values.
    for t in config["input"] + config["output"]:
        t["dims"] = [int(d) for d in t["dims"]]
    assert config == EXPECTED


def test_config_errors(server):
    r = requests.get(f"{server.rest}/v2/models/nope/config")
    assert r.status_code == 404 and "nope" in r.json()["error"]
    r = requests.get(f"{server.rest}/v2/models/half_plus_two/versions/9/config")
    assert r.status_code == 404, r.text
    with pytest.raises(InferenceServerException) as e:
        grpcclient.InferenceServerClient(server.grpc_target).get_model_config("nope", client_timeout=10)
    assert "nope" in str(e.value)


def test_unbatchable_model_has_max_batch_size_zero(tern_factory):
    # saved_model_half_plus_three's serving signature has an unknown-rank input: no batch dim.
    server = tern_factory("half_plus_three", TF_SERVING_MODELS / "saved_model_half_plus_three")
    meta = requests.get(f"{server.rest}/v2/models/half_plus_three").json()
    config = requests.get(f"{server.rest}/v2/models/half_plus_three/config").json()
    batchable = all(t["shape"][:1] == [-1] for t in meta["inputs"] + meta["outputs"])
    assert config["max_batch_size"] == (1000 if batchable else 0)
    for t, m in zip(config["input"], meta["inputs"]):
        assert t["dims"] == (m["shape"][1:] if batchable else m["shape"])


@pytest.mark.parametrize("protocol", ["grpc", "http"])
def test_perf_analyzer_triton_kind(server, protocol):
    bin_dir = drivers.tools_bin()
    target = types.SimpleNamespace(model=server.model_name, grpc_port=server.grpc_port,
                                   rest_port=server.rest_port)
    result = drivers.perf_analyzer(bin_dir, target, concurrency=2, seconds=1,
                                   service_kind="triton", protocol=protocol,
                                   # Throughput, not a stable figure, is what is checked here.
                                   stability_percentage=10000)
    assert result["throughput_rps"] > 0


BATCHING = ("max_batch_size { value: 8 } batch_timeout_micros { value: 2000 } "
            "allowed_batch_sizes: 4 allowed_batch_sizes: 8 max_enqueued_batches { value: 100 }")


@pytest.fixture(scope="module")
def batched(tern_factory, tmp_path_factory):
    params = tmp_path_factory.mktemp("batching") / "batching.txt"
    params.write_text(BATCHING)
    return tern_factory("half_plus_two", TF_SERVING_MODELS / "saved_model_half_plus_two_cpu",
                        ["--enable_batching", f"--batching_parameters_file={params}"])


def test_batched_model_config_reports_the_batching_parameters(batched):
    want = dict(EXPECTED, max_batch_size=8,
                dynamic_batching={"preferred_batch_size": [4, 8], "max_queue_delay_microseconds": 2000})
    assert requests.get(f"{batched.rest}/v2/models/half_plus_two/config").json() == want
    config = grpcclient.InferenceServerClient(batched.grpc_target).get_model_config(
        "half_plus_two", client_timeout=10).config
    assert config.max_batch_size == 8
    assert list(config.dynamic_batching.preferred_batch_size) == [4, 8]
    assert config.dynamic_batching.max_queue_delay_microseconds == 2000


@pytest.mark.parametrize("protocol", ["grpc", "http"])
def test_perf_analyzer_triton_kind_with_batching(batched, protocol):
    target = types.SimpleNamespace(model=batched.model_name, grpc_port=batched.grpc_port,
                                   rest_port=batched.rest_port)
    result = drivers.perf_analyzer(drivers.tools_bin(), target, concurrency=4, seconds=1,
                                   service_kind="triton", protocol=protocol,
                                   stability_percentage=10000)
    assert result["throughput_rps"] > 0
