"""Shared parts of the conformance runner: where the models are, a tern process per model,
the op walk per signature, and the result table printed at the end of the session."""
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
TERN = Path(os.environ.get("TERN_BINARY", ROOT / "build" / "tern"))
ZOO_DIR = Path(os.environ.get("TERN_ZOO_DIR", ROOT / "build" / "zoo"))
PYTHON = ROOT / ".venv" / "bin" / "python"
# The zoo as TensorFlow 2.15 (Keras 2.15) wrote it, committed: today's TF writes some of these
# models differently (Keras GELU became Erfc) and can no longer write others the same way.
ZOO_TF2_15_DIR = ROOT / "tests" / "models" / "zoo_tf2_15"

# Models beside the zoo: TF Serving's test SavedModels and models other projects test with.
TF_SERVING_MODELS = [
    "saved_model_half_plus_two_cpu", "saved_model_half_plus_two_tf2_cpu",
    "saved_model_half_plus_two_mkl", "saved_model_half_plus_two_gpu",
    "saved_model_half_plus_two_gpu_trt", "saved_model_half_plus_three", "saved_model_counter",
    "matrix_half_plus_two", "saved_model_half_plus_two_2_versions",
    "saved_model_half_plus_two_cpu_with_saved_model_config",
]

# MetaGraphDef tags other than {serve}, as a TF Serving user would pass --saved_model_tags.
MODEL_TAGS = {"rust_regression_model": ["serve", "train"]}

ROWS = []  # (model, signature, distinct ops, max abs, max rel, result) for the summary


def export_zoo():
    """Exports the zoo (cached by a fingerprint of its sources) and returns the manifest."""
    subprocess.run([str(PYTHON), str(ROOT / "tests/models/zoo/export_zoo.py"),
                    "--out", str(ZOO_DIR)], check=True,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
                   stdout=subprocess.DEVNULL if os.environ.get("TERN_ZOO_QUIET") else None)
    return json.loads((ZOO_DIR / "manifest.json").read_text())


def all_models(manifest):
    """{name: (base_path, hints)} for the zoo and the shared test models."""
    models = {name: (ZOO_DIR / name, entry["hints"]) for name, entry in manifest["models"].items()}
    old_zoo = json.loads((ZOO_TF2_15_DIR / "manifest.json").read_text())
    for name, entry in old_zoo["models"].items():
        models["tf2_15_" + name] = (ZOO_TF2_15_DIR / name, entry["hints"])
    # half_plus_two's classify/regress signatures parse tf.Examples with float features x, x2.
    example = {"kind": "example", "features": {"x": {"kind": "float", "low": -5.0, "high": 5.0},
                                               "x2": {"kind": "float", "low": -5.0, "high": 5.0}}}
    for name in TF_SERVING_MODELS:
        models[name] = (SHARED / "testdata/tf_serving" / name, {"inputs": example})
    # incr_counter_by adds its unknown-rank `delta` to a scalar counter: TF takes scalars only.
    models["saved_model_counter"][1]["delta"] = {"shape": []}
    real = SHARED / "testdata/real_models"
    for d in sorted(p for p in real.iterdir() if p.is_dir()):
        models[d.name] = (d, {})
    return models


def latest_version_dir(base_path):
    versions = [p for p in Path(base_path).iterdir() if p.is_dir() and p.name.isdigit()]
    return max(versions, key=lambda p: int(p.name))


def _load_list_ops():
    spec = importlib.util.spec_from_file_location("list_ops", ROOT / "tests/models/list_ops.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def signature_ops(version_dir):
    """{signature: sorted distinct op types it runs (graph + called functions)}."""
    list_ops = _load_list_ops()
    sm = list_ops.saved_model_pb2.SavedModel()
    pb = Path(version_dir) / "saved_model.pb"
    if not pb.exists():
        from google.protobuf import text_format
        text_format.Parse((Path(version_dir) / "saved_model.pbtxt").read_text(), sm)
    else:
        sm.ParseFromString(pb.read_bytes())
    meta = [m for m in sm.meta_graphs if "serve" in m.meta_info_def.tags][0]  # ops only
    walker = list_ops.Walker(meta.graph_def)
    out = {}
    for name, sig in meta.signature_def.items():
        fed = {list_ops.canonical_tensor(t.name) for t in sig.inputs.values()}
        found = walker.walk([t.name for t in sig.outputs.values()], fed)
        out[name] = sorted({node.op for _, node in found})
    return out


# More flags for every server, e.g. TERN_CONFORMANCE_SERVER_FLAGS=--tensorflow_intra_op_parallelism=2
# (ops split over cores, branches side by side) to hold those paths to TensorFlow's outputs too.
EXTRA_SERVER_FLAGS = os.environ.get("TERN_CONFORMANCE_SERVER_FLAGS", "").split()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tern:
    """build/tern serving one model; `load_error` is None once the model is AVAILABLE."""

    def __init__(self, name, base_path, log_dir):
        self.name, self.base_path, self.log_dir = name, base_path, log_dir
        self.grpc_port, self.rest_port = _free_port(), _free_port()
        self.log_path = Path(log_dir) / ("tern-%s.log" % name)
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(TERN), "--port=%d" % self.grpc_port, "--rest_api_port=%d" % self.rest_port,
             "--model_name=" + name, "--model_base_path=" + str(base_path),
             "--saved_model_tags=" + ",".join(MODEL_TAGS.get(name, ["serve"]))]
            + EXTRA_SERVER_FLAGS,
            stdout=self.log, stderr=subprocess.STDOUT)
        self.grpc_target = "127.0.0.1:%d" % self.grpc_port
        self.load_error = self._wait_loaded()

    def _wait_loaded(self, timeout_s=120):
        url = "http://127.0.0.1:%d/v1/models/%s" % (self.rest_port, self.name)
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("tern exited while loading %s:\n%s"
                                   % (self.name, self.log_path.read_text()))
            try:
                r = requests.get(url, timeout=2)
                status = r.json().get("model_version_status", []) if r.status_code == 200 else []
                if status:
                    s = status[0]
                    if s["state"] == "AVAILABLE":
                        return None
                    if s["status"]["error_code"] != "OK":
                        return s["status"]["error_message"]
                elif r.status_code == 404 and "error" in r.json():
                    pass  # not registered yet
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise RuntimeError("tern did not finish loading %s in %ds:\n%s"
                           % (self.name, timeout_s, self.log_path.read_text()))

    def restart(self):
        """A fresh process on the same model: its variables back to their saved values."""
        self.stop()
        self.__init__(self.name, self.base_path, self.log_dir)

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        self.process.terminate()
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.log.close()
        return code


UNSUPPORTED_RE = re.compile(r"([A-Za-z0-9_]+) \(node '")


def unsupported_ops_in(message):
    """The op names of an "unsupported ops: A (node 'x'), B (node 'y' and 2 more)" message."""
    if "unsupported ops:" not in message:
        return None
    return sorted(set(UNSUPPORTED_RE.findall(message.split("unsupported ops:", 1)[1])))


def format_table(rows):
    header = ("model", "signature", "ops", "max abs err", "max rel err", "result")
    lines = [header] + [(m, s, str(o), "%.3g" % a if a is not None else "-",
                         "%.3g" % r if r is not None else "-", res)
                        for m, s, o, a, r, res in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(c.ljust(w) for c, w in zip(line, widths)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def totals(rows):
    results = [r[-1].split(" ")[0] for r in rows]
    models = {r[0] for r in rows}
    return ("%d models, %d signatures: %d pass, %d fail, %d expected load failures, "
            "%d known signature failures"
            % (len(models), len(rows), results.count("pass"), results.count("FAIL"),
               results.count("xfail-load"), results.count("xfail")))
