"""Triton's model repository extension (index, load, unload) against a real build/tern with
the official Triton clients (tritonclient.http and tritonclient.grpc): unload takes a model out
of service while requests in flight finish, load by name brings it back, a `config` parameter
with a base_path serves a new model, and what Tern does not take is refused clearly."""
import json
import shutil
import threading
import time

import numpy as np
import pytest
import requests
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from conftest import TF_SERVING_MODELS

HALF_PLUS_TWO = TF_SERVING_MODELS / "saved_model_half_plus_two_2_versions" / "00000123"
HALF_PLUS_THREE = TF_SERVING_MODELS / "saved_model_half_plus_three" / "00000123"


@pytest.fixture
def server(tern_factory, tmp_path):
    two, three = tmp_path / "two", tmp_path / "three"
    shutil.copytree(HALF_PLUS_TWO, two / "1")
    shutil.copytree(HALF_PLUS_THREE, three / "5")
    config = tmp_path / "models.config"
    config.write_text("model_config_list {\n" + "".join(
        f'config {{ name: "{name}" base_path: "{path}" model_platform: "tensorflow" }}\n'
        for name, path in (("two", two), ("three", three))) + "}\n")
    s = tern_factory("two", two, ["--model_config_file", str(config)])
    s.http = httpclient.InferenceServerClient(f"127.0.0.1:{s.rest_port}")
    s.grpc = grpcclient.InferenceServerClient(s.grpc_target)
    return s


def infer(client, module, model, values=(1.0, 2.0)):
    x = np.asarray(values, np.float32)
    tensor = module.InferInput("x", list(x.shape), "FP32")
    tensor.set_data_from_numpy(x)
    return client.infer(model, [tensor]).as_numpy("y")


def grpc_index(server, ready=False):
    return [{k: m[k] for k in m} for m in
            server.grpc.get_model_repository_index(as_json=True).get("models", [])
            if not ready or m.get("state") == "READY"]


def test_index_lists_every_model_with_state(server):
    index = server.http.get_model_repository_index()
    assert index == [{"name": "three", "version": "5", "state": "READY"},
                     {"name": "two", "version": "1", "state": "READY"}]
    assert grpc_index(server) == index
    r = requests.post(f"{server.rest}/v2/repository/index", json={"ready": True}, timeout=10)
    assert r.status_code == 200 and r.json() == index


def test_unload_then_load_by_name(server):
    np.testing.assert_allclose(infer(server.http, httpclient, "three"), [3.5, 4.0])
    server.http.unload_model("three")
    index = {m["name"]: m for m in server.http.get_model_repository_index()}
    assert index["three"]["state"] == "UNAVAILABLE" and index["three"]["reason"] == "unloaded"
    assert index["two"]["state"] == "READY"
    ready_only = requests.post(f"{server.rest}/v2/repository/index", json={"ready": True},
                               timeout=10).json()
    assert [m["name"] for m in ready_only] == ["two"]
    assert not server.http.is_model_ready("three")
    assert not server.grpc.is_model_ready("three")
    # The server is still ready: it serves every model it has been asked to serve.
    assert server.http.is_server_ready() and server.grpc.is_server_ready()
    with pytest.raises(InferenceServerException) as e:
        infer(server.grpc, grpcclient, "three")
    assert "three" in e.value.message()
    r = requests.post(f"{server.rest}/v2/models/three/infer", timeout=10, json={
        "inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1.0]}]})
    assert r.status_code == 404, r.text

    server.grpc.load_model("three")
    assert server.http.is_model_ready("three")
    np.testing.assert_allclose(infer(server.grpc, grpcclient, "three"), [3.5, 4.0])
    assert {m["name"]: m["state"] for m in grpc_index(server)} == {"three": "READY", "two": "READY"}
    # Unload over gRPC, load over REST: the same state machine either way.
    server.grpc.unload_model("two")
    assert not server.http.is_model_ready("two")
    server.http.load_model("two")
    np.testing.assert_allclose(infer(server.http, httpclient, "two"), [2.5, 3.0])


def test_load_with_a_base_path_serves_a_new_model(server, tmp_path):
    extra = tmp_path / "extra"
    shutil.copytree(HALF_PLUS_THREE, extra / "3")
    server.http.load_model("extra", config=json.dumps({"base_path": str(extra)}))
    np.testing.assert_allclose(infer(server.http, httpclient, "extra"), [3.5, 4.0])
    assert {"name": "extra", "version": "3", "state": "READY"} in server.http.get_model_repository_index()
    # Unloaded, it stays known and loads again by name alone.
    server.grpc.unload_model("extra")
    server.grpc.load_model("extra")
    np.testing.assert_allclose(infer(server.grpc, grpcclient, "extra"), [3.5, 4.0])
    # A base path with no version under it: the load says why it failed.
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InferenceServerException) as e:
        server.grpc.load_model("hollow", config=json.dumps({"base_path": str(empty)}))
    assert "hollow" in e.value.message() and "no version" in e.value.message()


def test_what_tern_does_not_take_is_refused_clearly(server):
    with pytest.raises(InferenceServerException) as e:
        server.http.load_model("nowhere")
    assert e.value.status() == "404" or "nowhere" in e.value.message()
    assert "base_path" in e.value.message()
    with pytest.raises(InferenceServerException) as e:
        server.grpc.unload_model("nowhere")
    assert "StatusCode.NOT_FOUND" in str(e.value.status())
    with pytest.raises(InferenceServerException) as e:
        server.http.load_model("three", config=json.dumps({"max_batch_size": 8}))
    assert "max_batch_size" in e.value.message() and "base_path" in e.value.message()
    with pytest.raises(InferenceServerException) as e:
        server.grpc.load_model("three", files={"file:1/saved_model.pb": b"x"},
                               config=json.dumps({"base_path": "/tmp"}))
    assert "StatusCode.UNIMPLEMENTED" in str(e.value.status()) and "file:" in e.value.message()
    r = requests.post(f"{server.rest}/v2/repository/index", data="{not json", timeout=10)
    assert r.status_code == 400, r.text
    r = requests.get(f"{server.rest}/v2/repository/index", timeout=10)
    assert r.status_code == 404, r.text


def test_unload_under_load_lets_requests_in_flight_finish(server):
    """Clients hammer `three` while it is unloaded: every answer is the right value or
    'not found' (after the unload), never a failure of a request that was already running."""
    answers, failures = [], []
    stop = threading.Event()

    def hammer():
        client = grpcclient.InferenceServerClient(server.grpc_target)
        while not stop.is_set():
            try:
                answers.append(float(infer(client, grpcclient, "three", (1.0,))[0]))
            except InferenceServerException as e:
                if "NOT_FOUND" not in str(e.status()):
                    failures.append(f"{e.status()}: {e.message()}")
        client.close()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    deadline = time.time() + 30
    while len(answers) < 20 and time.time() < deadline:
        time.sleep(0.01)
    server.http.unload_model("three")
    count_at_unload = len(answers)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert failures == [], failures[:5]
    assert set(answers) == {3.5} and count_at_unload >= 20
    assert not server.http.is_model_ready("three")
