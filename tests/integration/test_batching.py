"""--enable_batching against a real build/tern on the TensorFlow-exported MLP, with the official
TF Serving gRPC client and REST: concurrent answers equal TensorFlow's, a full queue answers at
once, an expired deadline is not run, flags are checked."""
import concurrent.futures
import json
import subprocess
import time

import grpc
import numpy as np
import pytest
import requests
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from conftest import ROOT, TERN

MODEL = ROOT / "tests/models/mlp/model"
GOLDEN = json.loads((ROOT / "tests/models/mlp/golden.json").read_text())


def params_file(tmp_path, text):
    path = tmp_path / "batching.txt"
    path.write_text(text)
    return f"--batching_parameters_file={path}"


def predict(server, x, timeout=30):
    stub = prediction_service_pb2_grpc.PredictionServiceStub(grpc.insecure_channel(server.grpc_target))
    req = predict_pb2.PredictRequest()
    req.model_spec.name = "mlp"
    req.inputs["x"].CopyFrom(tf.make_tensor_proto(np.asarray(x, dtype=np.float32)))
    return tf.make_ndarray(stub.Predict(req, timeout=timeout).outputs["y"])


def test_concurrent_batched_answers_equal_tensorflow(tern_factory, tmp_path):
    server = tern_factory("mlp", MODEL, ["--enable_batching", params_file(
        tmp_path, "max_batch_size { value: 4 } batch_timeout_micros { value: 5000 } "
                  "max_enqueued_batches { value: 100 } allowed_batch_sizes: 2 allowed_batch_sizes: 4")])
    # Every golden case several times over, from many threads at once, over gRPC and REST;
    # the 8-row case is larger than max_batch_size and gets split.
    jobs = [(case, proto) for case in GOLDEN for proto in ("grpc", "rest") for _ in range(6)]

    def run(job):
        case, proto = job
        if proto == "grpc":
            return predict(server, case["x"])
        r = requests.post(f"{server.rest}/v1/models/mlp:predict", json={"instances": case["x"]})
        assert r.status_code == 200, r.text
        return np.asarray(r.json()["predictions"], dtype=np.float32)

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        for (case, proto), got in zip(jobs, pool.map(run, jobs)):
            np.testing.assert_allclose(got, np.asarray(case["y"], np.float32), rtol=1e-5, atol=1e-5,
                                       err_msg=f"{proto}, {len(case['x'])} rows")

    # The batches show in the metrics: every batch is an allowed size (2 or 4), so the recorded
    # rows, padding included, are at least the rows sent, and queue latency was observed per task.
    metrics = requests.get(f"{server.rest}/metrics").text
    values = {}
    for line in metrics.splitlines():
        for name in ("tern_batch_size_sum", "tern_batch_size_count",
                     "tern_batch_queue_duration_seconds_count", "tern_batch_padding_rows_sum"):
            if line.startswith(name + '{model="mlp"}'):
                values[name] = float(line.split()[-1])
    rows_sent = sum(len(case["x"]) for case, _ in jobs)
    assert values["tern_batch_size_count"] > 0
    assert values["tern_batch_size_sum"] >= rows_sent
    assert values["tern_batch_size_sum"] - values["tern_batch_padding_rows_sum"] == rows_sent
    assert values["tern_batch_queue_duration_seconds_count"] >= len(jobs)


def test_full_queue_answers_at_once_and_deadline_is_kept(tern_factory, tmp_path):
    server = tern_factory("mlp", MODEL, ["--enable_batching", "--rest_api_timeout_in_ms=1000",
                                         params_file(tmp_path,
        "max_batch_size { value: 4 } batch_timeout_micros { value: 3000000 } "
        "max_enqueued_batches { value: 1 } num_batch_threads { value: 1 }")])
    x3 = np.asarray(GOLDEN[1]["x"], np.float32)  # 3 rows: opens a batch that waits 3 s
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(predict, server, x3)
        time.sleep(0.5)
        # 2 more rows do not fit beside the 3: they need a second batch, and the queue holds one.
        start = time.monotonic()
        with pytest.raises(grpc.RpcError) as refused:
            predict(server, x3[:2])
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "is full" in refused.value.details()
        r = requests.post(f"{server.rest}/v1/models/mlp:predict", json={"instances": x3[:2].tolist()})
        assert r.status_code == 503 and "is full" in r.json()["error"], r.text
        assert time.monotonic() - start < 2.5, "a full queue must answer at once"
        np.testing.assert_allclose(waiting.result(), np.asarray(GOLDEN[1]["y"], np.float32),
                                   rtol=1e-5, atol=1e-5)
    # A 1-row request waits for the 3 s timeout; REST's 1 s deadline passes first: 504.
    r = requests.post(f"{server.rest}/v1/models/mlp:predict", json={"instances": x3[:1].tolist()})
    assert r.status_code == 504, r.text
    assert "deadline" in r.json()["error"]
    with pytest.raises(grpc.RpcError) as late:
        predict(server, x3[:1], timeout=0.5)
    assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


@pytest.mark.parametrize("args,words", [
    (["--batching_parameters_file=/tmp/x.txt"], ["--enable_batching"]),
    (["--enable_batching", "--batching_parameters_file=/nonexistent/b.txt"], ["/nonexistent/b.txt"]),
])
def test_bad_batching_flags_stop_the_server_with_a_message(args, words):
    out = subprocess.run([str(TERN), f"--model_base_path={MODEL}", "--port=0", "--rest_api_port=0",
                          *args], capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    for word in words:
        assert word in out.stderr


def test_bad_parameters_file_names_the_line(tmp_path):
    out = subprocess.run([str(TERN), f"--model_base_path={MODEL}", "--enable_batching",
                          params_file(tmp_path, "max_batch_size { value: 4 }\nnot_a_field: 3\n")],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    assert ": 2:12:" in out.stderr and "not_a_field" in out.stderr  # line:column


def process_threads(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError("no Threads line")


def test_thousand_waiting_grpc_requests_hold_no_threads(tern_factory, tmp_path):
    # Batches of up to 100 rows that wait 300 ms: 1000 one-row requests sent at once are mostly
    # waiting in the queue at any moment. A server that parks a thread per waiting request needs
    # ~1000 threads (or refuses past its thread cap); the callback front end needs a few.
    server = tern_factory("mlp", MODEL, ["--enable_batching", params_file(
        tmp_path, "max_batch_size { value: 100 } batch_timeout_micros { value: 300000 } "
                  "max_enqueued_batches { value: 100 } num_batch_threads { value: 1 }")])
    idle_threads = process_threads(server.process.pid)
    stub = prediction_service_pb2_grpc.PredictionServiceStub(grpc.insecure_channel(server.grpc_target))
    case = GOLDEN[0]
    row = np.asarray(case["x"][:1], np.float32)
    want = np.asarray(case["y"][:1], np.float32)
    req = predict_pb2.PredictRequest()
    req.model_spec.name = "mlp"
    req.inputs["x"].CopyFrom(tf.make_tensor_proto(row))
    futures = [stub.Predict.future(req, timeout=60) for _ in range(1000)]
    peak = idle_threads
    while not all(f.done() for f in futures):
        peak = max(peak, process_threads(server.process.pid))
        time.sleep(0.01)
    for f in futures:
        np.testing.assert_allclose(tf.make_ndarray(f.result().outputs["y"]), want,
                                   rtol=1e-5, atol=1e-5)
    assert peak - idle_threads < 64, f"threads grew from {idle_threads} to {peak}"
