"""`tern inspect` and load-time honesty: a model with ops Tern lacks is reported before
deploying, and fails to load with one message naming every missing op and a node using it."""
import re
import subprocess
import time

import requests
from tensorflow.core.framework import types_pb2
from tensorflow.core.protobuf import saved_model_pb2

from conftest import ROOT, TERN, TF_SERVING_MODELS, free_port


def write_model_with_unknown_ops(version_dir):
    """A SavedModel whose serving graph uses two ops no runtime has, one of them twice."""
    sm = saved_model_pb2.SavedModel()
    meta = sm.meta_graphs.add()
    meta.meta_info_def.tags.append("serve")
    g = meta.graph_def
    x = g.node.add(name="x", op="Placeholder")
    x.attr["dtype"].type = types_pb2.DT_FLOAT
    g.node.add(name="a", op="FrobnicateV7", input=["x"])
    g.node.add(name="b", op="FrobnicateV7", input=["a"])
    g.node.add(name="c", op="Wibble", input=["b"])
    g.node.add(name="y", op="Identity", input=["c"]).attr["T"].type = types_pb2.DT_FLOAT
    sig = meta.signature_def["serving_default"]
    sig.method_name = "tensorflow/serving/predict"
    sig.inputs["x"].name = "x:0"
    sig.inputs["x"].dtype = types_pb2.DT_FLOAT
    sig.outputs["y"].name = "y:0"
    sig.outputs["y"].dtype = types_pb2.DT_FLOAT
    version_dir.mkdir(parents=True)
    (version_dir / "saved_model.pb").write_bytes(sm.SerializeToString())


def test_inspect_supported_model():
    r = subprocess.run([str(TERN), "inspect", str(TF_SERVING_MODELS / "saved_model_half_plus_two_cpu")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "MetaGraphDef with tags {serve}" in r.stdout
    assert "serving_default  [tensorflow/serving/predict]" in r.stdout
    assert "x: float (-1, 1)  (x:0)" in r.stdout
    assert "RestoreV2" in r.stdout and "Every op is supported" in r.stdout


def test_inspect_lists_unsupported_ops(tmp_path):
    write_model_with_unknown_ops(tmp_path / "m" / "1")
    r = subprocess.run([str(TERN), "inspect", str(tmp_path / "m")], capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FrobnicateV7  (2 nodes" in r.stdout
    assert "Wibble  (1 node, e.g. 'c')" in r.stdout


def test_inspect_bad_directory(tmp_path):
    r = subprocess.run([str(TERN), "inspect", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2
    assert "no saved_model.pb" in r.stderr


def test_load_fails_naming_every_missing_op(tmp_path):
    write_model_with_unknown_ops(tmp_path / "m" / "1")
    rest = free_port()
    server = subprocess.Popen([str(TERN), "--port=%d" % free_port(), "--rest_api_port=%d" % rest,
                               "--model_name=frob", "--model_base_path=%s" % (tmp_path / "m")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        message = None
        deadline = time.time() + 30
        while message is None and time.time() < deadline:
            try:
                r = requests.get("http://127.0.0.1:%d/v1/models/frob" % rest, timeout=1)
                status = r.json().get("model_version_status", [{}])[0] if r.ok else {}
                if status.get("status", {}).get("error_code", "OK") != "OK":
                    message = status["status"]["error_message"]
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        assert message, "no load error reported"
        assert re.search(r"FrobnicateV7 \(node '[ab]' and 1 more\)", message), message
        assert "Wibble (node 'c')" in message, message
        assert server.poll() is None, "a model that fails to load must not take the server down"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_ops_lists_what_a_model_lacks(tmp_path):
    write_model_with_unknown_ops(tmp_path / "m" / "1")
    r = subprocess.run([str(TERN), "ops", str(tmp_path / "m")], capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert [line.split()[0] for line in r.stdout.splitlines()] == ["FrobnicateV7", "Wibble"]
    assert "Wibble  (e.g. node 'c')" in r.stdout
    ok = subprocess.run([str(TERN), "ops", str(TF_SERVING_MODELS / "saved_model_half_plus_two_cpu")],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "Tern runs every op" in ok.stdout


def test_ops_lists_every_registered_op():
    r = subprocess.run([str(TERN), "ops"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    ops = r.stdout.splitlines()[:-1]
    assert ops == sorted(ops) and {"MatMul", "Conv2D", "ParseExampleV2", "Erfc"} <= set(ops)
    assert r.stdout.splitlines()[-1] == "(%d ops)" % len(ops)


def test_ops_doc_is_generated_from_the_registry():
    """docs/ops.md is `tern ops --markdown`: a new kernel updates it in the same commit."""
    doc = (ROOT / "docs" / "ops.md").read_text()
    r = subprocess.run([str(TERN), "ops", "--markdown"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert doc == r.stdout, "docs/ops.md is stale: run build/tern ops --markdown > docs/ops.md"
