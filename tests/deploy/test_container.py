"""The Dockerfile, built and run for real with podman (../shared/tools/container-env.sh prepares it).

Short form (default, what CI runs): builds the `prebuilt` target, the runtime stage around the
build/tern that scripts/build.sh made (stripped of debug info). Full form (TERN_CONTAINER_FULL=1,
`scripts/test.sh --container`): the default target, which compiles Tern inside the image build.
Both run the image as TF Serving's is run (MODEL_NAME, MODEL_BASE_PATH, extra arguments appended),
get predictions over REST and gRPC with the official TF Serving client, check the user is not
root and the health check passes, and stop it with SIGTERM. Image size and build time are
written to build/container-image.json.
"""
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import grpc
import numpy as np
import pytest
import requests
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from conftest_free_port import free_port

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
FULL = os.environ.get("TERN_CONTAINER_FULL") == "1"
IMAGE = "localhost/tern:test-full" if FULL else "localhost/tern:test"
TAXI = {"pickup_longitude": -73.9857, "pickup_latitude": 40.7484, "dropoff_longitude": -73.968,
        "dropoff_latitude": 40.785, "passenger_count": 1.0}
HALF_PLUS_TWO = SHARED / "testdata/tf_serving/saved_model_half_plus_two_cpu"


def podman(*args, timeout=120, check=True):
    r = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return r


@pytest.fixture(scope="module")
def image():
    subprocess.run(["bash", str(SHARED / "tools/container-env.sh")], check=True, timeout=900,
                   stdout=subprocess.DEVNULL)
    args = ["build", "--pull=never", "--network=host", "--format", "docker", "-t", IMAGE]
    if FULL:
        ccache = Path(os.environ.get("CCACHE_DIR", Path.home() / ".cache/ccache"))
        ccache.mkdir(parents=True, exist_ok=True)
        args += ["--target", "runtime", "-v", f"{ccache}:/host-ccache",
                 "--build-arg", "CCACHE_DIR=/host-ccache"]
    else:
        stripped = ROOT / "build" / "tern-stripped"
        subprocess.run(["objcopy", "--strip-debug", str(ROOT / "build/tern"), str(stripped)],
                       check=True)
        args += ["--target", "prebuilt", "--build-arg", "TERN_BINARY=build/tern-stripped"]
    started = time.monotonic()
    podman(*args, str(ROOT), timeout=3600 if FULL else 900)
    build_s = time.monotonic() - started
    size = int(podman("image", "inspect", IMAGE, "--format", "{{.Size}}").stdout.strip())
    figures = {"image": IMAGE, "full_build": FULL, "build_seconds": round(build_s, 1),
               "image_size_mib": round(size / 2**20, 1), "load_average_1m": os.getloadavg()[0]}
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / f"container-image{'-full' if FULL else ''}.json").write_text(
        json.dumps(figures, indent=2))
    print(f"\ncontainer image: {figures}")
    return IMAGE


class Container:
    """A detached container on the host network; `one_port` sets $PORT as Knative does."""

    def __init__(self, image, env, args=(), volumes=(), one_port=False):
        self.rest_port = free_port()
        self.grpc_port = self.rest_port if one_port else free_port()
        self.name = f"tern-test-{self.rest_port}"
        cmd = ["run", "-d", "--name", self.name, "--network=host"]
        env = dict(env, PORT=str(self.rest_port)) if one_port else env
        for key, value in env.items():
            cmd += ["-e", f"{key}={value}"]
        for v in volumes:
            cmd += ["-v", v]
        cmd.append(image)
        if not one_port:
            cmd += [f"--port={self.grpc_port}", f"--rest_api_port={self.rest_port}"]
        podman(*cmd, *args)
        self.rest = f"http://127.0.0.1:{self.rest_port}"

    def wait_ready(self, timeout_s=30):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.rest}/v2/health/ready", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            state = podman("inspect", self.name, "--format", "{{.State.Status}}").stdout.strip()
            if state == "exited":
                break
            time.sleep(0.05)
        raise AssertionError(f"container not ready:\n{self.logs()}")

    def logs(self):
        r = podman("logs", self.name, check=False)
        return r.stdout + r.stderr

    def stop(self):
        """SIGTERM (podman stop), then the container's exit code."""
        podman("stop", "--time=20", self.name, timeout=60)
        code = int(podman("inspect", self.name, "--format", "{{.State.ExitCode}}").stdout.strip())
        return code

    def remove(self):
        podman("rm", "-f", self.name, check=False)


@pytest.fixture
def containers(image):
    started = []

    def start(**kwargs):
        c = Container(image, **kwargs)
        started.append(c)
        c.wait_ready()
        return c

    yield start
    for c in started:
        c.remove()


def grpc_predict(container, model, inputs):
    with grpc.insecure_channel(f"127.0.0.1:{container.grpc_port}") as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        request = predict_pb2.PredictRequest()
        request.model_spec.name = model
        for name, value in inputs.items():
            request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
        return stub.Predict(request, timeout=10)


def test_baked_in_demo_model_answers_rest_and_grpc(containers):
    c = containers(env={"MODEL_NAME": "taxi_fare"})
    rest = requests.post(f"{c.rest}/v1/models/taxi_fare:predict", json={"instances": [TAXI]},
                         timeout=10)
    assert rest.status_code == 200, rest.text
    (fare,) = rest.json()["predictions"][0]
    assert 2.0 < fare < 100.0
    reply = grpc_predict(c, "taxi_fare", {k: np.array([v], np.float32) for k, v in TAXI.items()})
    got = tf.make_ndarray(reply.outputs["predictions"])
    assert got.shape == (1, 1) and abs(got[0][0] - fare) < 1e-4
    assert c.stop() == 0


def test_mounted_model_follows_tf_servings_contract(containers):
    # MODEL_BASE_PATH/MODEL_NAME as in TF Serving's image; extra arguments reach the server.
    c = containers(env={"MODEL_NAME": "half_plus_two", "MODEL_BASE_PATH": "/srv/models"},
                   volumes=[f"{HALF_PLUS_TWO}:/srv/models/half_plus_two:ro"],
                   args=["--rest_api_timeout_in_ms=5000"])
    r = requests.post(f"{c.rest}/v1/models/half_plus_two:predict",
                      json={"instances": [1.0, 2.0, 5.0]}, timeout=10)
    assert r.json() == {"predictions": [2.5, 3.0, 4.5]}
    reply = grpc_predict(c, "half_plus_two", {"x": np.array([4.0], np.float32)})
    assert tf.make_ndarray(reply.outputs["y"]).tolist() == [4.0]
    status = requests.get(f"{c.rest}/v1/models/half_plus_two", timeout=5).json()
    assert status["model_version_status"][0]["state"] == "AVAILABLE"


def test_runs_as_non_root_and_health_check_passes(containers, image):
    assert podman("image", "inspect", image, "--format", "{{.Config.User}}").stdout.strip() == "1000:1000"
    healthcheck = podman("image", "inspect", image, "--format", "{{json .Config.Healthcheck}}").stdout
    assert "tern-healthcheck" in healthcheck, "HEALTHCHECK lost (build with --format docker)"
    c = containers(env={"MODEL_NAME": "taxi_fare"})
    assert podman("exec", c.name, "id", "-u").stdout.strip() == "1000"
    # TERN_HEALTHCHECK_PORT: the test runs on a free port, not 8501
    podman("exec", "-e", f"TERN_HEALTHCHECK_PORT={c.rest_port}", c.name,
           "/usr/local/bin/tern-healthcheck")
    # and it fails when nothing answers on the port
    bad = podman("exec", "-e", f"TERN_HEALTHCHECK_PORT={free_port()}", c.name,
                 "/usr/local/bin/tern-healthcheck", check=False)
    assert bad.returncode != 0


def test_extra_arguments_are_passed_to_the_server(image):
    name = f"tern-test-missing-{free_port()}"
    try:
        r = podman("run", "--name", name, "--network=host", "-e", "MODEL_NAME=nope", image,
                   f"--port={free_port()}", f"--rest_api_port={free_port()}", "--help", check=False)
        # --help is passed through to the server, which prints its flags and exits 0
        assert r.returncode == 0 and "--model_base_path" in r.stdout
    finally:
        podman("rm", "-f", name, check=False)


def test_tf_servings_binary_and_entrypoint_paths_run_tern(image):
    """Manifests and KServe's TF Serving runtime call the server by TF Serving's image paths."""
    for entrypoint in ["/usr/bin/tensorflow_model_server", "/usr/bin/tf_serving_entrypoint.sh"]:
        r = podman("run", "--rm", "--network=host", "--entrypoint", entrypoint, image, "--version",
                   check=False)
        assert r.returncode == 0, (entrypoint, r.stdout, r.stderr)
        assert r.stdout.startswith("TensorFlow ModelServer: tern-"), (entrypoint, r.stdout)


def test_runs_as_the_knative_manifest_says(containers):
    import yaml
    doc = yaml.safe_load((ROOT / "config/knative/service.yaml").read_text())
    (spec,) = doc["spec"]["template"]["spec"]["containers"]
    c = containers(env={e["name"]: e["value"] for e in spec.get("env", [])},
                   args=spec.get("args", []), one_port=True)
    probe = requests.get(f"{c.rest}{spec['readinessProbe']['httpGet']['path']}", timeout=5)
    assert probe.status_code == 200
    r = requests.post(f"{c.rest}/v1/models/taxi_fare:predict", json={"instances": [TAXI]}, timeout=10)
    assert r.status_code == 200, r.text
    reply = grpc_predict(c, "taxi_fare", {k: np.array([v], np.float32) for k, v in TAXI.items()})
    assert tf.make_ndarray(reply.outputs["predictions"]).shape == (1, 1)
    assert c.stop() == 0
