"""REST, probes and gRPC over one cleartext HTTP/2 (h2c) port, as Knative's queue-proxy uses it
when the container port is named h2c (issue 19).

Every REST call is made three ways and must get the same status, content-type and body: HTTP/1.1
(requests), HTTP/2 with prior knowledge and HTTP/1.1 upgraded with `Upgrade: h2c` (curl). gRPC
goes to the same port with the official client and grpcurl (reflection, health). The last test
runs Knative's own queue-proxy (built from the Go module proxy by scripts/setup.sh) in front of
Tern with the environment Knative gives it, and sends REST, v2, gRPC and probes through it.
Streams of both kinds multiplexed on one connection are tested in C++
(tests/server/http/http2_session_test.cc), and through the queue-proxy here.
"""
import base64
import gzip
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import grpc
import pytest
import requests

from conftest import ROOT, TERN, TF_SERVING_MODELS, free_port
from test_front_door import grpc_predict

HALF_PLUS_TWO = TF_SERVING_MODELS / "saved_model_half_plus_two_cpu"
MONITORING = TF_SERVING_MODELS / "monitoring_config.txt"
GRPCURL = ROOT / ".tools" / "bin" / "grpcurl"
QUEUE_PROXY = Path(os.environ.get("TERN_QUEUE_PROXY", ROOT / ".tools" / "bin" / "queue"))
CURL = shutil.which("curl")
needs_curl = pytest.mark.skipif(CURL is None, reason="curl is not installed")
needs_grpcurl = pytest.mark.skipif(not GRPCURL.exists(),
                                   reason="grpcurl not installed (scripts/setup.sh builds it)")

V2_INFER = json.dumps({"inputs": [{"name": "x", "shape": [3], "datatype": "FP32",
                                   "data": [1.0, 2.0, 5.0]}]})
# (method, path, body, extra headers): what the REST APIs answer, good and bad.
REST_CALLS = [
    ("GET", "/v1/models/half_plus_two", None, {}),
    ("GET", "/v1/models/half_plus_two/metadata", None, {}),
    ("POST", "/v1/models/half_plus_two:predict", '{"instances": [1.0, 2.0, 5.0]}', {}),
    ("POST", "/v1/models/half_plus_two:predict", '{"instances": [1.0', {}),
    ("POST", "/v1/models/no_such_model:predict", '{"instances": [1.0]}', {}),
    ("PUT", "/v1/models/half_plus_two:predict", '{"instances": [1.0]}', {}),
    ("GET", "/v2/health/live", None, {}),
    ("GET", "/v2/health/ready", None, {}),
    ("GET", "/v2/models/half_plus_two", None, {}),
    ("GET", "/v2/models/half_plus_two/ready", None, {}),
    ("POST", "/v2/models/half_plus_two/infer", V2_INFER, {"Content-Type": "application/json"}),
    ("POST", "/v1/models/half_plus_two:predict", '{"instances": [1.0]}',
     {"Content-Encoding": "br"}),
]


def start_tern(args, env=None):
    log = tempfile.NamedTemporaryFile("w+", prefix="tern-h2c-", suffix=".log", delete=False)
    process = subprocess.Popen([str(TERN), "--model_name=half_plus_two", *args],
                               stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, **(env or {})})
    return process, log


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def wait_listening(port, process, log, timeout_s=30):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        assert process.poll() is None, f"tern exited early:\n{Path(log.name).read_text()}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(Path(log.name).read_text())


def wait_ready(url, timeout_s=30):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            if requests.get(f"{url}/v2/health/ready", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} not ready after {timeout_s}s")


def curl(url, mode, method="GET", body=None, headers=None):
    """One request with curl; mode: 'prior' (HTTP/2 prior knowledge) or 'upgrade' (HTTP/1.1
    asking for h2c). Returns (status, HTTP version, headers of the final response, body)."""
    with tempfile.TemporaryDirectory() as tmp:
        head, out = Path(tmp) / "head", Path(tmp) / "body"
        args = [CURL, "-s", "-S", "--max-time", "30", "-X", method, "-D", str(head), "-o", str(out),
                "-w", "%{http_version}", "--http2-prior-knowledge" if mode == "prior" else "--http2"]
        for name, value in (headers or {}).items():
            args += ["-H", f"{name}: {value}"]
        if body is not None:
            args += ["--data-binary", body]
        done = subprocess.run(args + [url], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        # With an upgrade, the 101's head comes first: the answer is the last block.
        blocks = [b for b in head.read_bytes().decode().split("\r\n\r\n") if b.strip()]
        lines = blocks[-1].split("\r\n")
        status = int(lines[0].split()[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        return status, done.stdout, fields, out.read_bytes(), blocks[0].split("\r\n")[0]


def same_body(a, b):
    """Byte for byte, except that JSON maps may list their keys in any order (the metadata's
    signature map does, from one call to the next, over any protocol)."""
    if a == b:
        return True
    try:
        return json.loads(a) == json.loads(b)
    except ValueError:
        return False


@pytest.fixture(scope="module")
def one_port():
    """Tern on one port ($PORT, as Knative and Cloud Run set it) for REST, metrics and gRPC."""
    port = free_port()
    process, log = start_tern([f"--model_base_path={HALF_PLUS_TWO}",
                               f"--monitoring_config_file={MONITORING}"],
                              env={"PORT": str(port)})
    wait_listening(port, process, log)
    wait_ready(f"http://127.0.0.1:{port}")
    yield port
    assert stop(process) == 0, Path(log.name).read_text()


@needs_curl
@pytest.mark.parametrize("mode", ["prior", "upgrade"])
def test_rest_over_h2c_answers_as_http1(one_port, mode):
    base = f"http://127.0.0.1:{one_port}"
    for method, path, body, headers in REST_CALLS:
        h1 = requests.request(method, base + path, data=body, headers=headers, timeout=30)
        status, version, fields, content, first_line = curl(base + path, mode, method, body,
                                                            headers)
        where = f"{method} {path} ({mode})"
        assert version == "2", where
        if mode == "upgrade":
            assert first_line.startswith("HTTP/1.1 101"), where
        assert status == h1.status_code, where
        assert fields["content-type"] == h1.headers["Content-Type"], where
        assert same_body(content, h1.content), where
    # Sanity: the calls above do include the real answers, not just errors.
    status, _, _, content, _ = curl(base + "/v1/models/half_plus_two:predict", mode, "POST",
                                    '{"instances": [1.0, 2.0, 5.0]}')
    assert status == 200 and json.loads(content)["predictions"] == [2.5, 3.0, 4.5]


@needs_curl
def test_gzip_body_and_metrics_over_h2c(one_port):
    base = f"http://127.0.0.1:{one_port}"
    with tempfile.NamedTemporaryFile(suffix=".gz") as f:
        f.write(gzip.compress(b'{"instances": [3.0]}'))
        f.flush()
        status, _, _, content, _ = curl(base + "/v1/models/half_plus_two:predict", "prior", "POST",
                                        f"@{f.name}", {"Content-Encoding": "gzip"})
    assert status == 200 and json.loads(content)["predictions"] == [3.5]
    status, _, fields, content, _ = curl(base + "/monitoring/prometheus/metrics", "prior")
    assert status == 200 and fields["content-type"].startswith("text/plain")
    assert b"tern_requests_total" in content


def test_grpc_predict_on_the_one_port(one_port):
    target = f"127.0.0.1:{one_port}"
    assert grpc_predict(target, 3.0) == pytest.approx(3.5)
    # Many calls on one channel (one HTTP/2 connection), some at once.
    with grpc.insecure_channel(target) as channel:
        results = [None] * 16

        def call(i):
            results[i] = grpc_predict(None, float(i), channel=channel)

        threads = [threading.Thread(target=call, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [pytest.approx(i / 2 + 2) for i in range(16)]


def test_grpc_errors_and_deadlines_on_the_one_port(one_port):
    target = f"127.0.0.1:{one_port}"
    with grpc.insecure_channel(target) as channel:
        watch = channel.unary_stream("/grpc.health.v1.Health/Watch",
                                     request_serializer=lambda r: r,
                                     response_deserializer=lambda r: r)
        # A streaming call that never ends by itself: the deadline ends it.
        start = time.monotonic()
        stream = watch(b"", timeout=0.5)
        assert next(stream) == b"\x08\x01"  # SERVING
        with pytest.raises(grpc.RpcError) as error:
            next(stream)
        assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert time.monotonic() - start < 5
        # Cancelled by the client; the connection goes on serving.
        stream = watch(b"", timeout=30)
        assert next(stream) == b"\x08\x01"
        stream.cancel()
        assert grpc_predict(None, 1.0, channel=channel) == pytest.approx(2.5)
        with pytest.raises(grpc.RpcError) as error:
            channel.unary_unary("/no.Such/Method")(b"", timeout=10)
        assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED


@needs_grpcurl
def test_grpcurl_reflection_and_health_on_the_one_port(one_port):
    def grpcurl(*args):
        done = subprocess.run([str(GRPCURL), "-plaintext", *args], capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout

    target = f"127.0.0.1:{one_port}"
    services = grpcurl(target, "list").split()
    assert "tensorflow.serving.PredictionService" in services
    assert "inference.GRPCInferenceService" in services
    assert "rpc Predict" in grpcurl(target, "describe", "tensorflow.serving.PredictionService")
    assert json.loads(grpcurl(target, "grpc.health.v1.Health/Check"))["status"] == "SERVING"
    answer = json.loads(grpcurl("-d", '{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1],'
                                      ' "contents": {"fp32_contents": [4.0]}}],'
                                      ' "model_name": "half_plus_two"}',
                                target, "inference.GRPCInferenceService/ModelInfer"))
    assert answer["model_name"] == "half_plus_two"
    assert struct.unpack("<f", base64.b64decode(answer["raw_output_contents"][0])) == (4.0,)


@needs_curl
def test_bad_http2_input_gets_errors_and_the_server_survives(one_port):
    base = f"http://127.0.0.1:{one_port}"
    # A header list past the 64 KiB limit as HTTP/2 counts it (32 bytes a field besides name and
    # value), yet under what curl's nghttp2 agrees to send: this request's error, not the
    # connection's.
    big = {f"X-H-{i}": "v" for i in range(2000)}
    status, _, _, content, _ = curl(base + "/v2/health/ready", "prior", headers=big)
    assert status == 400 and b"header list exceeds" in content
    # Garbage after the preface: a GOAWAY and a closed connection.
    with socket.create_connection(("127.0.0.1", one_port), timeout=10) as s:
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\xff" * 64)
        received = b""
        while chunk := s.recv(4096):
            received += chunk
        assert b"\x07" in received[:64]  # a GOAWAY frame (type 7) among the first frames
    # A preface that goes wrong half way.
    with socket.create_connection(("127.0.0.1", one_port), timeout=10) as s:
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")
        s.settimeout(10)
        while s.recv(4096):
            pass
    assert requests.get(base + "/v2/health/live", timeout=10).status_code == 200
    status, _, _, _, _ = curl(base + "/v2/health/live", "prior")
    assert status == 200


@needs_curl
def test_rest_port_speaks_h2c_with_grpc_streams_too():
    """With separate ports, HTTP/2 on the REST port carries REST and gRPC as on the shared one."""
    grpc_port, rest_port = free_port(), free_port()
    process, log = start_tern([f"--port={grpc_port}", f"--rest_api_port={rest_port}",
                               f"--model_base_path={HALF_PLUS_TWO}"])
    try:
        wait_listening(rest_port, process, log)
        wait_ready(f"http://127.0.0.1:{rest_port}")
        status, version, _, content, _ = curl(
            f"http://127.0.0.1:{rest_port}/v1/models/half_plus_two:predict", "prior", "POST",
            '{"instances": [1.0]}')
        assert (status, version) == (200, "2") and json.loads(content)["predictions"] == [2.5]
        assert grpc_predict(f"127.0.0.1:{rest_port}", 5.0) == pytest.approx(4.5)
        assert grpc_predict(f"127.0.0.1:{grpc_port}", 5.0) == pytest.approx(4.5)
    finally:
        assert stop(process) == 0, Path(log.name).read_text()


@needs_curl
def test_probes_before_and_after_the_model_loads(tmp_path):
    """Readiness is the same answer over HTTP/1.1, h2c and gRPC health: not ready until the model
    is loaded, then ready."""
    base_path = tmp_path / "half_plus_two"
    base_path.mkdir()
    port = free_port()
    process, log = start_tern([f"--model_base_path={base_path}",
                               "--file_system_poll_wait_seconds=1"], env={"PORT": str(port)})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_listening(port, process, log)
        h1 = requests.get(base + "/v2/health/ready", timeout=10)
        assert h1.status_code != 200
        for mode in ("prior", "upgrade"):
            status, _, _, content, _ = curl(base + "/v2/health/ready", mode)
            assert (status, content) == (h1.status_code, h1.content), mode
        health = grpc.insecure_channel(f"127.0.0.1:{port}").unary_unary(
            "/grpc.health.v1.Health/Check", request_serializer=lambda r: r,
            response_deserializer=lambda r: r)
        assert health(b"", timeout=10) == b"\x08\x02"  # NOT_SERVING

        shutil.copytree(HALF_PLUS_TWO, base_path, dirs_exist_ok=True)
        wait_ready(base)
        for mode in ("prior", "upgrade"):
            status, _, _, content, _ = curl(base + "/v2/health/ready", mode)
            assert status == 200 and json.loads(content) == {"ready": True}, mode
        assert health(b"", timeout=10) == b"\x08\x01"  # SERVING
    finally:
        assert stop(process) == 0, Path(log.name).read_text()


# --- Knative's queue-proxy in front of Tern ------------------------------------------------

def queue_proxy_env(user_port, queue_port, autodetect_http2):
    """What Knative's revision reconciler gives the queue-proxy container (those it requires,
    and the readiness probe it derives from the user container's, config/knative)."""
    probe = {"httpGet": {"path": "/v2/health/ready", "port": user_port, "host": "127.0.0.1",
                         "scheme": "HTTP"},
             "successThreshold": 1, "periodSeconds": 0, "timeoutSeconds": 1}
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SERVING_NAMESPACE": "default", "SERVING_SERVICE": "tern",
        "SERVING_CONFIGURATION": "tern", "SERVING_REVISION": "tern-00001",
        "SERVING_POD": "tern-00001-deployment-0", "SERVING_POD_IP": "127.0.0.1",
        "QUEUE_SERVING_PORT": str(queue_port), "QUEUE_SERVING_TLS_PORT": str(free_port()),
        "USER_PORT": str(user_port), "CONTAINER_CONCURRENCY": "0",
        "REVISION_TIMEOUT_SECONDS": "300", "SERVING_LOGGING_CONFIG": "",
        "SERVING_LOGGING_LEVEL": "info", "SERVING_READINESS_PROBE": json.dumps(probe),
        "ENABLE_HTTP2_AUTO_DETECTION": "true" if autodetect_http2 else "false",
        "ENABLE_PROFILING": "false", "SERVING_ENABLE_REQUEST_LOG": "false",
    }


def knative_probe(queue_port, mode):
    """The probe the kubelet sends the queue-proxy, which then probes Tern (SERVING_READINESS_PROBE)
    and answers 200 or 503."""
    status, _, _, _, _ = curl(f"http://127.0.0.1:{queue_port}/", mode,
                              headers={"User-Agent": "kube-probe/1.30", "K-Network-Probe": "queue"})
    return status


@needs_curl
@pytest.mark.skipif(not QUEUE_PROXY.exists(),
                    reason="Knative's queue-proxy not built (scripts/setup.sh builds it with Go)")
@pytest.mark.parametrize("autodetect_http2", [False, True])
def test_through_knatives_queue_proxy(tmp_path, autodetect_http2):
    base_path = tmp_path / "half_plus_two"
    base_path.mkdir()
    user_port, queue_port = free_port(), free_port()
    tern, log = start_tern([f"--model_base_path={base_path}", "--file_system_poll_wait_seconds=1"],
                           env={"PORT": str(user_port)})
    qp_log = open(tmp_path / "queue-proxy.log", "w+")
    queue = subprocess.Popen([str(QUEUE_PROXY)], stdout=qp_log, stderr=subprocess.STDOUT,
                             env=queue_proxy_env(user_port, queue_port, autodetect_http2))
    front = f"http://127.0.0.1:{queue_port}"
    try:
        wait_listening(user_port, tern, log)
        wait_listening(queue_port, queue, qp_log)
        # Before the model loads the probe fails through every protocol.
        assert knative_probe(queue_port, "prior") == 503
        shutil.copytree(HALF_PLUS_TWO, base_path, dirs_exist_ok=True)
        deadline = time.time() + 30
        while knative_probe(queue_port, "prior") != 200:
            assert time.time() < deadline, Path(qp_log.name).read_text()
            time.sleep(0.2)
        assert knative_probe(queue_port, "upgrade") == 200

        # REST v1 and v2 over h2c, as the activator and ingress send it for an h2c port.
        status, version, _, content, _ = curl(front + "/v1/models/half_plus_two:predict", "prior",
                                              "POST", '{"instances": [1.0, 2.0]}')
        assert (status, version) == (200, "2") and json.loads(content)["predictions"] == [2.5, 3.0]
        status, _, _, content, _ = curl(front + "/v2/models/half_plus_two/infer", "prior", "POST",
                                        V2_INFER, {"Content-Type": "application/json"})
        assert status == 200 and json.loads(content)["outputs"][0]["data"] == [2.5, 3.0, 4.5]
        status, _, _, content, _ = curl(front + "/v1/models/no_such_model", "prior")
        assert status == 404 and b"error" in content

        # gRPC, and REST beside it at once: the queue-proxy multiplexes them onto its h2c
        # connection to Tern.
        failures = []

        def grpc_loop():
            try:
                with grpc.insecure_channel(f"127.0.0.1:{queue_port}") as channel:
                    for i in range(20):
                        assert grpc_predict(None, float(i), channel=channel) == pytest.approx(i / 2 + 2)
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append(repr(e))

        def rest_loop():
            try:
                for i in range(10):
                    status, _, _, content, _ = curl(front + "/v1/models/half_plus_two:predict",
                                                    "prior", "POST", f'{{"instances": [{i}.0]}}')
                    assert status == 200 and json.loads(content)["predictions"] == [i / 2 + 2]
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append(repr(e))

        loops = [threading.Thread(target=grpc_loop) for _ in range(3)]
        loops += [threading.Thread(target=rest_loop) for _ in range(2)]
        for t in loops:
            t.start()
        for t in loops:
            t.join(timeout=120)
        assert not failures, failures
        if GRPCURL.exists():
            done = subprocess.run([str(GRPCURL), "-plaintext", f"127.0.0.1:{queue_port}", "list"],
                                  capture_output=True, text=True, timeout=30)
            assert "tensorflow.serving.PredictionService" in done.stdout, done.stderr
    finally:
        queue.kill()  # its SIGTERM drain waits 30 s by design; not what is tested here
        queue.wait()
        assert stop(tern) == 0, Path(log.name).read_text()
