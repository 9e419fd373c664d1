"""Triton's trace and logging extensions against a real build/tern, with the official Triton
clients (tritonclient.http and tritonclient.grpc): trace settings round trip server-wide and per
model, sampled requests land in the --trace_file in Triton's trace file format with their
timestamps in order, and log settings change what the server writes to its log."""
import json
import re

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from conftest import ROOT, TF_SERVING_MODELS, TernServer

MODEL = "half_plus_two"
BASE = TF_SERVING_MODELS / "saved_model_half_plus_two_tf2_cpu"
STAMPS = ["REQUEST_START", "QUEUE_START", "COMPUTE_START", "COMPUTE_INPUT_END",
          "COMPUTE_OUTPUT_START", "COMPUTE_END", "REQUEST_END"]


def clients(server):
    return (httpclient.InferenceServerClient(f"127.0.0.1:{server.rest_port}"),
            grpcclient.InferenceServerClient(server.grpc_target))


def grpc_trace(client, model=None):
    settings = client.get_trace_settings(model_name=model, as_json=True)["settings"]
    return {k: v.get("value", []) for k, v in settings.items()}


def infer(client, module, n=3):
    x = np.arange(n, dtype=np.float32)
    tensor = module.InferInput("x", [n], "FP32")
    tensor.set_data_from_numpy(x)
    np.testing.assert_allclose(client.infer(MODEL, [tensor]).as_numpy("y"), x / 2 + 2)


def read_traces(path):
    """Triton's trace file: a JSON array; each trace is a model object and a timestamps object
    sharing an id."""
    entries = json.loads(path.read_text())
    traces = {}
    for e in entries:
        t = traces.setdefault(e["id"], {"timestamps": []})
        if "model_name" in e:
            t["model_name"], t["model_version"] = e["model_name"], e["model_version"]
        t["timestamps"] += e.get("timestamps", [])
    return traces


@pytest.fixture
def traced(tmp_path):
    server = TernServer(MODEL, BASE, [f"--trace_file={tmp_path / 'trace.json'}"])
    yield server, tmp_path / "trace.json"
    if server.alive():
        server.stop()


def test_metadata_lists_trace_and_logging(traced):
    http, grpc = clients(traced[0])
    assert {"trace", "logging"} <= set(http.get_server_metadata()["extensions"])
    assert {"trace", "logging"} <= set(grpc.get_server_metadata().extensions)


def test_trace_settings_round_trip(traced):
    server, path = traced
    http, grpc = clients(server)
    assert http.get_trace_settings() == {
        "trace_file": str(path), "trace_level": ["OFF"], "trace_rate": "1000",
        "trace_count": "-1", "log_frequency": "0", "trace_mode": "triton"}
    updated = http.update_trace_settings(settings={"trace_level": ["TIMESTAMPS"], "trace_rate": "5"})
    assert updated["trace_level"] == ["TIMESTAMPS"] and updated["trace_rate"] == "5"
    assert grpc_trace(grpc)["trace_rate"] == ["5"]
    # A model's own settings sit on top of the server's; None clears one again.
    grpc.update_trace_settings(model_name=MODEL, settings={"trace_rate": "2", "trace_count": "7"})
    model = http.get_trace_settings(MODEL)
    assert (model["trace_rate"], model["trace_count"], model["trace_level"]) == ("2", "7", ["TIMESTAMPS"])
    assert http.get_trace_settings()["trace_rate"] == "5"
    http.update_trace_settings(MODEL, {"trace_rate": None})
    assert grpc_trace(grpc, MODEL)["trace_rate"] == ["5"]
    grpc.update_trace_settings(model_name=MODEL, settings={"trace_count": None})
    assert http.get_trace_settings(MODEL)["trace_count"] == "-1"


@pytest.mark.parametrize("settings,model,message", [
    ({"trace_level": ["TENSORS"]}, None, "trace_level TENSORS is not supported"),
    ({"trace_level": ["LOUD"]}, None, 'trace_level "LOUD" is not one of OFF, TIMESTAMPS'),
    ({"trace_rate": "0"}, None, "'trace_rate' must be an integer >= 1, got \"0\""),
    ({"trace_count": "-2"}, None, "'trace_count' must be an integer >= -1"),
    ({"trace_file": "/tmp/elsewhere.json"}, None, "'trace_file' cannot be changed through the API"),
    ({"trace_mode": "opentelemetry"}, None, "OpenTelemetry export is not implemented"),
    ({"log_frequency": "3"}, MODEL, "'log_frequency' is server-wide"),
    ({"trace_rate": None}, None, "cannot be cleared server-wide"),
    ({"colour": "blue"}, None, "unknown trace setting 'colour'"),
])
def test_trace_settings_refuse_what_tern_cannot_do(traced, settings, model, message):
    http, grpc = clients(traced[0])
    before = http.get_trace_settings()
    with pytest.raises(InferenceServerException, match=re.escape(message)):
        http.update_trace_settings(model, settings)
    if None not in settings.values():  # grpc sends None as "clear", a different request
        with pytest.raises(InferenceServerException, match=re.escape(message)):
            grpc.update_trace_settings(model_name=model, settings=settings)
    assert http.get_trace_settings() == before


def test_unknown_model_and_missing_trace_file(tern_factory):
    server = tern_factory(MODEL, BASE)
    http, grpc = clients(server)
    with pytest.raises(InferenceServerException, match="nope"):
        http.get_trace_settings("nope")
    with pytest.raises(InferenceServerException, match="start tern with --trace_file"):
        grpc.update_trace_settings(settings={"trace_level": ["TIMESTAMPS"]})
    assert http.get_trace_settings()["trace_level"] == ["OFF"]


def test_trace_file_after_traffic(traced):
    """trace_rate 2 over 10 requests: 5 traces, each with Triton's timestamps in order, written
    to trace_file at shutdown (log_frequency 0)."""
    server, path = traced
    http, grpc = clients(server)
    infer(http, httpclient)  # before tracing is on: not traced
    http.update_trace_settings(settings={"trace_level": ["TIMESTAMPS"], "trace_rate": "2"})
    for i in range(10):
        infer(*((http, httpclient) if i % 2 else (grpc, grpcclient)))
    assert not path.exists()  # log_frequency 0 keeps them until shutdown
    assert server.stop() == 0
    traces = read_traces(path)
    assert len(traces) == 5
    for t in traces.values():
        assert (t["model_name"], t["model_version"]) == (MODEL, 123)
        assert [s["name"] for s in t["timestamps"]] == STAMPS
        ns = [s["ns"] for s in t["timestamps"]]
        assert ns == sorted(ns) and ns[-1] > ns[0]
    starts = sorted(t["timestamps"][0]["ns"] for t in traces.values())
    assert len(set(starts)) == 5


def test_log_frequency_and_trace_count(traced):
    """log_frequency 2 writes every 2 traces to trace_file.<n>; trace_count 3 stops after 3."""
    server, path = traced
    http, _ = clients(server)
    http.update_trace_settings(settings={"trace_level": ["TIMESTAMPS"], "trace_rate": "1",
                                         "trace_count": "3", "log_frequency": "2"})
    for _ in range(6):
        infer(http, httpclient)
    assert http.get_trace_settings()["trace_count"] == "0"
    first = path.with_name("trace.json.0")
    assert len(read_traces(first)) == 2
    assert not path.with_name("trace.json.1").exists()  # the third waits for a second one
    server.stop()
    assert len(read_traces(path.with_name("trace.json.1"))) == 1


def test_a_model_can_trace_when_the_server_does_not(traced):
    server, path = traced
    http, _ = clients(server)
    http.update_trace_settings(MODEL, {"trace_level": ["TIMESTAMPS"], "trace_rate": "1"})
    assert http.get_trace_settings()["trace_level"] == ["OFF"]
    for _ in range(3):
        infer(http, httpclient)
    server.stop()
    assert len(read_traces(path)) == 3


def test_batched_requests_trace_their_batch_phases(tmp_path):
    """With batching, QUEUE_START to COMPUTE_START is the wait for the batch, and the batch's
    merge (compute input) and split (compute output) sit around the run, in order."""
    params = tmp_path / "batching.txt"
    params.write_text("max_batch_size { value: 4 } batch_timeout_micros { value: 20000 } "
                      "max_enqueued_batches { value: 100 } allowed_batch_sizes: 4")
    path = tmp_path / "trace.json"
    server = TernServer("mlp", ROOT / "tests/models/mlp/model",
                        ["--enable_batching", f"--batching_parameters_file={params}",
                         f"--trace_file={path}"])
    http = httpclient.InferenceServerClient(f"127.0.0.1:{server.rest_port}", concurrency=4)
    http.update_trace_settings(settings={"trace_level": ["TIMESTAMPS"], "trace_rate": "1"})
    row = np.asarray(json.loads((ROOT / "tests/models/mlp/golden.json").read_text())[0]["x"][:1],
                     np.float32)
    tensor = httpclient.InferInput("x", list(row.shape), "FP32")
    tensor.set_data_from_numpy(row)
    for p in [http.async_infer("mlp", [tensor]) for _ in range(8)]:
        p.get_result()
    assert server.stop() == 0
    traces = read_traces(path)
    assert len(traces) == 8
    for t in traces.values():
        assert [s["name"] for s in t["timestamps"]] == STAMPS
        ns = {s["name"]: s["ns"] for s in t["timestamps"]}
        assert ns["COMPUTE_START"] > ns["QUEUE_START"]  # waited for the batch
        assert ns["COMPUTE_OUTPUT_START"] > ns["COMPUTE_INPUT_END"]
        assert ns["REQUEST_END"] >= ns["COMPUTE_END"]


def test_log_settings(traced):
    server, _ = traced
    http, grpc = clients(server)
    assert http.get_log_settings() == {"log_file": "", "log_info": True, "log_warning": True,
                                       "log_error": True, "log_verbose_level": 0,
                                       "log_format": "default"}
    settings = grpc.get_log_settings(as_json=True)["settings"]
    assert settings["log_verbose_level"] == {"uint32_param": 0}

    # Verbose level 1 writes a line per infer request, in Triton's ISO8601 layout.
    updated = grpc.update_log_settings({"log_verbose_level": 1, "log_format": "ISO8601"})
    assert updated.settings["log_verbose_level"].uint32_param == 1
    infer(http, httpclient, n=7)
    log = server.log_path.read_text()
    line = next(l for l in log.splitlines() if "v2 infer request for model half_plus_two" in l)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ V \d+ kserve_service\.cc:\d+\] ", line), line

    # Info off: a settings change (an info line) is no longer written; verbose 0: no request lines.
    http.update_log_settings({"log_info": False, "log_verbose_level": 0, "log_format": "default"})
    size = len(server.log_path.read_text())
    http.update_trace_settings(settings={"trace_rate": "3"})
    infer(http, httpclient)
    assert server.log_path.read_text()[size:] == ""
    http.update_log_settings({"log_info": True})
    http.update_trace_settings(settings={"trace_rate": "4"})
    assert re.search(r"^I \S+ trace\.cc:\d+\] trace settings", server.log_path.read_text()[size:], re.M)

    # (tritonclient.grpc types each value by its name, so wrong types only go over http)
    for settings, message, both in [
            ({"log_file": "/tmp/tern.log"}, "Tern logs to stderr only", True),
            ({"log_format": "json"}, 'must be "default" or "ISO8601"', True),
            ({"log_info": "yes"}, "'log_info' must be a boolean, got a string", False),
            ({"log_level": 3}, "unknown log setting 'log_level'", False)]:
        for client in (http, grpc) if both else (http,):
            with pytest.raises(InferenceServerException, match=re.escape(message)):
                client.update_log_settings(settings)
    assert http.get_log_settings()["log_info"] is True
