"""Triton's statistics extension against a real build/tern, read with the official Triton
clients (tritonclient.http and tritonclient.grpc): the counts follow the traffic sent, both
transports report the same numbers, and they are the numbers the Prometheus page shows."""
import json
import re
import subprocess
import sys
import time

import numpy as np
import pytest
import requests
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from conftest import ROOT, TF_SERVING_MODELS

sys.path.insert(0, str(ROOT / "loadtest"))
import drivers  # noqa: E402

MODEL = "half_plus_two"


def infer(client, module, model, x, input_name="x"):
    tensor = module.InferInput(input_name, list(x.shape), "FP32")
    tensor.set_data_from_numpy(x)
    return client.infer(model, [tensor])


def grpc_stats(client, model="", version=""):
    return client.get_inference_statistics(model, version, as_json=True)


def as_int(stat, key):
    """grpc's JSON leaves zero fields out and writes uint64 as strings."""
    return int(stat.get(key, 0))


def prometheus(server, name, labels):
    text = requests.get(f"{server.rest}/metrics", timeout=10).text
    label_text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    match = re.search(rf"^{name}{{{re.escape(label_text)}}} (\S+)$", text, re.M)
    assert match, f"{name}{{{label_text}}} not on the metrics page"
    return float(match.group(1))


@pytest.fixture(scope="module")
def server(tern_factory):
    return tern_factory(MODEL, TF_SERVING_MODELS / "saved_model_half_plus_two_tf2_cpu")


def test_statistics_follow_the_traffic_and_agree_across_transports(server):
    http = httpclient.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
    grpc = grpcclient.InferenceServerClient(server.grpc_target)
    before = http.get_inference_statistics(MODEL)["model_stats"][0]
    sizes = [1, 3, 3, 5]
    for i, n in enumerate(sizes):
        x = np.arange(n, dtype=np.float32)
        client, module = (http, httpclient) if i % 2 else (grpc, grpcclient)
        np.testing.assert_allclose(infer(client, module, MODEL, x).as_numpy("y"), 0.5 * x + 2)

    stats = http.get_inference_statistics(MODEL)["model_stats"]
    assert [(s["name"], s["version"]) for s in stats] == [(MODEL, "123")]
    s = stats[0]
    infer_stats = s["inference_stats"]
    grown = lambda key: infer_stats[key]["count"] - before["inference_stats"][key]["count"]
    assert grown("success") == len(sizes)
    assert grown("queue") == grown("compute_input") == grown("compute_infer") == len(sizes)
    assert s["inference_count"] - before["inference_count"] == sum(sizes)
    assert s["execution_count"] - before["execution_count"] == len(sizes)
    assert infer_stats["compute_infer"]["ns"] > 0
    assert infer_stats["success"]["ns"] >= infer_stats["compute_infer"]["ns"]
    assert s["last_inference"] > 0
    by_size = {b["batch_size"]: b for b in s["batch_stats"]}
    assert {1, 3, 5} <= set(by_size)
    assert by_size[3]["compute_infer"]["count"] >= 2

    # gRPC reads the same store: the same numbers (no traffic in between).
    g = grpc_stats(grpc, MODEL)["model_stats"][0]
    assert g["name"] == MODEL and g["version"] == "123"
    assert as_int(g, "inference_count") == s["inference_count"]
    assert as_int(g, "execution_count") == s["execution_count"]
    for key in ("success", "queue", "compute_infer"):
        assert as_int(g["inference_stats"][key], "count") == infer_stats[key]["count"]
        assert as_int(g["inference_stats"][key], "ns") == infer_stats[key]["ns"]
    assert sorted(int(b["batch_size"]) for b in g["batch_stats"]) == sorted(by_size)

    # Prometheus sees the same requests and the same compute time (seconds there).
    labels = {"model": MODEL, "version": "123"}
    assert prometheus(server, "tern_compute_duration_seconds_count", labels) == \
        infer_stats["compute_infer"]["count"]
    compute_ns = sum(infer_stats[k]["ns"] for k in ("compute_input", "compute_infer", "compute_output"))
    assert prometheus(server, "tern_compute_duration_seconds_sum", labels) == \
        pytest.approx(compute_ns * 1e-9, rel=1e-6)


def test_statistics_by_version_all_models_and_unknowns(server):
    http = httpclient.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
    grpc = grpcclient.InferenceServerClient(server.grpc_target)
    infer(http, httpclient, MODEL, np.ones(2, np.float32))
    one = http.get_inference_statistics(MODEL, "123")["model_stats"]
    assert [s["version"] for s in one] == ["123"]
    every = requests.get(f"{server.rest}/v2/models/stats", timeout=10).json()["model_stats"]
    assert [s["name"] for s in every] == [MODEL]
    assert [s["name"] for s in grpc_stats(grpc)["model_stats"]] == [MODEL]

    r = requests.get(f"{server.rest}/v2/models/{MODEL}/versions/7/stats", timeout=10)
    assert r.status_code == 404 and "version 7" in r.json()["error"], r.text
    r = requests.get(f"{server.rest}/v2/models/nope/stats", timeout=10)
    assert r.status_code == 404 and "nope" in r.json()["error"], r.text
    with pytest.raises(InferenceServerException) as e:
        grpc.get_inference_statistics("nope")
    assert "NOT_FOUND" in str(e.value.status())


def batching_server(tern_factory, tmp_path, timeout_micros):
    params = tmp_path / f"batching-{timeout_micros}.txt"
    params.write_text(f"max_batch_size {{ value: 4 }} batch_timeout_micros {{ value: {timeout_micros} }} "
                      "max_enqueued_batches { value: 100 } allowed_batch_sizes: 2 "
                      "allowed_batch_sizes: 4")
    return tern_factory("mlp", ROOT / "tests/models/mlp/model",
                        ["--enable_batching", f"--batching_parameters_file={params}"])


MLP_ROW = np.asarray(json.loads((ROOT / "tests/models/mlp/golden.json").read_text())[0]["x"][:1],
                     np.float32)


def test_failed_requests_count_in_fail(tern_factory, tmp_path):
    """A request whose deadline passes while it waits for a batch partner is not run: it counts
    in `fail`, not in `success`, and its phases are not charged."""
    server = batching_server(tern_factory, tmp_path, 400000)
    grpc = grpcclient.InferenceServerClient(server.grpc_target)
    tensor = grpcclient.InferInput("x", list(MLP_ROW.shape), "FP32")
    tensor.set_data_from_numpy(MLP_ROW)
    for _ in range(3):
        with pytest.raises(InferenceServerException):
            grpc.infer("mlp", [tensor], client_timeout=0.1)
    deadline = time.time() + 10
    while time.time() < deadline:
        s = grpc_stats(grpc, "mlp")["model_stats"][0]["inference_stats"]
        if as_int(s.get("fail", {}), "count") == 3:
            break
        time.sleep(0.1)
    assert as_int(s["fail"], "count") == 3, s
    assert as_int(s["fail"], "ns") >= 3 * 100_000_000 * 0.9
    assert as_int(s.get("success", {}), "count") == 0
    assert as_int(s.get("compute_infer", {}), "count") == 0


def test_batched_statistics_per_batch_size(tern_factory, tmp_path):
    server = batching_server(tern_factory, tmp_path, 20000)
    http = httpclient.InferenceServerClient(f"127.0.0.1:{server.rest_port}", concurrency=8)
    x = MLP_ROW

    # tritonclient.http's async_infer keeps up to `concurrency` requests in flight at once.
    tensor = httpclient.InferInput("x", list(x.shape), "FP32")
    tensor.set_data_from_numpy(x)
    pending = [http.async_infer("mlp", [tensor]) for _ in range(24)]
    for p in pending:
        assert p.get_result().as_numpy("y").shape[0] == 1

    s = http.get_inference_statistics("mlp")["model_stats"][0]
    st = s["inference_stats"]
    assert st["success"]["count"] == 24
    assert s["inference_count"] == 24
    # Batches are allowed sizes (padding included) and there are fewer runs than requests
    # whenever two requests shared one.
    sizes = {b["batch_size"] for b in s["batch_stats"]}
    assert sizes <= {2, 4}, sizes
    runs = sum(b["compute_infer"]["count"] for b in s["batch_stats"])
    assert runs == s["execution_count"]
    assert st["queue"]["count"] == 24 and st["queue"]["ns"] > 0
    assert st["compute_input"]["count"] == 24
    # Prometheus: one batch-size observation per execution, one queue observation per request.
    assert prometheus(server, "tern_batch_size_count", {"model": "mlp"}) == s["execution_count"]
    assert prometheus(server, "tern_batch_queue_duration_seconds_count", {"model": "mlp"}) == 24
    assert prometheus(server, "tern_batch_queue_duration_seconds_sum", {"model": "mlp"}) == \
        pytest.approx(st["queue"]["ns"] * 1e-9, rel=1e-6)


@pytest.mark.parametrize("protocol", ["grpc", "http"])
def test_perf_analyzer_prints_the_server_side_breakdown(tern_factory, protocol):
    """perf_analyzer --service-kind=triton reads ModelStatistics before and after its window
    and prints the server's queue and compute split from the difference."""
    server = tern_factory("mlp", ROOT / "tests/models/mlp/model")
    port = server.grpc_port if protocol == "grpc" else server.rest_port
    out = subprocess.run([str(drivers.tools_bin() / "perf_analyzer"), "--service-kind=triton", "-i", protocol,
                          "-u", f"127.0.0.1:{port}", "-m", "mlp", "-b", "4",
                          "--concurrency-range=2:2", "--measurement-interval=1000",
                          "--stability-percentage=10000"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    server_part = out.stdout.split("Server:", 1)[1]
    executions = int(re.search(r"Execution count: (\d+)", server_part).group(1))
    inferences = int(re.search(r"Inference count: (\d+)", server_part).group(1))
    # A run is counted as an execution when the model finishes and its 4 rows as inferences
    # when the response is done, so each of perf_analyzer's two snapshots can catch up to 2
    # requests (the concurrency) in between: the difference is off by at most 2 executions.
    assert executions > 0 and abs(inferences - 4 * executions) <= 4 * 2, (inferences, executions)
    infer_usec = int(re.search(r"compute infer (\d+) usec", server_part).group(1))
    assert "queue" in server_part and infer_usec >= 0
