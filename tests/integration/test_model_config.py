"""--model_config_file, HandleReloadConfigRequest, version labels and warmup against a real
build/tern with the official TF Serving client."""
import shutil
import time

import grpc
import pytest
import requests
import tensorflow as tf
from google.protobuf import text_format
from tensorflow_serving.apis import (get_model_status_pb2, model_management_pb2,
                                     model_service_pb2_grpc, predict_pb2,
                                     prediction_service_pb2_grpc)
from tensorflow_serving.config import model_server_config_pb2

from conftest import TF_SERVING_MODELS
from load_clients import LoadClients
from warmup_records import write_warmup

HALF_PLUS_TWO = TF_SERVING_MODELS / "saved_model_half_plus_two_2_versions" / "00000123"
HALF_PLUS_THREE = TF_SERVING_MODELS / "saved_model_half_plus_three" / "00000123"


def wait_for(predicate, timeout_s=30, what="condition"):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


def predict_rest(server, path):
    return requests.post(f"{server.rest}/v1/models/{path}:predict", json={"instances": [1.0]},
                         timeout=10)


def config_text(models):
    """models: {name: (base_path, extra text)}"""
    body = "".join(f'config {{ name: "{name}" base_path: "{path}" model_platform: "tensorflow" '
                   f'{extra} }}\n' for name, (path, extra) in models.items())
    return f"model_config_list {{\n{body}}}\n"


@pytest.fixture
def models(tmp_path):
    """a: half_plus_two as versions 1 and 2 (2 is half_plus_three), b: half_plus_three."""
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(HALF_PLUS_TWO, a / "1")
    shutil.copytree(HALF_PLUS_THREE, a / "2")
    shutil.copytree(HALF_PLUS_THREE, b / "7")
    return a, b


def reload(server, text):
    request = model_management_pb2.ReloadConfigRequest()
    text_format.Parse(text, request.config)
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = model_service_pb2_grpc.ModelServiceStub(channel)
        return stub.HandleReloadConfigRequest(request, timeout=60)


def test_reload_adds_and_removes_a_model_under_load(tern_factory, models, tmp_path):
    a, b = models
    config = tmp_path / "models.config"
    config.write_text(config_text({"a": (a, "")}))
    server = tern_factory("a", a, ["--model_config_file", str(config)])
    with LoadClients(server.rest, server.grpc_target, "a", n_rest=4, n_grpc=4) as load:
        load.wait_until_all_answer(3.5)
        assert predict_rest(server, "b").status_code == 404
        response = reload(server, config_text({"a": (a, ""), "b": (b, "")}))
        assert response.status.error_code == 0, response.status.error_message
        r = predict_rest(server, "b")
        assert r.status_code == 200 and r.json() == {"predictions": [3.5]}, r.text
        response = reload(server, config_text({"a": (a, "")}))
        assert response.status.error_code == 0
        r = predict_rest(server, "b")
        assert r.status_code == 404, r.text
        time.sleep(0.3)
    assert load.errors() == [], load.errors()[:5]
    assert {rec[2] for rec in load.all_records()} == {3.5}


def test_bad_reload_is_rejected_and_running_models_stay(tern_factory, models, tmp_path):
    a, b = models
    config = tmp_path / "models.config"
    config.write_text(config_text({"a": (a, "")}))
    server = tern_factory("a", a, ["--model_config_file", str(config)])
    with pytest.raises(grpc.RpcError) as e:
        reload(server, config_text({"a": (a, ""), "a ": (b, "")}).replace('"a "', '"a"'))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "earlier model" in e.value.details()
    assert predict_rest(server, "a").json() == {"predictions": [3.5]}


def test_config_file_is_polled_and_a_bad_file_keeps_the_models(tern_factory, models, tmp_path):
    a, b = models
    config = tmp_path / "models.config"
    config.write_text(config_text({"a": (a, "")}))
    server = tern_factory("a", a, ["--model_config_file", str(config),
                                   "--model_config_file_poll_wait_seconds=1"])
    config.write_text("model_config_list { config { name: ")  # truncated: rejected
    time.sleep(1.5)
    assert predict_rest(server, "a").json() == {"predictions": [3.5]}
    config.write_text(config_text({"a": (a, ""), "b": (b, "")}))
    wait_for(lambda: predict_rest(server, "b").status_code == 200, what="model b from the file")
    assert "Error parsing text-format tensorflow.serving.ModelServerConfig" in server.log_path.read_text()


def test_version_labels_over_rest_and_grpc(tern_factory, models, tmp_path):
    a, _ = models
    config = tmp_path / "models.config"
    config.write_text(config_text({"a": (a, 'model_version_policy { all {} } '
                                          'version_labels { key: "stable" value: 1 } '
                                          'version_labels { key: "canary" value: 2 }')}))
    server = tern_factory("a", a, ["--model_config_file", str(config)])
    wait_for(lambda: len(requests.get(f"{server.rest}/v1/models/a").json()
                         ["model_version_status"]) == 2, what="both versions")
    assert predict_rest(server, "a/labels/stable").json() == {"predictions": [2.5]}
    assert predict_rest(server, "a/labels/canary").json() == {"predictions": [3.5]}
    r = predict_rest(server, "a/labels/beta")
    assert r.status_code == 404 and "beta" in r.json()["error"]
    status = requests.get(f"{server.rest}/v1/models/a/labels/canary").json()
    assert [s["version"] for s in status["model_version_status"]] == ["2"]
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "a"
        request.model_spec.version_label = "stable"
        request.inputs["x"].CopyFrom(tf.make_tensor_proto([1.0], dtype=tf.float32))
        response = stub.Predict(request, timeout=10)
        assert response.model_spec.version.value == 1
        assert tf.make_ndarray(response.outputs["y"]).tolist() == [2.5]
        status_stub = model_service_pb2_grpc.ModelServiceStub(channel)
        status_request = get_model_status_pb2.GetModelStatusRequest()
        status_request.model_spec.name = "a"
        status_request.model_spec.version_label = "canary"
        response = status_stub.GetModelStatus(status_request, timeout=10)
        assert [s.version for s in response.model_version_status] == [2]


def test_warmup_runs_before_available_and_a_failing_warmup_fails_the_load(tern_factory, tmp_path):
    base = tmp_path / "w"
    shutil.copytree(HALF_PLUS_TWO, base / "1")
    write_warmup(base / "1", "x")
    server = tern_factory("w", base)
    assert "replayed 6 warmup records" in server.log_path.read_text()
    staging = tmp_path / "staging"
    shutil.copytree(HALF_PLUS_THREE, staging)
    write_warmup(staging, "no_such_input")
    staging.rename(base / "2")
    status = wait_for(lambda: [s for s in requests.get(f"{server.rest}/v1/models/w").json()
                               ["model_version_status"]
                               if s["version"] == "2" and s["status"]["error_message"]],
                      what="warmup failure of version 2")
    assert "warmup record 0" in status[0]["status"]["error_message"], status
    assert predict_rest(server, "w").json() == {"predictions": [2.5]}
    # Both warmups are in the metrics, the failed one with its result.
    metrics = requests.get(f"{server.rest}/metrics").text
    counts = {line.split("{")[1].split("}")[0]: float(line.split()[-1])
              for line in metrics.splitlines()
              if line.startswith("tern_model_warmup_duration_seconds_count{")}
    assert counts.get('model="w",result="success"') == 1, counts
    assert counts.get('model="w",result="failure"', 0) >= 1, counts
