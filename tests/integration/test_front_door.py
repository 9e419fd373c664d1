"""Tern's front door: SIGTERM drain under load, one port for REST and gRPC ($PORT or equal port
flags), idle shutdown, and systemd socket activation (systemd-socket-activate) with restarts."""
import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time

import grpc
import pytest
import requests
from tensorflow.core.framework import tensor_pb2, tensor_shape_pb2, types_pb2
from tensorflow_serving.apis import (get_model_status_pb2, model_service_pb2_grpc, predict_pb2,
                                    prediction_service_pb2_grpc)

from load_clients import _first_float
from conftest import ROOT, TERN, TF_SERVING_MODELS, free_port

HALF_PLUS_TWO = TF_SERVING_MODELS / "saved_model_half_plus_two_cpu"
BODY = json.dumps({"instances": [1.0]})
# grpc.health.v1 by hand (no extra package): HealthCheckRequest{service: ""} is empty;
# HealthCheckResponse{status} is field 1, a varint: 1 SERVING, 2 NOT_SERVING.
SERVING, NOT_SERVING = b"\x08\x01", b"\x08\x02"


def health_watch(channel):
    watch = channel.unary_stream("/grpc.health.v1.Health/Watch",
                                 request_serializer=lambda request: request,
                                 response_deserializer=lambda response: response)
    return watch(b"", timeout=30)


def grpc_predict(target, x=1.0, timeout=30, channel=None):
    own = channel is None
    channel = channel or grpc.insecure_channel(target)
    try:
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "half_plus_two"
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[x])
        tensor.tensor_shape.CopyFrom(tensor_shape_pb2.TensorShapeProto(
            dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)]))
        request.inputs["x"].CopyFrom(tensor)
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        return _first_float(stub.Predict(request, timeout=timeout).outputs["y"])
    finally:
        if own:
            channel.close()


def grpc_model_status(channel, timeout=30):
    """GetModelStatus: a synchronous handler in Tern (Predict is an asynchronous one)."""
    request = get_model_status_pb2.GetModelStatusRequest()
    request.model_spec.name = "half_plus_two"
    response = model_service_pb2_grpc.ModelServiceStub(channel).GetModelStatus(request,
                                                                               timeout=timeout)
    return 2.5 if response.model_version_status[0].state == 30 else -1.0  # AVAILABLE


def start_tern(args, env=None, log_name="tern"):
    log = open(f"/tmp/{log_name}-{os.getpid()}-{time.monotonic_ns()}.log", "w+")
    process = subprocess.Popen([str(TERN), "--model_name=half_plus_two",
                                f"--model_base_path={HALF_PLUS_TWO}", *args],
                               stdout=log, stderr=subprocess.STDOUT, env=env)
    return process, log


def wait_rest_ready(url, process, log, timeout_s=30):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        assert process.poll() is None, f"tern exited early:\n{read(log)}"
        try:
            if requests.get(f"{url}/v2/health/ready", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise TimeoutError(read(log))


def terminate_and_join(process, loops, timeout_s=60):
    """SIGTERMs the server under the clients' load and waits for it; each client loop ends when
    it cannot connect any more. Returns (the monotonic time of the signal, the exit code)."""
    sigterm_at = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=timeout_s)
    for loop in loops:
        loop.join(timeout=30)
        loop.stop.set()
    return sigterm_at, code


def read(log):
    log.flush()
    log.seek(0)
    return log.read()


class RestLoop(threading.Thread):
    """Predicts over one kept-alive HTTP/1.1 connection, reconnecting when the server closes it.
    A refused connect means the server no longer accepts: the loop ends. Anything that goes
    wrong after a request was sent on an accepted connection is a lost request."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.answers, self.lost, self.refused = [], [], 0
        self.stop = threading.Event()

    def run(self):
        conn = None
        while not self.stop.is_set():
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                try:
                    conn.connect()
                except ConnectionRefusedError:
                    self.refused += 1
                    return
            t0 = time.monotonic()
            try:
                conn.request("POST", "/v1/models/half_plus_two:predict", BODY,
                             {"Content-Type": "application/json"})
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    self.lost.append(f"HTTP {response.status}: {body!r}")
                else:
                    self.answers.append((t0, time.monotonic(), json.loads(body)["predictions"][0]))
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                self.lost.append(f"{type(e).__name__}: {e}")
                conn.close()
                conn = None


def connect_failure(error):
    """An RPC that never reached the server: its channel could not connect (the port is closed)."""
    details = (error.details() or "").lower()
    return error.code() == grpc.StatusCode.UNAVAILABLE and (
        "failed to connect" in details or "connection refused" in details)


def drain_refusal(error):
    """Tern's answer to a call that came after the drain began: UNAVAILABLE, not run."""
    return (error.code() == grpc.StatusCode.UNAVAILABLE
            and "shutting down (draining)" in (error.details() or ""))


class GrpcLoop(threading.Thread):
    """Predicts with the official TF Serving client on one channel, sending its next call as soon
    as the last is answered, through SIGTERM and after it, until its channel cannot connect. Every
    call is counted: answered; refused by the draining server (UNAVAILABLE; the loop sends again
    at once, as an eager retrying client would); or never delivered (could not connect: the loop
    ends). Anything else (CANCELLED, a reset connection, ...) is a lost call."""

    def __init__(self, target, call=None):
        super().__init__(daemon=True)
        self.target = target
        self.call = call or (lambda channel: grpc_predict(None, timeout=30, channel=channel))
        self.answers, self.refusals, self.lost = [], [], []  # (sent, done[, y]) and messages
        self.refused = 0
        self.stop = threading.Event()

    @property
    def refused_by_drain(self):
        return len(self.refusals)

    def run(self):
        with grpc.insecure_channel(self.target) as channel:
            while not self.stop.is_set():
                t0 = time.monotonic()
                try:
                    y = self.call(channel)
                    self.answers.append((t0, time.monotonic(), y))
                except grpc.RpcError as e:
                    if connect_failure(e):
                        self.refused += 1
                        return
                    if drain_refusal(e):
                        self.refusals.append((t0, time.monotonic()))
                        continue
                    self.lost.append(f"{e.code()}: {e.details()}")


@pytest.mark.parametrize("ports", ["two_ports", "one_port"])
def test_sigterm_drains_in_flight_requests_under_load(tmp_path, ports):
    # Every request waits in a batch for up to 300 ms, so SIGTERM finds requests in flight.
    params = tmp_path / "batching.txt"
    params.write_text("max_batch_size { value: 64 } batch_timeout_micros { value: 300000 } "
                      "max_enqueued_batches { value: 100 } num_batch_threads { value: 2 }")
    # Two ports: gRPC's own listener. One port: Tern's router accepts and hands gRPC connections
    # over by fd (as it does with systemd's sockets).
    grpc_port = free_port()
    rest_port = free_port() if ports == "two_ports" else grpc_port
    process, log = start_tern([f"--port={grpc_port}", f"--rest_api_port={rest_port}",
                               "--enable_batching", f"--batching_parameters_file={params}",
                               "--drain_timeout_seconds=10"])
    wait_rest_ready(f"http://127.0.0.1:{rest_port}", process, log)
    # A client watching gRPC health, and an idle kept-alive connection for /v2/health/ready.
    watch_channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
    watch = health_watch(watch_channel)
    assert next(watch) == SERVING
    probe = http.client.HTTPConnection("127.0.0.1", rest_port, timeout=10)
    probe.request("GET", "/v2/health/ready")
    assert probe.getresponse().read() is not None

    loops = [RestLoop(rest_port) for _ in range(4)] + \
            [GrpcLoop(f"127.0.0.1:{grpc_port}") for _ in range(4)]
    for loop in loops:
        loop.start()
    deadline = time.monotonic() + 30
    while min(len(loop.answers) for loop in loops) < 3:
        assert time.monotonic() < deadline, "the clients got no answers"
        time.sleep(0.05)

    sigterm_at = time.monotonic()
    process.send_signal(signal.SIGTERM)
    # Readiness turns false at once, seen on the connection that was already open...
    probe.request("GET", "/v2/health/ready")
    ready = probe.getresponse()
    ready.read()
    # A probe read just before the signal was handled is answered 200; if the drain began while
    # that answer was written, it closes the connection (the listener is closed by then too), so
    # there is no connection left to see "not ready" on.
    closed_by_drain = ready.getheader("Connection", "").lower() == "close"
    while ready.status == 200 and not closed_by_drain and time.monotonic() - sigterm_at < 2:
        probe.request("GET", "/v2/health/ready")
        ready = probe.getresponse()
        ready.read()
        closed_by_drain = ready.getheader("Connection", "").lower() == "close"
    # Not ready is a 4xx (Open Inference Protocol, Triton).
    assert ready.status == 400 or (ready.status == 200 and closed_by_drain), ready.status
    # ... and by the health watcher, whose stream then ends so that it does not hold the drain.
    statuses = list(watch)
    assert statuses[-1] == NOT_SERVING

    code = process.wait(timeout=20)
    exit_s = time.monotonic() - sigterm_at
    for loop in loops:  # each ends when it cannot connect any more
        loop.join(timeout=30)
        loop.stop.set()
    output = read(log)
    assert code == 0, output
    assert "requests cut off at the deadline: 0, REST connections left: 0" in output, output
    for loop in loops:
        assert loop.lost == [], f"{type(loop).__name__} lost accepted requests: {loop.lost[:3]}"
        assert all(abs(y - 2.5) < 1e-6 for _, _, y in loop.answers)
    grpc_loops = [loop for loop in loops if isinstance(loop, GrpcLoop)]
    rest_loops = [loop for loop in loops if not isinstance(loop, GrpcLoop)]
    # Requests were in flight when SIGTERM came, and were answered (none lost, above). Not every
    # client need have had one: a client thread can be between two calls, waiting for Python's
    # lock, when the signal is sent (one gRPC client of four, once in many CI runs).
    assert any(t0 < sigterm_at < t1 for loop in rest_loops for t0, t1, _ in loop.answers)
    assert any(t0 < sigterm_at < t1 for loop in grpc_loops for t0, t1, _ in loop.answers)
    for loop in grpc_loops:
        # Each gRPC client kept sending until its channel could not connect: the port closed.
        assert loop.refused == 1, (loop.refused, loop.refused_by_drain, len(loop.answers))
    answered = sum(len(loop.answers) for loop in loops)
    refused_by_drain = sum(loop.refused_by_drain for loop in grpc_loops)
    print(f"\nSIGTERM under load ({ports}): exit 0 after {exit_s * 1000:.0f} ms; {answered} "
          f"answers, 0 lost; {refused_by_drain} gRPC calls sent during the drain refused "
          f"UNAVAILABLE; load average {os.getloadavg()[0]:.1f}")
    watch_channel.close()


def test_sigterm_answers_the_only_rest_request_waiting_in_a_batch(tmp_path):
    # Nothing else is open: once the drain closed the listener, the waiting request holds no
    # I/O, and the REST server's threads must still be there to write its answer.
    params = tmp_path / "batching.txt"
    params.write_text("max_batch_size { value: 64 } batch_timeout_micros { value: 1000000 } "
                      "max_enqueued_batches { value: 100 } num_batch_threads { value: 1 }")
    grpc_port, rest_port = free_port(), free_port()
    process, log = start_tern([f"--port={grpc_port}", f"--rest_api_port={rest_port}",
                               "--enable_batching", f"--batching_parameters_file={params}",
                               "--drain_timeout_seconds=10"])
    wait_rest_ready(f"http://127.0.0.1:{rest_port}", process, log)
    conn = http.client.HTTPConnection("127.0.0.1", rest_port, timeout=30)
    conn.request("POST", "/v1/models/half_plus_two:predict", BODY,
                 {"Content-Type": "application/json"})
    time.sleep(0.3)  # the request waits in its batch (1 s)
    process.send_signal(signal.SIGTERM)
    response = conn.getresponse()
    assert response.status == 200 and json.loads(response.read()) == {"predictions": [2.5]}
    assert process.wait(timeout=20) == 0, read(log)
    assert "requests cut off at the deadline: 0, REST connections left: 0" in read(log)


@pytest.mark.parametrize("ports,rpc", [("two_ports", "Predict"), ("one_port", "Predict"),
                                       ("two_ports", "GetModelStatus")])
def test_sigterm_loses_no_grpc_call_arriving_during_the_drain(ports, rpc):
    # Unbatched calls take about a millisecond, so with several clients sending back to back
    # some call is always on its way when SIGTERM comes and when gRPC shuts down: each must be
    # answered or refused retryably (grpc's own shutdown would cancel it: CANCELLED).
    grpc_port = free_port()
    rest_port = free_port() if ports == "two_ports" else grpc_port
    process, log = start_tern([f"--port={grpc_port}", f"--rest_api_port={rest_port}",
                               "--drain_timeout_seconds=10"])
    wait_rest_ready(f"http://127.0.0.1:{rest_port}", process, log)
    call = grpc_model_status if rpc == "GetModelStatus" else None
    loops = [GrpcLoop(f"127.0.0.1:{grpc_port}", call) for _ in range(6)]
    for loop in loops:
        loop.start()
    deadline = time.monotonic() + 30
    while min(len(loop.answers) for loop in loops) < 20:
        assert time.monotonic() < deadline, "the clients got no answers"
        time.sleep(0.01)
    sigterm_at, code = terminate_and_join(process, loops, timeout_s=20)
    exit_s = time.monotonic() - sigterm_at
    assert code == 0, read(log)
    lost = [error for loop in loops for error in loop.lost]
    assert lost == [], f"{len(lost)} gRPC calls lost: {lost[:3]}"
    assert all(loop.refused == 1 for loop in loops), [loop.refused for loop in loops]
    after = sum(1 for loop in loops for t0, _, _ in loop.answers if t0 > sigterm_at)
    assert all(y == 2.5 for loop in loops for _, _, y in loop.answers)
    print(f"\ngRPC {rpc} calls racing SIGTERM ({ports}): exit 0 after {exit_s * 1000:.0f} ms; "
          f"{sum(len(loop.answers) for loop in loops)} answers ({after} sent after SIGTERM), "
          f"{sum(loop.refused_by_drain for loop in loops)} refused UNAVAILABLE by the drain, "
          f"0 lost; load average {os.getloadavg()[0]:.1f}")


@pytest.mark.parametrize("how", ["equal_port_flags", "port_env"])
def test_one_port_serves_rest_and_grpc(how):
    port = free_port()
    env = dict(os.environ)
    env.pop("PORT", None)
    if how == "port_env":
        env["PORT"] = str(port)
        args = []
    else:
        args = [f"--port={port}", f"--rest_api_port={port}"]
    process, log = start_tern(args, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_rest_ready(url, process, log)
        r = requests.post(f"{url}/v1/models/half_plus_two:predict", json={"instances": [1.0, 2.0]})
        assert r.status_code == 200 and r.json() == {"predictions": [2.5, 3.0]}, r.text
        assert grpc_predict(f"127.0.0.1:{port}", 5.0) == pytest.approx(4.5)
        # Many connections of both kinds at once on the one port.
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            results = []
            threads = [threading.Thread(target=lambda: results.append(
                           grpc_predict(None, 1.0, channel=channel))) for _ in range(8)] + \
                      [threading.Thread(target=lambda: results.append(requests.post(
                           f"{url}/v1/models/half_plus_two:predict",
                           json={"instances": [1.0]}).json()["predictions"][0])) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert results == [2.5] * 16
        curl = subprocess.run(["curl", "-s", f"{url}/v1/models/half_plus_two"],
                              capture_output=True, text=True, timeout=10)
        assert "AVAILABLE" in curl.stdout
        assert "one port" in read(log)
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0, read(log)


def test_idle_shutdown_exits_zero_and_closes_kept_alive_connections():
    grpc_port, rest_port = free_port(), free_port()
    process, log = start_tern([f"--port={grpc_port}", f"--rest_api_port={rest_port}",
                               "--idle_shutdown_seconds=1"])
    wait_rest_ready(f"http://127.0.0.1:{rest_port}", process, log)
    session = requests.Session()  # keeps its connection open
    for _ in range(3):
        assert session.post(f"http://127.0.0.1:{rest_port}/v1/models/half_plus_two:predict",
                            json={"instances": [1.0]}).status_code == 200
        time.sleep(0.5)  # shorter than the idle time: keeps Tern up
    assert grpc_predict(f"127.0.0.1:{grpc_port}") == 2.5
    last = time.monotonic()
    assert process.wait(timeout=15) == 0, read(log)
    idle_s = time.monotonic() - last
    assert 0.9 < idle_s < 5, idle_s
    assert "Idle for 1 s" in read(log)


class SocketActivator:
    """Plays systemd's part: holds the REST and gRPC listening sockets for the whole test and
    keeps a systemd-socket-activate waiting on them, which starts Tern (with LISTEN_FDS and
    LISTEN_FDNAMES=rest:grpc) at the first connection; when Tern exits, another one waits."""

    def __init__(self, tern_args):
        self.sockets = []
        for _ in range(2):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 0))
            s.listen(128)
            self.sockets.append(s)
        self.rest_port, self.grpc_port = (s.getsockname()[1] for s in self.sockets)
        # The fds go to the child at 3 and 4 (sd_listen_fds' positions) from two high numbers.
        self.high = [os.dup2(s.fileno(), 100 + i) for i, s in enumerate(self.sockets)]
        self.tern_args = tern_args
        self.exit_codes, self.starts = [], 0
        self.log = open(f"/tmp/tern-activated-{os.getpid()}.log", "w+")
        self.stopping = threading.Event()
        self.process = None
        self.thread = threading.Thread(target=self._supervise, daemon=True)
        self.thread.start()

    def _supervise(self):
        command = ("exec 3<&100 4<&101 100<&- 101<&-; LISTEN_PID=$$ LISTEN_FDS=2 "
                   "LISTEN_FDNAMES=rest:grpc exec systemd-socket-activate --fdname=rest:grpc "
                   + " ".join(f"'{a}'" for a in [str(TERN), *self.tern_args]))
        while not self.stopping.is_set():
            self.process = subprocess.Popen(["bash", "-c", command], pass_fds=self.high,
                                            stdout=self.log, stderr=subprocess.STDOUT)
            code = self.process.wait()
            if self.stopping.is_set():
                break
            self.exit_codes.append(code)

    def tern_running(self):
        # Until the first connection the process is systemd-socket-activate, then Tern.
        try:
            return os.readlink(f"/proc/{self.process.pid}/exe").endswith("/tern")
        except OSError:
            return False

    def close(self):
        self.stopping.set()
        if self.process and self.process.poll() is None:
            self.process.terminate()
        self.thread.join(timeout=30)
        for fd in self.high:
            os.close(fd)
        for s in self.sockets:
            s.close()


@pytest.mark.skipif(not any(os.access(os.path.join(p, "systemd-socket-activate"), os.X_OK)
                            for p in os.environ["PATH"].split(os.pathsep)),
                    reason="systemd-socket-activate (Debian package systemd) is not installed")
def test_socket_activation_starts_on_demand_and_exits_when_idle():
    activator = SocketActivator(["--model_name=half_plus_two", f"--model_base_path={HALF_PLUS_TWO}",
                                 "--idle_shutdown_seconds=1"])
    rest = f"http://127.0.0.1:{activator.rest_port}"
    grpc_target = f"127.0.0.1:{activator.grpc_port}"
    try:
        time.sleep(0.2)
        assert not activator.tern_running(), "Tern must not start before a connection comes"
        session = requests.Session()  # its kept-alive connection outlives each Tern
        channel = grpc.insecure_channel(grpc_target)  # and so does this channel
        failures, first_answer_ms = [], []
        for cycle in range(3):
            t0 = time.monotonic()
            r = session.post(f"{rest}/v1/models/half_plus_two:predict", json={"instances": [1.0]})
            first_answer_ms.append((time.monotonic() - t0) * 1000)
            if r.status_code != 200 or r.json() != {"predictions": [2.5]}:
                failures.append(r.text)
            # The gRPC socket (fd name "grpc") with the official client, then gRPC on the REST
            # socket too: each inherited socket routes both protocols.
            assert grpc_predict(None, 2.0, channel=channel) == 3.0
            assert grpc_predict(f"127.0.0.1:{activator.rest_port}", 4.0) == 4.0
            assert requests.get(f"{rest}/v1/models/half_plus_two").status_code == 200
            # Idle: Tern exits 0 after a second; the sockets stay open meanwhile.
            deadline = time.monotonic() + 15
            while len(activator.exit_codes) < cycle + 1:
                assert time.monotonic() < deadline, read(activator.log)
                time.sleep(0.05)
        channel.close()
        assert failures == []
        assert activator.exit_codes == [0, 0, 0], read(activator.log)
        print(f"\nsocket activation: 3 starts, first answers {[round(x) for x in first_answer_ms]} "
              f"ms, exits {activator.exit_codes}; load average {os.getloadavg()[0]:.1f}")
    finally:
        activator.close()


@pytest.mark.skipif(subprocess.run(["which", "systemd-analyze"], capture_output=True).returncode,
                    reason="systemd-analyze (Debian package systemd) is not installed")
def test_systemd_units_verify_cleanly(tmp_path):
    units = ROOT / "config" / "systemd"
    service = (units / "tern.service").read_text()
    assert "/usr/local/bin/tern" in service
    # verify checks that ExecStart exists: point it at the built binary.
    (tmp_path / "tern.service").write_text(service.replace("/usr/local/bin/tern", str(TERN)))
    (tmp_path / "tern.socket").write_text((units / "tern.socket").read_text())
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "tern.socket"),
                             str(tmp_path / "tern.service")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and result.stdout + result.stderr == "", \
        result.stdout + result.stderr
