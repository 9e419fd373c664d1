"""The optional TensorFlow runtime (docs/tensorflow_runtime.md): models with ops Tern lacks are
served through TensorFlow's C API under `runtime: auto`, custom-op libraries (TF Text) load with
--custom_op_libraries, and both runtimes answer the same. Skipped only without the tensorflow wheel
(the models are exported with it at test time)."""
import importlib.util
import json
import re
import shutil
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
import tritonclient.grpc as triton_grpc  # noqa: E402
import tritonclient.http as triton_http  # noqa: E402
from google.protobuf import unknown_fields  # noqa: E402
from tensorflow_serving.apis import (get_model_status_pb2, model_service_pb2_grpc,  # noqa: E402
                                     predict_pb2, prediction_service_pb2_grpc)

from conftest import TF_SERVING_MODELS  # noqa: E402
from load_clients import LoadClients, copy_atomically  # noqa: E402
from warmup_records import write_warmup  # noqa: E402

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


def tern_fields(message):
    """Tern's extension fields (runtime 1001, runtime_reason 1002) of a message a stock client
    parsed: it keeps them as unknown fields."""
    extra = {f.field_number: f.data.decode() for f in unknown_fields.UnknownFieldSet(message)}
    return extra.get(1001), extra.get(1002)


def status_runtimes(server, model=None):
    """{version: (state, runtime, runtime_reason)} from GET /v1/models/<m> and from gRPC
    GetModelStatus through tensorflow-serving-api's stub, which must agree (asked again when a
    version changed state between the two calls)."""
    model = model or server.model_name
    state_name = get_model_status_pb2.ModelVersionStatus.State.Name
    for _ in range(20):
        r = requests.get(f"{server.rest}/v1/models/{model}", timeout=10)
        assert r.status_code == 200, r.text
        rest = {int(v["version"]): (v["state"], v.get("runtime"), v.get("runtime_reason"))
                for v in r.json()["model_version_status"]}
        with grpc.insecure_channel(server.grpc_target) as channel:
            request = get_model_status_pb2.GetModelStatusRequest()
            request.model_spec.name = model
            response = model_service_pb2_grpc.ModelServiceStub(channel).GetModelStatus(
                request, timeout=10)
        by_grpc = {s.version: (state_name(s.state), *tern_fields(s))
                   for s in response.model_version_status}
        # gRPC leaves an empty string field out; REST leaves the key out.
        if by_grpc == {v: (st, rt or None, why or None) for v, (st, rt, why) in rest.items()}:
            return rest
        time.sleep(0.05)
    raise AssertionError(f"REST and gRPC status differ: {rest} vs {by_grpc}")


def v2_metadata_runtime(server, model=None):
    """(runtime, runtime_reason) from v2 model metadata through tritonclient, HTTP and gRPC."""
    model = model or server.model_name
    http = triton_http.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
    meta = http.get_model_metadata(model)
    http.close()
    client = triton_grpc.InferenceServerClient(server.grpc_target)
    by_grpc = client.get_model_metadata(model)
    client.close()
    assert by_grpc.name == meta["name"] and list(by_grpc.versions) == meta["versions"]
    assert [t.name for t in by_grpc.inputs] == [t["name"] for t in meta["inputs"]]
    assert tern_fields(by_grpc) == (meta["runtime"], meta["runtime_reason"])
    return meta["runtime"], meta["runtime_reason"]


def wait_for(predicate, what, timeout_s=60):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


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


def test_status_and_metadata_name_the_runtime_and_why(tern_factory, models):
    """Model status (REST, gRPC) and v2 metadata (REST, gRPC) say which runtime serves each
    version and why; the stock clients parse the answers."""
    linalg = tern_factory("linalg", models / "linalg")
    state, runtime, reason = status_runtimes(linalg)[1]
    assert (state, runtime) == ("AVAILABLE", "tensorflow")
    assert reason.startswith("auto: unsupported ops: MatrixDeterminant"), reason
    assert v2_metadata_runtime(linalg) == (runtime, reason)
    own = tern_factory("half_plus_two", TF_SERVING_MODELS / "saved_model_half_plus_two_cpu")
    assert status_runtimes(own)[123] == ("AVAILABLE", "tern", "auto: Tern has every op")
    assert v2_metadata_runtime(own) == ("tern", "auto: Tern has every op")
    configured = tern_factory("half_plus_two", TF_SERVING_MODELS / "saved_model_half_plus_two_cpu",
                              ["--runtime=tensorflow"])
    assert status_runtimes(configured)[123] == ("AVAILABLE", "tensorflow", "runtime: tensorflow")
    assert v2_metadata_runtime(configured) == ("tensorflow", "runtime: tensorflow")


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


def test_hot_swap_between_runtimes_under_load_has_zero_failed_requests(tern_factory, models,
                                                                       tmp_path):
    """Versions served by TensorFlow (half_plus_*_det, MatrixDeterminant in the graph) and by
    Tern (half_plus_two) replace each other under 4 REST and 4 gRPC clients, `auto` choosing per
    version: TensorFlow to TensorFlow, TensorFlow to Tern, Tern to TensorFlow. No request fails,
    the answers follow the versions, and the status names each version's runtime."""
    base = tmp_path / "swap"
    base.mkdir()
    steps = [(models / "half_plus_two_det" / "1", 2.5, "tensorflow"),
             (models / "half_plus_three_det" / "1", 3.5, "tensorflow"),
             (TF_SERVING_MODELS / "saved_model_half_plus_two_2_versions" / "00000123", 2.5, "tern"),
             (models / "half_plus_three_det" / "1", 3.5, "tensorflow")]
    copy_atomically(steps[0][0], base, 1)
    server = tern_factory("swap", base)
    with LoadClients(server.rest, server.grpc_target, "swap", n_rest=4, n_grpc=4) as load:
        load.wait_until_all_answer(2.5, timeout_s=60)
        for version, (src, answer, runtime) in enumerate(steps[1:], start=2):
            copy_atomically(src, base, version)
            load.wait_until_all_answer(answer, timeout_s=60)
            wait_for(lambda: status_runtimes(server)[version][:2] == ("AVAILABLE", runtime),
                     f"version {version} AVAILABLE on {runtime}")
            time.sleep(0.3)
    records = load.all_records()
    assert len(records) > 100, "the clients barely ran"
    assert load.errors() == [], load.errors()[:5]
    for recs in load.records:
        runs = [recs[0][2]] + [b[2] for a, b in zip(recs, recs[1:]) if a[2] != b[2]]
        assert runs == [2.5, 3.5, 2.5, 3.5], runs
    status = status_runtimes(server)
    assert status[4][:2] == ("AVAILABLE", "tensorflow")
    assert all(status[v][0] in ("UNLOADING", "END") for v in (1, 2, 3)), status
    log = server.log_path.read_text()
    assert log.count("runtime tensorflow: auto: unsupported ops: MatrixDeterminant") == 3, log


def test_warmup_records_run_on_the_tensorflow_runtime(tern_factory, models, tmp_path):
    """assets.extra/tf_serving_warmup_requests replays through TensorFlow before the version is
    AVAILABLE: predict, classify, regress and multi-inference records (half_plus_two with
    runtime tensorflow), and predict records of a model `auto` sends to TensorFlow; a record
    TensorFlow refuses fails that version's load and the version before keeps serving."""
    base = tmp_path / "w"
    shutil.copytree(TF_SERVING_MODELS / "saved_model_half_plus_two_2_versions" / "00000123",
                    base / "1")
    write_warmup(base / "1", "x")
    server = tern_factory("w", base, ["--runtime=tensorflow"])
    assert "'w' version 1: replayed 6 warmup records" in server.log_path.read_text()
    assert status_runtimes(server)[1][:2] == ("AVAILABLE", "tensorflow")
    det = tmp_path / "det"
    shutil.copytree(models / "half_plus_three_det" / "1", det / "1")
    write_predict_warmup(det / "1", "x")
    auto = tern_factory("det", det)
    assert "'det' version 1: replayed 3 warmup records" in auto.log_path.read_text()
    staging = tmp_path / "staging"
    shutil.copytree(models / "half_plus_three_det" / "1", staging)
    write_predict_warmup(staging, "no_such_input")
    staging.rename(det / "2")
    wait_for(lambda: status_runtimes(auto).get(2, ("",))[0] == "END", "version 2 to fail")
    r = requests.get(f"{auto.rest}/v1/models/det", timeout=10).json()["model_version_status"]
    failed = next(v for v in r if v["version"] == "2")
    assert "warmup record 0" in failed["status"]["error_message"], failed
    assert rest_predict(auto, {"x": [1.0]}) == [3.5]
    metrics = requests.get(f"{auto.rest}/metrics", timeout=10).text
    assert 'tern_model_warmup_duration_seconds_count{model="det",result="success"} 1' in metrics


def write_predict_warmup(version_dir, input_name):
    """Three predict records for a model with input `input_name` (float32[n])."""
    from tensorflow_serving.apis import prediction_log_pb2
    (version_dir / "assets.extra").mkdir()
    path = version_dir / "assets.extra" / "tf_serving_warmup_requests"
    with tf.io.TFRecordWriter(str(path)) as w:
        for i in range(3):
            request = predict_pb2.PredictRequest()
            request.inputs[input_name].CopyFrom(tf.make_tensor_proto([float(i)], dtype=tf.float32))
            w.write(prediction_log_pb2.PredictionLog(
                predict_log=prediction_log_pb2.PredictLog(request=request)).SerializeToString())
