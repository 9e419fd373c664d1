"""Load drivers shared by the benchmarks: perf_analyzer (gRPC, TF Serving API) and wrk (REST).

Each driver runs one closed-loop measurement at a fixed concurrency against 127.0.0.1 for a
bounded time and returns {"throughput_rps", "p50_ms", "p99_ms", "errors", "requests"}.
"""
import csv
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import urllib.request

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# The start-up benchmarks' models: base path and one REST predict body each.
STARTUP_MODELS = {
    "half_plus_two": (SHARED / "testdata/tf_serving/saved_model_half_plus_two_cpu",
                      {"instances": [1.0, 2.0, 5.0]}),
    "taxi_fare": (ROOT / "models/taxi_fare",
                  {"instances": [{"pickup_longitude": -73.9857, "pickup_latitude": 40.7484,
                                  "dropoff_longitude": -73.968, "dropoff_latitude": 40.785,
                                  "passenger_count": 1.0}]}),
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tools_bin():
    """Installs (once) and returns the directory holding perf_analyzer."""
    out = subprocess.run([str(ROOT / "loadtest/setup_tools.sh")], check=True,
                         capture_output=True, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


class Server:
    """A build/tern process on free ports, stopped with SIGTERM."""

    def __init__(self, model, base_path, args=(), log_dir=None, cpus=None):
        self.model = model
        self.grpc_port, self.rest_port = free_port(), free_port()
        log_dir = Path(log_dir or tempfile.gettempdir())
        self.log_path = log_dir / f"tern-{self.rest_port}.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(ROOT / "build/tern"), f"--port={self.grpc_port}",
             f"--rest_api_port={self.rest_port}", f"--model_name={model}",
             f"--model_base_path={base_path}", *args],
            stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tern exited: {self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{self.rest_port}/v1/models/{model}", timeout=1) as r:
                    if b"AVAILABLE" in r.read():
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"tern not ready: {self.log_path.read_text()}")

    def cpu_seconds(self):
        """User + system CPU time the server has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def perf_analyzer(bin_dir, server, concurrency, seconds, input_json=None, shape=None, attempts=3,
                  service_kind="tfserving", protocol="grpc", stability_percentage=100,
                  request_rate=None):
    """perf_analyzer at a fixed concurrency. service_kind "tfserving": gRPC Predict through TF
    Serving's API; "triton": KServe v2 ModelInfer over `protocol` ("grpc" or "http"), which
    also reads Tern's model config (max_batch_size, dims) to shape the request.

    perf_analyzer gives up when its windows disagree too much (exit 2, common on a shared
    machine); then the window is doubled and it is tried again, `attempts` times in all.
    request_rate: open loop instead: that many requests per second whatever the answers' pace
    (`concurrency` then only bounds perf_analyzer's threads)."""
    for attempt in range(attempts):
        window_ms = int(seconds * 1000) * (2 ** attempt)
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "report.csv"
            port = server.rest_port if protocol == "http" else server.grpc_port
            cmd = [str(bin_dir / "perf_analyzer"), f"--service-kind={service_kind}", "-i", protocol,
                   "-u", f"127.0.0.1:{port}", "-m", server.model,
                   *([f"--request-rate-range={request_rate}:{request_rate}",
                      f"--max-threads={concurrency}"] if request_rate else
                     [f"--concurrency-range={concurrency}:{concurrency}"]),
                   "--measurement-mode=time_windows", f"--measurement-interval={window_ms}",
                   "--max-trials=5", f"--stability-percentage={stability_percentage}", "-f", str(report)]
            if input_json:
                cmd.append(f"--input-data={input_json}")
            if shape:
                cmd.append(f"--shape={shape}")
            out = subprocess.run(cmd, capture_output=True, text=True,
                                 timeout=window_ms / 1000 * 10 + 60)
            if out.returncode == 0 and report.exists():
                row = next(csv.DictReader(report.open()))
                # perf_analyzer stops at a failed request; a run that finished had none.
                return {"throughput_rps": float(row["Inferences/Second"]),
                        "p50_ms": float(row["p50 latency"]) / 1000,
                        "p99_ms": float(row["p99 latency"]) / 1000,
                        "errors": 0, "requests": None, "window_ms": window_ms}
            if "stable" not in out.stdout:
                break
    raise RuntimeError(f"perf_analyzer failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("TERN_WRK_BODY"), "rb")
wrk.body = f:read("*a")
f:close()
"""


def wrk(server, concurrency, seconds, body, url=None):
    """REST :predict with wrk (2 client threads, `concurrency` keep-alive connections); `url`
    overrides the server's :predict URL (e.g. a peer serving a static reply)."""
    with tempfile.TemporaryDirectory() as tmp:
        script, body_file = Path(tmp) / "post.lua", Path(tmp) / "body.json"
        script.write_text(WRK_SCRIPT)
        body_file.write_text(json.dumps(body))
        url = url or f"http://127.0.0.1:{server.rest_port}/v1/models/{server.model}:predict"
        cmd = ["wrk", f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{seconds}s",
               "--timeout", "10s", "--latency", "-s", str(script), url]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60,
                             env={"TERN_WRK_BODY": str(body_file), "PATH": "/usr/bin:/bin"})
        if out.returncode != 0:
            raise RuntimeError(f"wrk failed:\n{out.stdout}\n{out.stderr}")
        text = out.stdout

    def ms(label):
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        errors += sum(int(g) for g in m.groups())
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    return {"throughput_rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
            "p50_ms": ms("50%"), "p99_ms": ms("99%"), "errors": errors, "requests": requests}


def with_cpu(server, drive):
    """Runs drive() (a perf_analyzer or wrk call) and adds the CPU time per answered request of
    the server and of the load driver, in microseconds. Both are rates over the whole call
    (perf_analyzer's warm-up and windows run at the same load), divided by the throughput: at
    saturation, throughput = cores / (server + client CPU per request), which is what bounds
    the batching speed-up on a machine the client shares."""
    import resource
    wall0, cpu0 = time.monotonic(), server.cpu_seconds()
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = drive()
    wall = time.monotonic() - wall0
    kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_rate = (server.cpu_seconds() - cpu0) / wall
    client_rate = ((kids1.ru_utime + kids1.ru_stime) - (kids0.ru_utime + kids0.ru_stime)) / wall
    rps = result["throughput_rps"] or float("nan")
    result["server_cpu_us_per_request"] = round(1e6 * server_rate / rps, 1)
    result["client_cpu_us_per_request"] = round(1e6 * client_rate / rps, 1)
    return result


def plot_levels(results, levels, path, title, protocols):
    """Throughput (top) and p50/p99 latency (bottom) against concurrency, one column per
    protocol; results: {configuration: {protocol: {str(level): point}}}."""
    sys.path.append(str(ROOT / "loadtest/.tools/py"))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    for col, proto in enumerate(protocols):
        for i, (name, by_proto) in enumerate(results.items()):
            color = f"C{i}"
            pts = by_proto.get(proto, {})
            xs = [c for c in levels if str(c) in pts]
            axes[0][col].plot(xs, [pts[str(c)]["throughput_rps"] for c in xs], marker="o", color=color, label=name)
            axes[1][col].plot(xs, [pts[str(c)]["p99_ms"] for c in xs], marker="o", color=color,
                              label=f"{name} p99")
            axes[1][col].plot(xs, [pts[str(c)]["p50_ms"] for c in xs], marker=".", linestyle=":",
                              color=color, label=f"{name} p50")
        axes[0][col].set_title(f"{title}, {proto}: throughput")
        axes[0][col].set_ylabel("requests/s")
        axes[1][col].set_title(f"{title}, {proto}: latency")
        axes[1][col].set_ylabel("ms")
        axes[1][col].set_yscale("log")
        for ax in (axes[0][col], axes[1][col]):
            ax.set_xscale("log", base=2)
            ax.set_xlabel("concurrency")
            ax.legend(fontsize=7)
            ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
