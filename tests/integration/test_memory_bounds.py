"""No request takes the server down: a model that builds an [n, n] tensor from its input (the
graph is someone else's code) is answered RESOURCE_EXHAUSTED (HTTP 429) for a huge n, and the
server, its other requests and its other models carry on. Budgets from --memory_limit_mb and
--max_request_memory_mb."""
import grpc
import pytest
import requests
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from conftest import TF_SERVING_MODELS


@pytest.fixture(scope="module")
def fill_model(tmp_path_factory):
    base = tmp_path_factory.mktemp("fill")

    class Fill(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
        def serve(self, n):
            return {"total": tf.reduce_sum(tf.fill(tf.stack([n, n]), 1.0))}

    module = Fill()
    tf.saved_model.save(module, str(base / "1"), signatures={"serving_default": module.serve})
    return base


def predict(server, n):
    return requests.post(f"{server.rest}/v1/models/fill:predict", json={"inputs": {"n": n}},
                         timeout=60)


def test_a_huge_tensor_is_refused_and_the_server_carries_on(tern_factory, fill_model):
    server = tern_factory("fill", fill_model)
    r = predict(server, 200000)  # 160 GB of floats
    assert r.status_code == 429, r.text
    error = r.json()["error"]
    assert "float[200000,200000]" in error and "160000000000 bytes" in error, error
    assert "node '" in error, error
    # Still serving, the same model included.
    assert predict(server, 100).json() == {"outputs": 10000.0}
    # gRPC says RESOURCE_EXHAUSTED.
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "fill"
    request.inputs["n"].CopyFrom(tf.make_tensor_proto(200000, dtype=tf.int32))
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        with pytest.raises(grpc.RpcError) as refused:
            stub.Predict(request, timeout=30)
        assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        request.inputs["n"].CopyFrom(tf.make_tensor_proto(10, dtype=tf.int32))
        assert list(stub.Predict(request, timeout=30).outputs["total"].float_val) == [100.0]


def test_request_and_process_budgets(tern_factory, fill_model):
    server = tern_factory("fill", fill_model, ["--memory_limit_mb=256", "--max_request_memory_mb=16"])
    # 3000^2 floats = 36 MB: over the request's 16 MiB.
    r = predict(server, 3000)
    assert r.status_code == 429
    assert "--max_request_memory_mb" in r.json()["error"]
    assert predict(server, 1000).json() == {"outputs": 1000000.0}  # 4 MB fits
    metrics = requests.get(f"{server.rest}/metrics", timeout=10).text
    assert 'tern_tensor_memory_budget_bytes{scope="request"} 16777216' in metrics
    assert "tern_tensor_allocations_refused_total 1" in metrics

    # Without a request budget, the process budget (64 MiB) refuses 81 MB.
    other = tern_factory("fill", fill_model, ["--memory_limit_mb=64", "--max_request_memory_mb=-1"])
    r = predict(other, 4500)
    assert r.status_code == 429
    assert "--memory_limit_mb" in r.json()["error"]
    assert predict(other, 2000).json() == {"outputs": 4000000.0}


def test_other_models_keep_serving_beside_a_refused_one(tern_factory, fill_model, tmp_path):
    config = tmp_path / "models.config"
    config.write_text(
        f'model_config_list {{ config {{ name: "fill" base_path: "{fill_model}" }} '
        f'config {{ name: "hp2" base_path: "{TF_SERVING_MODELS / "saved_model_half_plus_two_cpu"}" }} }}')
    server = tern_factory("fill", fill_model, [f"--model_config_file={config}"])
    assert predict(server, 200000).status_code == 429
    r = requests.post(f"{server.rest}/v1/models/hp2:predict", json={"instances": [1.0]}, timeout=10)
    assert r.json() == {"predictions": [2.5]}
