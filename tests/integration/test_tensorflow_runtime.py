"""The optional TensorFlow runtime (docs/tensorflow_runtime.md): models with ops Tern lacks are
served through TensorFlow's C API under `runtime: auto`, custom-op libraries (TF Text) load with
--custom_op_libraries, and both runtimes answer the same. Skipped only without the tensorflow wheel
(the models are exported with it at test time)."""
import importlib.util
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import requests

from conftest import ROOT, TERN, free_port

if importlib.util.find_spec("tensorflow") is None:
    pytest.skip("the tensorflow wheel is not installed", allow_module_level=True)

import grpc  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc  # noqa: E402

HAS_TEXT = importlib.util.find_spec("tensorflow_text") is not None
MLP = ROOT / "tests" / "models" / "mlp"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    out = tmp_path_factory.mktemp("tf_runtime_models")
    args = [sys.executable, str(ROOT / "tests/models/tf_runtime/export_tf_runtime_models.py"),
            str(out)] + (["--text"] if HAS_TEXT else [])
    subprocess.run(args, check=True, capture_output=True)
    return out


def expected(models, name):
    return json.loads((models / name / "expected.json").read_text())


def rest_predict(server, inputs, model=None):
    r = requests.post(f"{server.rest}/v1/models/{model or server.model_name}:predict",
                      json={"inputs": inputs}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["outputs"]


def grpc_predict(server, inputs):
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        request = predict_pb2.PredictRequest()
        request.model_spec.name = server.model_name
        for key, value in inputs.items():
            request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
        response = stub.Predict(request, timeout=30)
        return {k: tf.make_ndarray(v) for k, v in response.outputs.items()}


def load_error(name, base_path, extra_args=(), timeout_s=60):
    """Starts tern on a model that must fail to load; returns the model status's error text."""
    rest_port, grpc_port = free_port(), free_port()
    process = subprocess.Popen(
        [str(TERN), f"--port={grpc_port}", f"--rest_api_port={rest_port}", f"--model_name={name}",
         f"--model_base_path={base_path}", *extra_args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + timeout_s
        while time.time() < deadline and process.poll() is None:
            try:
                r = requests.get(f"http://127.0.0.1:{rest_port}/v1/models/{name}", timeout=1)
                if r.status_code == 200 and '"error_code": "OK"' not in r.text:
                    return r.text
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    raise AssertionError(f"the load did not fail:\n{output}")


def runtime_series(server):
    text = requests.get(f"{server.rest}/monitoring/prometheus/metrics", timeout=10).text
    return re.findall(r"^tern_model_runtime\{([^}]*)\} 1", text, re.M)


def test_auto_serves_an_unsupported_op_through_tensorflow(tern_factory, models):
    want = expected(models, "linalg")
    server = tern_factory("linalg", models / "linalg")
    out = rest_predict(server, want["inputs"])
    np.testing.assert_allclose(out["det"], want["outputs"]["det"], rtol=1e-5)
    np.testing.assert_allclose(out["scaled"], want["outputs"]["scaled"], rtol=1e-6)
    out = grpc_predict(server, {"x": np.array(want["inputs"]["x"], dtype=np.float32)})
    np.testing.assert_allclose(out["det"], want["outputs"]["det"], rtol=1e-5)
    # KServe v2 goes through the same servable.
    r = requests.post(f"{server.rest}/v2/models/linalg/infer", timeout=30, json={
        "inputs": [{"name": "x", "shape": [2, 3, 3], "datatype": "FP32",
                    "data": np.array(want["inputs"]["x"]).ravel().tolist()}]})
    assert r.status_code == 200, r.text
    det = next(o for o in r.json()["outputs"] if o["name"] == "det")
    np.testing.assert_allclose(det["data"], want["outputs"]["det"], rtol=1e-5)
    log = server.log_path.read_text()
    assert "runtime tensorflow: auto: unsupported ops: MatrixDeterminant" in log, log
    series = runtime_series(server)
    assert any('runtime="tensorflow"' in s and 'reason="auto_unsupported_ops"' in s
               for s in series), series


def test_runtime_tern_refuses_the_model_naming_the_op(models):
    error = load_error("linalg", models / "linalg", ["--runtime=tern"])
    assert "unsupported ops: MatrixDeterminant" in error, error


def test_both_runtimes_answer_the_same(tern_factory):
    golden = json.loads((MLP / "golden.json").read_text())
    x = [row["x"][0] for row in golden]
    own = tern_factory("mlp", MLP / "model", ["--runtime=tern"])
    theirs = tern_factory("mlp", MLP / "model", ["--runtime=tensorflow"])
    a, b = rest_predict(own, {"x": x}), rest_predict(theirs, {"x": x})
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b, [row["y"][0] for row in golden], rtol=1e-5, atol=1e-6)
    xs = np.array(x, dtype=np.float32)
    ga, gb = grpc_predict(own, {"x": xs}), grpc_predict(theirs, {"x": xs})
    assert ga.keys() == gb.keys()
    for key in ga:
        np.testing.assert_allclose(ga[key], gb[key], rtol=1e-5, atol=1e-6)
    # Metadata is read from the same MetaGraphDef either way.
    meta = [requests.get(f"{s.rest}/v1/models/mlp/metadata", timeout=10).json()["metadata"]
            for s in (own, theirs)]
    assert meta[0] == meta[1]
    assert any('runtime="tern"' in s for s in runtime_series(own))
    assert any('runtime="tensorflow"' in s and 'reason="configured"' in s
               for s in runtime_series(theirs))


def text_libraries():
    ops = Path(importlib.util.find_spec("tensorflow_text").origin).parent / "python" / "ops"
    return [str(ops / "_whitespace_tokenizer_v2.so"), str(ops / "_fast_wordpiece_tokenizer.so")]


@pytest.mark.skipif(not HAS_TEXT, reason="tensorflow-text is not installed")
def test_tf_text_model_with_custom_op_libraries_equals_tensorflow(tern_factory, models):
    want = expected(models, "tf_text")
    server = tern_factory("tf_text", models / "tf_text",
                          ["--custom_op_libraries=" + ",".join(text_libraries())])
    out = rest_predict(server, want["inputs"])
    assert out == want["outputs"]
    out = grpc_predict(server, {"text": np.array(want["inputs"]["text"], dtype=object)})
    assert [[s.decode() for s in row] for row in out["words"]] == want["outputs"]["words"]
    assert out["ids"].tolist() == want["outputs"]["ids"]


@pytest.mark.skipif(not HAS_TEXT, reason="tensorflow-text is not installed")
def test_tf_text_model_without_its_library_fails_to_load(models):
    error = load_error("tf_text", models / "tf_text")
    assert "WhitespaceTokenizeWithOffsetsV2" in error, error


def test_custom_op_libraries_without_tensorflow_is_a_start_up_error(tmp_path):
    run = subprocess.run(
        [str(TERN), "--port=0", "--rest_api_port=0", "--model_name=mlp",
         f"--model_base_path={MLP / 'model'}", f"--tensorflow_library={tmp_path}",
         "--custom_op_libraries=/nonexistent.so"], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "--custom_op_libraries needs the TensorFlow runtime" in run.stdout + run.stderr


def test_batching_and_warmup_paths_serve_a_tensorflow_model(tern_factory, models):
    """Concurrent requests batched into one TF_SessionRun answer as if sent alone."""
    from concurrent.futures import ThreadPoolExecutor
    want = expected(models, "linalg")
    server = tern_factory("linalg", models / "linalg", ["--enable_batching"])
    rows = [[m] for m in want["inputs"]["x"]] * 8
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda x: rest_predict(server, {"x": x}), rows))
    for x, out in zip(rows, answers):
        i = want["inputs"]["x"].index(x[0])
        np.testing.assert_allclose(out["det"], [want["outputs"]["det"][i]], rtol=1e-5)
