"""Triton's classification extension against a real build/tern serving the TensorFlow-exported
MLP (10 scores per row), with the official Triton clients: `classification: k` answers each
row's top k as "value:index[:label]" strings, in TensorFlow's order, labels from the version's
assets.extra."""
import json
import shutil

import numpy as np
import pytest
import requests
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from conftest import ROOT

GOLDEN = json.loads((ROOT / "tests/models/mlp/golden.json").read_text())
LABELS = [f"digit-{i}" for i in range(10)]


@pytest.fixture(scope="module")
def server(tern_factory, tmp_path_factory):
    base = tmp_path_factory.mktemp("mlp")
    shutil.copytree(ROOT / "tests/models/mlp/model/1", base / "1")
    (base / "1" / "assets.extra").mkdir()
    (base / "1" / "assets.extra" / "labels.txt").write_text("\n".join(LABELS) + "\n")
    return tern_factory("mlp", base)


def clients(server):
    return [(httpclient.InferenceServerClient(f"127.0.0.1:{server.rest_port}"), httpclient),
            (grpcclient.InferenceServerClient(server.grpc_target), grpcclient)]


def run(client, module, x, class_count=0):
    tensor = module.InferInput("x", list(x.shape), "FP32")
    tensor.set_data_from_numpy(x)
    output = module.InferRequestedOutput("y", class_count=class_count)
    return client.infer("mlp", [tensor], outputs=[output]).as_numpy("y")


@pytest.mark.parametrize("case", range(len(GOLDEN)), ids=lambda i: f"{len(GOLDEN[i]['x'])}rows")
def test_top_k_follows_tensorflow_and_is_formatted_as_triton(server, case):
    x = np.asarray(GOLDEN[case]["x"], np.float32)
    want = np.asarray(GOLDEN[case]["y"], np.float32)  # TensorFlow's scores
    for client, module in clients(server):
        raw = run(client, module, x)
        classes = run(client, module, x, class_count=3)
        assert classes.shape == (len(x), 3)
        for row in range(len(x)):
            top = np.argsort(-want[row], kind="stable")[:3]
            got = [s.decode().split(":") for s in classes[row]]
            assert [int(g[1]) for g in got] == list(top), (module.__name__, row, got)
            assert [g[2] for g in got] == [LABELS[i] for i in top]
            # The value is the served score printed as std::to_string prints it ("%f").
            assert [g[0] for g in got] == ["%f" % raw[row][i] for i in top]
            np.testing.assert_allclose([float(g[0]) for g in got], want[row][top], atol=1e-5)


def test_k_larger_than_a_row_is_the_whole_row_and_bad_k_is_refused(server):
    x = np.asarray(GOLDEN[1]["x"], np.float32)
    for client, module in clients(server):
        assert run(client, module, x, class_count=50).shape == (len(x), 10)
    r = requests.post(f"{server.rest}/v2/models/mlp/infer", timeout=10, json={
        "inputs": [{"name": "x", "shape": list(x.shape), "datatype": "FP32",
                    "data": x.flatten().tolist()}],
        "outputs": [{"name": "y", "parameters": {"classification": -2}}]})
    assert r.status_code == 400 and "classification" in r.json()["error"], r.text
    r = requests.post(f"{server.rest}/v2/models/mlp/infer", timeout=10, json={
        "inputs": [{"name": "x", "shape": list(x.shape), "datatype": "FP32",
                    "data": x.flatten().tolist()}],
        "outputs": [{"name": "y", "parameters": {"classification": 2}}]})
    assert r.status_code == 200, r.text
    out = r.json()["outputs"][0]
    assert out["datatype"] == "BYTES" and out["shape"] == [len(x), 2]
    assert all(s.count(":") == 2 for s in out["data"])


def test_without_a_label_file_the_strings_have_no_label(tern_factory):
    server = tern_factory("mlp", ROOT / "tests/models/mlp/model")
    x = np.asarray(GOLDEN[0]["x"], np.float32)
    for client, module in clients(server):
        classes = run(client, module, x, class_count=2)
        assert all(s.decode().count(":") == 1 for s in classes.flatten())
    meta = requests.get(f"{server.rest}/v2", timeout=10).json()
    assert "classification" in meta["extensions"]
