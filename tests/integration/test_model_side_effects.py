"""What a model may do (docs/models.md#what-a-model-may-do): a SavedModel whose serving signature
reads files (tf.io.read_file), writes them (tf.io.write_file) or restores a checkpoint at request
time (RestoreV2, whose kernel Tern has for loading variables) is refused at load with a message
naming the ops and why, while the server's other models serve; an endless tf.while_loop is
stopped by the request's deadline, over gRPC and REST, and the server carries on."""
import time

import grpc
import pytest
import requests
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from conftest import TF_SERVING_MODELS


def export(base, module, fn):
    tf.saved_model.save(module, str(base / "1"), signatures={"serving_default": fn})
    return base


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("side_effects")

    class Reader(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def serve(self, path):
            return {"contents": tf.io.read_file(path)}

    class Writer(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def serve(self, text):
            tf.io.write_file("/tmp/tern-model-wrote-this", text)
            return {"ok": tf.constant(1)}

    class Restorer(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def serve(self, prefix):
            (value,) = tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=["v"],
                                            shape_and_slices=[""], dtypes=[tf.float32])
            return {"value": value}

    class Loop(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.int64)])
        def serve(self, n):
            (i,) = tf.while_loop(lambda i: i < n, lambda i: (i + 1,), [tf.constant(0, tf.int64)])
            return {"count": i}

    out = {}
    for name, cls in (("reader", Reader), ("writer", Writer), ("restorer", Restorer),
                      ("loop", Loop)):
        module = cls()
        out[name] = export(root / name, module, module.serve)
    return out


def model_status(server, name):
    deadline = time.time() + 30
    while time.time() < deadline:
        r = requests.get(f"{server.rest}/v1/models/{name}", timeout=5)
        status = r.json()["model_version_status"][0] if r.status_code == 200 else None
        if status and status["status"]["error_code"] != "OK":
            return status
        time.sleep(0.1)
    raise AssertionError(f"{name}: no load failure reported: {r.text}")


def test_models_that_touch_files_are_refused_at_load_naming_the_ops(tern_factory, models,
                                                                     tmp_path):
    hp2 = TF_SERVING_MODELS / "saved_model_half_plus_two_cpu"
    config = tmp_path / "models.config"
    config.write_text("model_config_list { " + " ".join(
        f'config {{ name: "{n}" base_path: "{p}" }}'
        for n, p in [("hp2", hp2), ("reader", models["reader"]), ("writer", models["writer"]),
                     ("restorer", models["restorer"])]) + " }")
    server = tern_factory("hp2", hp2, [f"--model_config_file={config}"])
    for name, op, effect in (("reader", "ReadFile", "reads files"),
                             ("writer", "WriteFile", "writes files"),
                             ("restorer", "RestoreV2", "reads files")):
        status = model_status(server, name)
        message = status["status"]["error_message"]
        assert status["status"]["error_code"] == "FAILED_PRECONDITION", status
        assert f"{op} ({effect}; node '" in message, message
        assert "reach outside the request" in message, message
        r = requests.post(f"{server.rest}/v1/models/{name}:predict",
                          json={"inputs": "/etc/hostname"}, timeout=10)
        assert r.status_code != 200, r.text
    # The other model serves.
    r = requests.post(f"{server.rest}/v1/models/hp2:predict", json={"instances": [1.0]},
                      timeout=10)
    assert r.json() == {"predictions": [2.5]}


def test_an_endless_loop_ends_at_the_request_deadline(tern_factory, models):
    # One compute thread: a loop still running after its deadline would hold up every later
    # request.
    server = tern_factory("loop", models["loop"], ["--rest_api_timeout_in_ms=1000",
                                                   "--tensorflow_session_parallelism=1"])
    r = requests.post(f"{server.rest}/v1/models/loop:predict", json={"inputs": 1000}, timeout=10)
    assert r.json() == {"outputs": 1000}
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "loop"
    request.inputs["n"].CopyFrom(tf.make_tensor_proto(1 << 62, dtype=tf.int64))
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        start = time.monotonic()
        with pytest.raises(grpc.RpcError) as stopped:
            stub.Predict(request, timeout=1.0)
        assert stopped.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        # The server let go of the loop: it answers the next request at once.
        request.inputs["n"].CopyFrom(tf.make_tensor_proto(10, dtype=tf.int64))
        assert list(stub.Predict(request, timeout=5).outputs["count"].int64_val) == [10]
        assert time.monotonic() - start < 4
    # REST: --rest_api_timeout_in_ms is the deadline; 504 when it passes.
    start = time.monotonic()
    r = requests.post(f"{server.rest}/v1/models/loop:predict", json={"inputs": 1 << 62},
                      timeout=30)
    assert r.status_code == 504, r.text
    assert time.monotonic() - start < 5
    # The compute thread is free again.
    for _ in range(4):
        r = requests.post(f"{server.rest}/v1/models/loop:predict", json={"inputs": 5}, timeout=5)
        assert r.json() == {"outputs": 5}
