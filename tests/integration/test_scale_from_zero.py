"""Scale 0..N inside one process (min_instances 0, idle unload, on-demand load) against a real
build/tern with the official TF Serving client, REST and the Prometheus page."""
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
import requests
import tensorflow as tf
from tensorflow_serving.apis import (get_model_status_pb2, model_service_pb2_grpc, predict_pb2,
                                     prediction_service_pb2_grpc)

from conftest import TF_SERVING_MODELS, TernServer

HALF_PLUS_TWO = TF_SERVING_MODELS / "saved_model_half_plus_two_2_versions" / "00000123"
HALF_PLUS_THREE = TF_SERVING_MODELS / "saved_model_half_plus_three" / "00000123"


class ZeroTernServer(TernServer):
    """Ready once the server accepts requests: its models may all be at zero."""

    def _wait_ready(self, timeout_s=30):
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tern exited early:\n{self.log_path.read_text()}")
            try:
                if requests.get(f"{self.rest}/v2/health/ready", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"tern not ready after {timeout_s}s:\n{self.log_path.read_text()}")


def wait_for(predicate, timeout_s=30, what="condition"):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale")
    shutil.copytree(HALF_PLUS_TWO, root / "idle" / "1")
    shutil.copytree(HALF_PLUS_THREE, root / "lazy" / "1")
    shutil.copytree(HALF_PLUS_TWO, root / "pinned" / "1")
    shutil.copytree(HALF_PLUS_TWO, root / "broken" / "1")
    (root / "broken" / "1" / "variables" / "variables.data-00000-of-00001").unlink()
    models = {
        "idle": "min_instances: 0 idle_unload_seconds: 1",
        "lazy": "min_instances: 0 max_instances: 2",
        "pinned": "",
        "broken": "min_instances: 0",
    }
    config = root / "models.config"
    config.write_text("model_config_list {\n" + "".join(
        f'config {{ name: "{name}" base_path: "{root / name}" model_platform: "tensorflow" '
        f'{extra} }}\n' for name, extra in models.items()) + "}\n")
    tern = ZeroTernServer("pinned", root / "pinned",
                          [f"--model_config_file={config}", "--file_system_poll_wait_seconds=1"])
    yield tern
    assert tern.alive(), tern.log_path.read_text()
    assert tern.stop() == 0


def state(server, model):
    r = requests.get(f"{server.rest}/v1/models/{model}", timeout=5)
    assert r.status_code == 200, r.text
    return r.json()["model_version_status"][0]["state"]


def metric(server, name, model):
    page = requests.get(f"{server.rest}/monitoring/prometheus/metrics", timeout=5).text
    m = re.search(rf'^{name}{{model="{model}"}} (\S+)$', page, re.M)
    return float(m.group(1)) if m else None


def predict(server, model):
    return requests.post(f"{server.rest}/v1/models/{model}:predict",
                         json={"instances": [1.0, 2.0, 5.0]}, timeout=60)


def test_ready_with_models_at_zero(server):
    assert requests.get(f"{server.rest}/v2/health/ready", timeout=5).status_code == 200
    assert state(server, "lazy") == "START"  # known, loads on the next request
    assert state(server, "pinned") == "AVAILABLE"
    assert requests.get(f"{server.rest}/v2/models/lazy/ready", timeout=5).status_code == 200
    assert metric(server, "tern_model_instances", "lazy") == 0
    with grpc.insecure_channel(server.grpc_target) as channel:
        request = get_model_status_pb2.GetModelStatusRequest()
        request.model_spec.name = "lazy"
        response = model_service_pb2_grpc.ModelServiceStub(channel).GetModelStatus(request, timeout=10)
        status = response.model_version_status[0]
        assert status.state == get_model_status_pb2.ModelVersionStatus.START
        assert status.status.error_code == 0  # a loadable model is not an error


def test_first_request_loads_then_idle_unloads_and_next_request_reloads(server):
    r = predict(server, "idle")
    assert r.status_code == 200, r.text
    assert r.json()["predictions"] == [2.5, 3.0, 4.5]
    assert state(server, "idle") == "AVAILABLE"
    assert metric(server, "tern_model_instances", "idle") == 1
    assert metric(server, "tern_model_memory_estimate_bytes", "idle") > 0
    # No traffic for idle_unload_seconds (1 s): back to zero, visible in status and metrics.
    wait_for(lambda: state(server, "idle") == "START", timeout_s=15, what="idle unload")
    assert metric(server, "tern_model_instances", "idle") == 0
    assert metric(server, "tern_model_memory_estimate_bytes", "idle") == 0
    r = predict(server, "idle")
    assert r.status_code == 200, r.text
    assert r.json()["predictions"] == [2.5, 3.0, 4.5]


def test_concurrent_first_requests_all_succeed(server):
    def grpc_predict(_):
        with grpc.insecure_channel(server.grpc_target) as channel:
            request = predict_pb2.PredictRequest()
            request.model_spec.name = "lazy"
            request.inputs["x"].CopyFrom(tf.make_tensor_proto([[1.0]], dtype=tf.float32))
            stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
            return tf.make_ndarray(stub.Predict(request, timeout=60).outputs["y"]).tolist()

    with ThreadPoolExecutor(max_workers=8) as pool:
        grpc_results = [pool.submit(grpc_predict, i) for i in range(6)]
        rest_results = [pool.submit(predict, server, "lazy") for _ in range(6)]
        assert [f.result() for f in grpc_results] == [[[3.5]]] * 6
        for f in rest_results:
            assert f.result().status_code == 200, f.result().text
            assert f.result().json()["predictions"] == [3.5, 4.0, 5.5]
    assert state(server, "lazy") == "AVAILABLE"
    log = server.log_path.read_text()
    assert log.count("Model 'lazy' version 1 is AVAILABLE") == 1  # one load shared by all


def test_load_failure_answers_clearly_and_others_keep_serving(server):
    r = predict(server, "broken")
    assert r.status_code == 503, r.text
    error = r.json()["error"]
    assert "model 'broken'" in error and "variables.data-00000-of-00001" in error, error
    assert predict(server, "pinned").status_code == 200
    assert predict(server, "lazy").status_code == 200
    status = requests.get(f"{server.rest}/v1/models/broken", timeout=5).json()
    assert "variables.data-00000-of-00001" in status["model_version_status"][0]["status"]["error_message"]
