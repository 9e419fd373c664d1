"""KServe v2 infer and TF Serving Classify/Regress/MultiInference under --enable_batching, against
a real build/tern with the official clients (tritonclient, tensorflow_serving.apis, requests).

These front ends answer asynchronously: a request waiting for its batch holds no front-end
thread. The servers here get one REST thread and a small gRPC thread cap, so many concurrent
requests can only share a batch if no request parks a thread while it waits: each phase checks
every answer against TensorFlow's (the MLP's recorded golden outputs; half_plus_two's
y = 0.5 * x + 2) and that the batches the tern_batch_size metric recorded hold more than one
row on average. A full queue answers 503/UNAVAILABLE at once; an expired deadline 504 /
DEADLINE_EXCEEDED.
"""
import concurrent.futures
import json
import threading
import time

import grpc
import numpy as np
import pytest
import requests
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tensorflow_serving.apis import (classification_pb2, inference_pb2,
                                     prediction_service_pb2_grpc, regression_pb2)
from tritonclient.utils import InferenceServerException

from conftest import ROOT, TF_SERVING_MODELS

MLP = ROOT / "tests/models/mlp/model"
GOLDEN = json.loads((ROOT / "tests/models/mlp/golden.json").read_text())
ROWS = [(np.asarray(x, np.float32), np.asarray(y, np.float32))
        for case in GOLDEN for x, y in zip(case["x"], case["y"])]
HALF_PLUS_TWO = TF_SERVING_MODELS / "saved_model_half_plus_two_cpu"
N = 48  # concurrent requests per phase: far more than the front end's threads
# One REST thread and a gRPC thread cap below N: a front end that held a thread per waiting
# request would answer these phases one request per batch (or refuse them).
FEW_THREADS = ["--rest_api_num_threads=1", "--grpc_max_threads=4"]


def params_file(tmp_path, text, name="batching.txt"):
    path = tmp_path / name
    path.write_text(text)
    return f"--batching_parameters_file={path}"


def batch_counts(server, model):
    """(rows run, padding rows, batches) so far, from the tern_batch_size histogram."""
    values = {"tern_batch_size_sum": 0.0, "tern_batch_padding_rows_sum": 0.0,
              "tern_batch_size_count": 0.0}
    for line in requests.get(f"{server.rest}/metrics", timeout=10).text.splitlines():
        for name in values:
            if line.startswith(f'{name}{{model="{model}"}}'):
                values[name] = float(line.split()[-1])
    return (values["tern_batch_size_sum"], values["tern_batch_padding_rows_sum"],
            values["tern_batch_size_count"])


def assert_batched_together(before, after, rows_sent):
    rows = (after[0] - after[1]) - (before[0] - before[1])
    batches = after[2] - before[2]
    assert rows == rows_sent, f"{rows} rows ran for {rows_sent} sent"
    assert batches < rows_sent, (
        f"{rows_sent} concurrent one-row requests ran as {batches:.0f} batches: not batched together")


@pytest.fixture(scope="module")
def mlp(tern_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mlp")
    return tern_factory("mlp", MLP, ["--enable_batching", *FEW_THREADS, params_file(
        tmp, "max_batch_size { value: 64 } batch_timeout_micros { value: 100000 } "
             "max_enqueued_batches { value: 100 } num_batch_threads { value: 1 }")])


def v2_input(module, x):
    tensor = module.InferInput("x", list(x.shape), "FP32")
    tensor.set_data_from_numpy(x)
    return tensor


def test_v2_grpc_concurrent_requests_are_batched_and_correct(mlp):
    client = grpcclient.InferenceServerClient(mlp.grpc_target)
    before = batch_counts(mlp, "mlp")
    answers = [None] * N
    done = threading.Semaphore(0)

    def callback(i):
        def record(result, error):
            answers[i] = error if error is not None else result.as_numpy("y")
            done.release()
        return record

    for i in range(N):
        x, _ = ROWS[i % len(ROWS)]
        client.async_infer("mlp", [v2_input(grpcclient, x[None, :])], callback(i),
                           client_timeout=60)
    for _ in range(N):
        assert done.acquire(timeout=90), "an async_infer never answered"
    for i, got in enumerate(answers):
        assert not isinstance(got, Exception), f"request {i}: {got}"
        np.testing.assert_allclose(got[0], ROWS[i % len(ROWS)][1], rtol=1e-5, atol=1e-5,
                                   err_msg=f"request {i}")
    assert_batched_together(before, batch_counts(mlp, "mlp"), N)


def test_v2_http_concurrent_requests_are_batched_and_correct(mlp):
    before = batch_counts(mlp, "mlp")
    url = mlp.rest.removeprefix("http://")

    def infer(i):
        x, want = ROWS[i % len(ROWS)]
        client = httpclient.InferenceServerClient(url, network_timeout=60)
        # Half JSON, half binary tensors: both paths of the v2 REST front end.
        out = httpclient.InferRequestedOutput("y", binary_data=i % 2 == 0)
        tensor = httpclient.InferInput("x", [1, x.size], "FP32")
        tensor.set_data_from_numpy(x[None, :], binary_data=i % 2 == 0)
        got = client.infer("mlp", [tensor], outputs=[out]).as_numpy("y")
        np.testing.assert_allclose(got[0], want, rtol=1e-5, atol=1e-5, err_msg=f"request {i}")

    with concurrent.futures.ThreadPoolExecutor(N) as pool:
        list(pool.map(infer, range(N)))
    assert_batched_together(before, batch_counts(mlp, "mlp"), N)


def test_v2_model_config_reports_the_batching_parameters(mlp):
    want = {"max_batch_size": 64,
            "dynamic_batching": {"preferred_batch_size": [], "max_queue_delay_microseconds": 100000}}
    config = requests.get(f"{mlp.rest}/v2/models/mlp/config", timeout=10).json()
    assert {k: config[k] for k in want} == want
    assert config["input"] == [{"name": "x", "data_type": "TYPE_FP32", "dims": [256]}]
    grpc_config = grpcclient.InferenceServerClient(mlp.grpc_target).get_model_config(
        "mlp", client_timeout=10).config
    assert grpc_config.max_batch_size == 64
    assert grpc_config.dynamic_batching.max_queue_delay_microseconds == 100000
    assert list(grpc_config.dynamic_batching.preferred_batch_size) == []


@pytest.fixture(scope="module")
def half_plus_two(tern_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hp2")
    return tern_factory("half_plus_two", HALF_PLUS_TWO, ["--enable_batching", *FEW_THREADS, params_file(
        tmp, "max_batch_size { value: 64 } batch_timeout_micros { value: 100000 } "
             "max_enqueued_batches { value: 100 } num_batch_threads { value: 1 }")])


def examples_request(cls, signature, x):
    request = cls()
    request.model_spec.name = "half_plus_two"
    request.model_spec.signature_name = signature
    request.input.example_list.examples.add().features.feature["x"].float_list.value.append(x)
    return request


def test_grpc_classify_regress_multi_inference_are_batched_and_correct(half_plus_two):
    stub = prediction_service_pb2_grpc.PredictionServiceStub(
        grpc.insecure_channel(half_plus_two.grpc_target))
    before = batch_counts(half_plus_two, "half_plus_two")
    calls = []
    for i in range(N):
        x = float(i)
        kind = ("classify", "regress", "multi")[i % 3]
        if kind == "classify":
            request = examples_request(classification_pb2.ClassificationRequest, "classify_x_to_y", x)
            calls.append((kind, x, stub.Classify.future(request, timeout=60)))
        elif kind == "regress":
            request = examples_request(regression_pb2.RegressionRequest, "regress_x_to_y", x)
            calls.append((kind, x, stub.Regress.future(request, timeout=60)))
        else:
            request = inference_pb2.MultiInferenceRequest()
            for signature, method in [("classify_x_to_y", "tensorflow/serving/classify"),
                                      ("regress_x_to_y2", "tensorflow/serving/regress")]:
                task = request.tasks.add()
                task.model_spec.name = "half_plus_two"
                task.model_spec.signature_name = signature
                task.method_name = method
            request.input.example_list.examples.add().features.feature["x"].float_list.value.append(x)
            calls.append((kind, x, stub.MultiInference.future(request, timeout=60)))
    rows = 0
    for kind, x, future in calls:
        response = future.result()
        if kind == "classify":
            assert response.result.classifications[0].classes[0].score == pytest.approx(0.5 * x + 2)
            rows += 1
        elif kind == "regress":
            assert response.result.regressions[0].value == pytest.approx(0.5 * x + 2)
            assert response.model_spec.signature_name == "regress_x_to_y"
            rows += 1
        else:
            classify, regress = response.results
            assert classify.model_spec.signature_name == "classify_x_to_y"
            assert classify.classification_result.classifications[0].classes[0].score == \
                pytest.approx(0.5 * x + 2)
            assert regress.model_spec.signature_name == "regress_x_to_y2"
            assert regress.regression_result.regressions[0].value == pytest.approx(0.5 * x + 3)
            rows += 2
    assert_batched_together(before, batch_counts(half_plus_two, "half_plus_two"), rows)


def test_rest_classify_regress_are_batched_and_correct(half_plus_two):
    before = batch_counts(half_plus_two, "half_plus_two")

    def call(i):
        x = float(i)
        verb, signature = (("classify", "classify_x_to_y"), ("regress", "regress_x_to_y"))[i % 2]
        r = requests.post(f"{half_plus_two.rest}/v1/models/half_plus_two:{verb}", timeout=60,
                          json={"signature_name": signature, "examples": [{"x": x}]})
        assert r.status_code == 200, r.text
        result = r.json()["results"][0]
        got = result[0][1] if verb == "classify" else result
        assert got == pytest.approx(0.5 * x + 2), (verb, x, r.text)

    with concurrent.futures.ThreadPoolExecutor(N) as pool:
        list(pool.map(call, range(N)))
    assert_batched_together(before, batch_counts(half_plus_two, "half_plus_two"), N)


# A request that opens a batch waiting 3 s; the queue holds one batch of up to 4 rows.
SLOW_QUEUE = ("max_batch_size { value: 4 } batch_timeout_micros { value: 3000000 } "
              "max_enqueued_batches { value: 1 } num_batch_threads { value: 1 }")


def test_v2_full_queue_and_expired_deadline(tern_factory, tmp_path):
    server = tern_factory("mlp", MLP, ["--enable_batching", "--rest_api_timeout_in_ms=500",
                                       params_file(tmp_path, SLOW_QUEUE)])
    client = grpcclient.InferenceServerClient(server.grpc_target)
    x3 = np.asarray(GOLDEN[1]["x"], np.float32)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(lambda: client.infer("mlp", [v2_input(grpcclient, x3)],
                                                   client_timeout=30).as_numpy("y"))
        time.sleep(0.5)
        # 2 more rows do not fit beside the 3: they need a second batch; the queue holds one.
        start = time.monotonic()
        with pytest.raises(InferenceServerException) as refused:
            client.infer("mlp", [v2_input(grpcclient, x3[:2])], client_timeout=30)
        assert refused.value.status() == "StatusCode.UNAVAILABLE", refused.value
        assert "is full" in refused.value.message()
        body = {"inputs": [{"name": "x", "shape": [2, 256], "datatype": "FP32",
                            "data": x3[:2].ravel().tolist()}]}
        r = requests.post(f"{server.rest}/v2/models/mlp/infer", json=body, timeout=30)
        assert r.status_code == 503 and "is full" in r.json()["error"], r.text
        assert time.monotonic() - start < 2.5, "a full queue must answer at once"
        np.testing.assert_allclose(waiting.result(), np.asarray(GOLDEN[1]["y"], np.float32),
                                   rtol=1e-5, atol=1e-5)
    # One row waits for the 3 s batch timeout; REST's 500 ms deadline passes first.
    body = {"inputs": [{"name": "x", "shape": [1, 256], "datatype": "FP32",
                        "data": x3[:1].ravel().tolist()}]}
    r = requests.post(f"{server.rest}/v2/models/mlp/infer", json=body, timeout=30)
    assert r.status_code == 504 and "deadline" in r.json()["error"], r.text
    with pytest.raises(InferenceServerException) as late:
        client.infer("mlp", [v2_input(grpcclient, x3[:1])], client_timeout=0.5)
    assert "DEADLINE_EXCEEDED" in late.value.status(), late.value
    # The server is still well and answers correctly afterwards.
    np.testing.assert_allclose(client.infer("mlp", [v2_input(grpcclient, x3[:1])],
                                            client_timeout=30).as_numpy("y"),
                               np.asarray(GOLDEN[1]["y"][:1], np.float32), rtol=1e-5, atol=1e-5)


def test_regress_full_queue_and_expired_deadline(tern_factory, tmp_path):
    server = tern_factory("half_plus_two", HALF_PLUS_TWO, [
        "--enable_batching", "--rest_api_timeout_in_ms=500", params_file(tmp_path, SLOW_QUEUE)])
    stub = prediction_service_pb2_grpc.PredictionServiceStub(grpc.insecure_channel(server.grpc_target))

    def regress(xs, timeout=30):
        request = regression_pb2.RegressionRequest()
        request.model_spec.name = "half_plus_two"
        request.model_spec.signature_name = "regress_x_to_y"
        for x in xs:
            request.input.example_list.examples.add().features.feature["x"].float_list.value.append(x)
        return stub.Regress(request, timeout=timeout)

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(regress, [1.0, 2.0, 3.0])
        time.sleep(0.5)
        start = time.monotonic()
        with pytest.raises(grpc.RpcError) as refused:
            regress([4.0, 5.0])
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "is full" in refused.value.details()
        r = requests.post(f"{server.rest}/v1/models/half_plus_two:regress", timeout=30,
                          json={"signature_name": "regress_x_to_y", "examples": [{"x": 4.0}, {"x": 5.0}]})
        assert r.status_code == 503 and "is full" in r.json()["error"], r.text
        assert time.monotonic() - start < 2.5, "a full queue must answer at once"
        assert [v.value for v in waiting.result().result.regressions] == [2.5, 3.0, 3.5]
    r = requests.post(f"{server.rest}/v1/models/half_plus_two:classify", timeout=30,
                      json={"signature_name": "classify_x_to_y", "examples": [{"x": 1.0}]})
    assert r.status_code == 504 and "deadline" in r.json()["error"], r.text
    with pytest.raises(grpc.RpcError) as late:
        regress([1.0], timeout=0.5)
    assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert [v.value for v in regress([6.0]).result.regressions] == [5.0]


@pytest.mark.parametrize("method,message", [
    ("/inference.GRPCInferenceService/ModelInfer", "inference.ModelInferRequest"),
    ("/tensorflow.serving.PredictionService/Classify", "tensorflow.serving.ClassificationRequest"),
    ("/tensorflow.serving.PredictionService/Regress", "tensorflow.serving.RegressionRequest"),
    ("/tensorflow.serving.PredictionService/MultiInference",
     "tensorflow.serving.MultiInferenceRequest"),
])
def test_bytes_that_are_not_the_request_message_are_invalid_argument(half_plus_two, method, message):
    with grpc.insecure_channel(half_plus_two.grpc_target) as channel:
        call = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
        with pytest.raises(grpc.RpcError) as error:
            call(b"\xff\xff\xff\xff not a protobuf", timeout=10)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT, error.value.details()
    assert message in error.value.details()
    r = requests.post(f"{half_plus_two.rest}/v1/models/half_plus_two:regress", timeout=10,
                      json={"signature_name": "regress_x_to_y", "examples": [{"x": 2.0}]})
    assert r.json() == {"results": [3.0]}, r.text
