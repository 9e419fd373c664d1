"""REST over HTTP/2 (h2c) beside REST over HTTP/1.1 and gRPC, one run (issue 19).

One Tern with separate ports (--port for gRPC alone, --rest_api_port for everything else) serves
half_plus_two; each row drives the same :predict for --seconds at --concurrency requests in
flight, all on 127.0.0.1 (client and server share the machine's cores):

  rest_http1_wrk        REST, HTTP/1.1, `concurrency` keep-alive connections (wrk)
  rest_h2c_h2load       REST, HTTP/2 prior knowledge, `concurrency` connections, 1 stream each
  rest_h2c_mux_h2load   REST, HTTP/2, 1 connection with `concurrency` streams (as Knative's
                        queue-proxy multiplexes)
  grpc_h2c_h2load       gRPC Predict on the REST port: HTTP/2 terminated by Tern, the stream
                        forwarded to the gRPC server (the path of one shared h2c port)
  grpc_direct_h2load    the same gRPC Predict on the gRPC server's own port (no forwarding)

h2load drives gRPC too (the TF Serving PredictRequest, length-prefixed, content-type
application/grpc), so the gRPC rows use the same client as the HTTP/2 REST rows; every gRPC answer
is checked once with the official client before the timed runs.

With --rounds N the rows run N times round-robin and each reports its median round (the machine
is shared: the 1-minute load average before and after is in the JSON).

    .venv/bin/python loadtest/h2c_bench.py [--seconds 3] [--concurrency 8] [--rounds 1] [--out DIR]
Writes DIR/h2c_bench.json (default loadtest/results) and prints a short table. Needs wrk
(loadtest/setup_tools.sh) and h2load (Debian nghttp2-client).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from conftest import TERN, TF_SERVING_MODELS, free_port  # noqa: E402
from tensorflow.core.framework import tensor_pb2, tensor_shape_pb2, types_pb2  # noqa: E402
from tensorflow_serving.apis import predict_pb2  # noqa: E402

from test_front_door import grpc_predict  # noqa: E402

HALF_PLUS_TWO = TF_SERVING_MODELS / "saved_model_half_plus_two_cpu"
REST_BODY = '{"instances": [1.0, 2.0, 5.0]}'


def grpc_predict_body():
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "half_plus_two"
    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[1.0, 2.0, 5.0])
    tensor.tensor_shape.CopyFrom(tensor_shape_pb2.TensorShapeProto(
        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=3)]))
    request.inputs["x"].CopyFrom(tensor)
    message = request.SerializeToString()
    return b"\x00" + len(message).to_bytes(4, "big") + message


def h2load(url, seconds, clients, streams, body_file, headers):
    cmd = ["h2load", "-D", str(seconds), "--warm-up-time=1", "-c", str(clients),
           "-m", str(streams), "-t", "1", "-d", str(body_file), url]
    for header in headers:
        cmd += ["-H", header]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    text = out.stdout
    if out.returncode != 0 or "req/s" not in text:
        raise RuntimeError(f"h2load failed:\n{text}\n{out.stderr}")
    done = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                     r"(\d+) failed, (\d+) errored, (\d+) timeout", text)
    twoxx = int(re.search(r"status codes: (\d+) 2xx", text).group(1))
    mean = re.search(r"time for request:\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", text)
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[mean.group(2)]
    return {"throughput_rps": float(re.search(r"([\d.]+) req/s", text).group(1)),
            "mean_ms": round(float(mean.group(1)) * scale, 3),
            "requests": int(done.group(3)),
            "errors": int(done.group(5)) + int(done.group(6)) + int(done.group(7))
            + int(done.group(3)) - twoxx}


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '%s'
"""


def wrk(url, seconds, connections):
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(WRK_SCRIPT % REST_BODY)
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                              "-s", str(script), url], capture_output=True, text=True,
                             timeout=seconds + 60)
    text = out.stdout
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed:\n{text}\n{out.stderr}")
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        errors += sum(int(g) for g in m.groups())
    mean = re.search(r"Latency\s+([\d.]+)(us|ms|s)", text)
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[mean.group(2)]
    return {"throughput_rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
            "mean_ms": round(float(mean.group(1)) * scale, 3),
            "requests": int(re.search(r"(\d+) requests in", text).group(1)), "errors": errors}


def wait_ready(process, port, log, timeout_s=30):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        assert process.poll() is None, Path(log.name).read_text()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(Path(log.name).read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "loadtest" / "results")
    args = parser.parse_args()
    for tool in ("wrk", "h2load"):
        if shutil.which(tool) is None:
            sys.exit(f"h2c_bench: {tool} is not installed (loadtest/setup_tools.sh installs both)")

    grpc_port, rest_port = free_port(), free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="tern-h2c-bench-", suffix=".log", delete=False)
    tern = subprocess.Popen([str(TERN), f"--port={grpc_port}", f"--rest_api_port={rest_port}",
                             "--model_name=half_plus_two", f"--model_base_path={HALF_PLUS_TWO}"],
                            stdout=log, stderr=subprocess.STDOUT)
    results = {}
    try:
        wait_ready(tern, rest_port, log)
        # The gRPC rows are only worth timing if the answers are right, on both ports.
        for port in (rest_port, grpc_port):
            assert grpc_predict(f"127.0.0.1:{port}", 5.0) == 4.5
        seconds, c = int(max(1, args.seconds)), args.concurrency
        rest_url = f"http://127.0.0.1:{rest_port}/v1/models/half_plus_two:predict"
        method = "/tensorflow.serving.PredictionService/Predict"
        with tempfile.TemporaryDirectory() as tmp:
            rest_body, grpc_body = Path(tmp) / "rest.json", Path(tmp) / "grpc.bin"
            rest_body.write_text(REST_BODY)
            grpc_body.write_bytes(grpc_predict_body())
            json_header = ["content-type: application/json"]
            grpc_headers = ["content-type: application/grpc", "te: trailers"]
            runs = {
                "rest_http1_wrk": lambda: wrk(rest_url, seconds, c),
                "rest_h2c_h2load": lambda: h2load(rest_url, seconds, c, 1, rest_body, json_header),
                "rest_h2c_mux_h2load": lambda: h2load(rest_url, seconds, 1, c, rest_body,
                                                      json_header),
                "grpc_h2c_h2load": lambda: h2load(f"http://127.0.0.1:{rest_port}{method}",
                                                  seconds, c, 1, grpc_body, grpc_headers),
                "grpc_direct_h2load": lambda: h2load(f"http://127.0.0.1:{grpc_port}{method}",
                                                     seconds, c, 1, grpc_body, grpc_headers),
            }
            load_before = os.getloadavg()[0]
            rounds = {name: [] for name in runs}
            for _ in range(max(1, args.rounds)):
                for name, run in runs.items():
                    rounds[name].append(run())
            for name, measured in rounds.items():
                measured.sort(key=lambda r: r["throughput_rps"])
                results[name] = {**measured[len(measured) // 2],
                                 "rounds_rps": [r["throughput_rps"] for r in measured]}
            load_after = os.getloadavg()[0]
    finally:
        tern.send_signal(signal.SIGTERM)
        tern.wait(timeout=30)

    report = {"seconds": seconds, "concurrency": args.concurrency, "rounds": args.rounds,
              "cores": os.cpu_count(), "load_average_1m": [load_before, load_after],
              "model": "half_plus_two", "results": results}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "h2c_bench.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'run':22} {'req/s':>9} {'mean ms':>8} {'requests':>9} {'errors':>6}")
    for name, r in results.items():
        print(f"{name:22} {r['throughput_rps']:9.0f} {r['mean_ms']:8.2f} {r['requests']:9d} "
              f"{r['errors']:6d}")
    print(f"wrote {args.out / 'h2c_bench.json'}")
    if any(r["errors"] for r in results.values()):
        sys.exit("h2c_bench: some requests failed")


if __name__ == "__main__":
    main()
