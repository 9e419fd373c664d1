"""Fixtures that run a real build/tern on free ports against real SavedModels."""
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
TF_SERVING_MODELS = SHARED / "testdata" / "tf_serving"
TERN = Path(os.environ.get("TERN_BINARY", ROOT / "build" / "tern"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TernServer:
    """A running tern process; stopped with SIGTERM when the fixture ends."""

    def __init__(self, model_name, base_path, extra_args=()):
        self.model_name = model_name
        self.grpc_port = free_port()
        self.rest_port = free_port()
        self.log_path = Path(os.environ.get("PYTEST_TMPDIR", "/tmp")) / f"tern-{self.rest_port}.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(TERN), f"--port={self.grpc_port}", f"--rest_api_port={self.rest_port}",
             f"--model_name={model_name}", f"--model_base_path={base_path}", *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.rest = f"http://127.0.0.1:{self.rest_port}"
        self.grpc_target = f"127.0.0.1:{self.grpc_port}"
        self._wait_ready()

    def _wait_ready(self, timeout_s=30):
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tern exited early:\n{self.log_path.read_text()}")
            try:
                r = requests.get(f"{self.rest}/v1/models/{self.model_name}", timeout=1)
                if r.status_code == 200 and "AVAILABLE" in r.text:
                    return
                if r.status_code == 200 and '"error_code": "OK"' not in r.text:
                    raise RuntimeError(f"model failed to load: {r.text}")
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"tern not ready after {timeout_s}s:\n{self.log_path.read_text()}")

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


@pytest.fixture(scope="module")
def tern_factory():
    servers = []

    def start(model_name, base_path, extra_args=()):
        server = TernServer(model_name, base_path, extra_args)
        servers.append(server)
        return server

    yield start
    for server in servers:
        assert server.alive(), f"tern died during the tests:\n{server.log_path.read_text()}"
        assert server.stop() == 0
