"""grpc.health.v1 and server reflection, checked with grpcurl (built by scripts/setup.sh from
the Go module proxy), plus the gRPC transport flags: a UNIX socket and channel arguments."""
import json
import shutil
import subprocess

import grpc
import pytest
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from conftest import ROOT, TF_SERVING_MODELS

GRPCURL = ROOT / ".tools" / "bin" / "grpcurl"
if not GRPCURL.exists() and shutil.which("grpcurl"):
    GRPCURL = shutil.which("grpcurl")
needs_grpcurl = pytest.mark.skipif(not GRPCURL or not __import__("os").path.exists(str(GRPCURL)),
                                   reason="grpcurl not installed (scripts/setup.sh builds it with Go)")


@pytest.fixture(scope="module")
def server(tern_factory, tmp_path_factory):
    socket_path = tmp_path_factory.mktemp("sock") / "tern.sock"
    server = tern_factory("half_plus_two", TF_SERVING_MODELS / "saved_model_half_plus_two_cpu",
                          [f"--grpc_socket_path={socket_path}",
                           "--grpc_channel_arguments=grpc.max_concurrent_streams=64,grpc.primary_user_agent=x",
                           "--grpc_max_threads=16"])
    server.socket_path = socket_path
    return server


def grpcurl(*args):
    out = subprocess.run([str(GRPCURL), "-plaintext", *args], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


@needs_grpcurl
def test_reflection_lists_every_service(server):
    services = set(grpcurl(server.grpc_target, "list").split())
    assert {"tensorflow.serving.PredictionService", "tensorflow.serving.ModelService",
            "inference.GRPCInferenceService", "grpc.health.v1.Health"} <= services
    methods = grpcurl(server.grpc_target, "list", "tensorflow.serving.PredictionService").split()
    assert "tensorflow.serving.PredictionService.MultiInference" in methods


@needs_grpcurl
def test_health_check(server):
    assert json.loads(grpcurl(server.grpc_target, "grpc.health.v1.Health/Check")) == {"status": "SERVING"}
    reply = grpcurl("-d", '{"service": "tensorflow.serving.PredictionService"}', server.grpc_target,
                    "grpc.health.v1.Health/Check")
    assert json.loads(reply) == {"status": "SERVING"}


@needs_grpcurl
def test_grpcurl_calls_predict_through_reflection(server):
    request = {"model_spec": {"name": "half_plus_two"},
               "inputs": {"x": {"dtype": "DT_FLOAT", "tensor_shape": {"dim": [{"size": 2}]},
                                "float_val": [1.0, 3.0]}}}
    reply = json.loads(grpcurl("-d", json.dumps(request), server.grpc_target,
                               "tensorflow.serving.PredictionService/Predict"))
    assert reply["model_spec"]["name"] == "half_plus_two"
    y = reply["outputs"]["y"]
    assert y["dtype"] == "DT_FLOAT"
    assert y["float_val"] == [2.5, 3.5]  # TF Serving's default: the typed field


def test_grpc_over_unix_socket(server):
    with grpc.insecure_channel(f"unix:{server.socket_path}") as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "half_plus_two"
        request.inputs["x"].CopyFrom(tf.make_tensor_proto([1.0, 3.0], dtype=tf.float32))
        y = tf.make_ndarray(stub.Predict(request, timeout=10).outputs["y"])
    assert y.tolist() == [2.5, 3.5]
