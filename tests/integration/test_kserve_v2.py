"""KServe Open Inference Protocol (v2) with the official Triton clients (tritonclient.http and
tritonclient.grpc) and plain HTTP, against half_plus_two (y = 0.5 * x + 2)."""
import numpy as np
import pytest
import requests
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

from conftest import TF_SERVING_MODELS

MODEL = "half_plus_two"


@pytest.fixture(scope="module")
def server(tern_factory):
    return tern_factory(MODEL, TF_SERVING_MODELS / "saved_model_half_plus_two_tf2_cpu")


@pytest.fixture(params=["http", "grpc"])
def client(request, server):
    if request.param == "http":
        c = httpclient.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
    else:
        c = grpcclient.InferenceServerClient(server.grpc_target)
    c.module = httpclient if request.param == "http" else grpcclient
    yield c
    c.close()


def test_health(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready(MODEL)
    assert client.is_model_ready(MODEL, "123")
    assert not client.is_model_ready(MODEL, "7")


def test_server_metadata(client):
    meta = client.get_server_metadata()
    name = meta["name"] if isinstance(meta, dict) else meta.name
    extensions = meta["extensions"] if isinstance(meta, dict) else list(meta.extensions)
    assert name == "tern"
    assert extensions == ["binary_tensor_data", "classification", "model_configuration",
                          "statistics", "model_repository", "system_shared_memory", "trace",
                          "logging"]


def test_model_metadata(client):
    meta = client.get_model_metadata(MODEL)
    if not isinstance(meta, dict):
        meta = {"name": meta.name, "versions": list(meta.versions), "platform": meta.platform,
                "inputs": [{"name": t.name, "datatype": t.datatype, "shape": list(t.shape)} for t in meta.inputs],
                "outputs": [{"name": t.name, "datatype": t.datatype, "shape": list(t.shape)} for t in meta.outputs]}
    else:
        # Tern's extension keys (docs/tensorflow_runtime.md); gRPC has them as fields 1001, 1002.
        assert (meta.pop("runtime"), meta.pop("runtime_reason")) == ("tern",
                                                                      "auto: Tern has every op")
    assert meta == {"name": MODEL, "versions": ["123"], "platform": "tensorflow_savedmodel",
                    "inputs": [{"name": "x", "datatype": "FP32", "shape": [1]}],
                    "outputs": [{"name": "y", "datatype": "FP32", "shape": [1]}]}


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
def test_infer(client, binary):
    x = np.array([1.0, 2.0, 5.0], dtype=np.float32)
    infer_input = client.module.InferInput("x", list(x.shape), "FP32")
    if client.module is httpclient:
        infer_input.set_data_from_numpy(x, binary_data=binary)
        outputs = [httpclient.InferRequestedOutput("y", binary_data=binary)]
    else:
        infer_input.set_data_from_numpy(x)
        outputs = [grpcclient.InferRequestedOutput("y")]
    result = client.infer(MODEL, [infer_input], outputs=outputs, request_id="req-1")
    np.testing.assert_allclose(result.as_numpy("y"), [2.5, 3.0, 4.5])
    response = result.get_response()
    version = response["model_version"] if isinstance(response, dict) else response.model_version
    assert version == "123"


def test_infer_without_requested_outputs(client):
    x = np.array([4.0], dtype=np.float32)
    infer_input = client.module.InferInput("x", [1], "FP32")
    infer_input.set_data_from_numpy(x)
    result = client.infer(MODEL, [infer_input], model_version="123")
    np.testing.assert_allclose(result.as_numpy("y"), [4.0])


def test_infer_errors_are_clear(client):
    infer_input = client.module.InferInput("x", [2], "FP64")
    infer_input.set_data_from_numpy(np.array([1.0, 2.0], dtype=np.float64))
    with pytest.raises(Exception) as error:
        client.infer(MODEL, [infer_input])
    assert "FP64" in str(error.value) and "FP32" in str(error.value)
    with pytest.raises(Exception) as error:
        client.infer("no_such_model", [infer_input])
    assert "no_such_model" in str(error.value)


def test_rest_json_endpoints(server):
    base = server.rest
    live = requests.get(f"{base}/v2/health/live")
    assert live.status_code == 200 and live.json() == {"live": True}
    ready = requests.get(f"{base}/v2/health/ready")
    assert ready.status_code == 200 and ready.json() == {"ready": True}
    assert requests.get(f"{base}/v2/models/{MODEL}/versions/123/ready").status_code == 200
    # Not ready is 400, as Triton answers (the protocol says a 4xx); unknown is 404.
    not_ready = requests.get(f"{base}/v2/models/{MODEL}/versions/7/ready")
    assert not_ready.status_code == 400 and "not ready" in not_ready.json()["error"]
    assert requests.get(f"{base}/v2/models/nope/ready").status_code == 404
    # Exactly the extensions implemented.
    assert requests.get(f"{base}/v2").json()["extensions"] == [
        "binary_tensor_data", "classification", "model_configuration", "statistics",
        "model_repository", "system_shared_memory", "trace", "logging"]
    r = requests.post(f"{base}/v2/models/{MODEL}/infer",
                      json={"id": "7", "inputs": [{"name": "x", "shape": [2, 1], "datatype": "FP32",
                                                   "data": [[1.0], [3.0]]}]})
    assert r.status_code == 200, r.text
    assert r.json() == {"model_name": MODEL, "model_version": "123", "id": "7",
                        "outputs": [{"name": "y", "datatype": "FP32", "shape": [2, 1], "data": [2.5, 3.5]}]}


def test_unregistered_shared_memory_is_refused_saying_so(client):
    """A tensor naming a region that is not registered gets 400 saying which tensor and region
    (test_v2_shared_memory.py covers the extension itself)."""
    infer_input = client.module.InferInput("x", [3], "FP32")
    infer_input.set_shared_memory("region0", 12)
    with pytest.raises(Exception) as error:
        client.infer(MODEL, [infer_input])
    assert "input 'x' names shared memory region 'region0', which is not registered" in str(error.value)
    x = client.module.InferInput("x", [3], "FP32")
    x.set_data_from_numpy(np.ones(3, np.float32))
    y = client.module.InferRequestedOutput("y")
    y.set_shared_memory("region1", 12)
    with pytest.raises(Exception) as error:
        client.infer(MODEL, [x], outputs=[y])
    assert "output 'y' names shared memory region 'region1', which is not registered" in str(error.value)
    status = client.get_system_shared_memory_status()
    assert status == [] if isinstance(status, list) else len(status.regions) == 0


