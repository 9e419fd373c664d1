"""Speed of the wire formats, side by side in one run.

1. Codec, one core (build/loadtest/wire_formats_bench): JSON decode of a 1M-element float tensor
   (Tern's REST codec, nlohmann SAX, simdjson On Demand), JSON encode (Tern's codec, std::to_chars
   shortest round trip) and the gRPC path (PredictRequest with tensor_content -> Tensor), in MB/s.
2. Requests/s for half_plus_two at 64 connections: REST :predict (wrk), gRPC Predict
   (perf_analyzer --service-kind=tfserving), v2 infer over gRPC and HTTP (perf_analyzer triton
   kind), and nginx answering a static JSON reply of the same size as Tern's (same wrk settings):
   the HTTP/1.1 ceiling of this machine. Each ratio is against that nginx figure.
Writes results/wire_formats.json, .md (table) and .png. Traffic goes to 127.0.0.1 only.

    ninja -C build tern wire_formats_bench && .venv/bin/python loadtest/wire_formats.py
    .venv/bin/python loadtest/wire_formats.py --quick --out build/loadtest-smoke   # CI smoke
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import drivers  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = ROOT.parent / "shared/testdata/tf_serving/saved_model_half_plus_two_cpu"
BENCH = ROOT / "build/loadtest/wire_formats_bench"
BODY = {"instances": [1.0, 2.0, 5.0]}
NGINX_CONF = """
worker_processes {workers};
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      default_type application/json;
      return 200 '{reply}';
    }}
  }}
}}
"""


def codec(quick):
    if not BENCH.exists():
        raise SystemExit(f"{BENCH} is missing: ninja -C build wire_formats_bench")
    args = [str(BENCH), "--benchmark_format=json"]
    if quick:
        args.append("--benchmark_min_time=0.01")
    out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=600)
    report = json.loads(out.stdout)
    # Google Benchmark divides by CPU time: MB/s of one core even when the machine is busy.
    return {b["name"].removeprefix("BM_"): {"mb_per_s": b["bytes_per_second"] / 1e6,
                                             "cpu_ms_per_op": b["cpu_time"],
                                             "wall_ms_per_op": b["real_time"]}
            for b in report["benchmarks"]}


class Nginx:
    """nginx from Debian with a temporary config: one location answering `reply`."""

    def __init__(self, reply, workers, tmp):
        exe = shutil.which("nginx") or "/usr/sbin/nginx"
        self.port = drivers.free_port()
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(workers=workers, tmp=tmp, port=self.port,
                                          reply=reply.replace("'", "\\'")))
        self.proc = subprocess.Popen([exe, "-p", tmp, "-e", f"{tmp}/error.log", "-c", str(conf),
                                      "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}/"
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url, timeout=1) as r:
                    if r.read().decode() == reply:
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not start: {(Path(tmp) / 'error.log').read_text()}")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def requests_per_second(quick, concurrency, tmp):
    seconds = 1 if quick else 5
    bin_dir = drivers.tools_bin()
    threads = os.cpu_count() or 2
    server = drivers.Server("half_plus_two", MODEL_DIR, [f"--rest_api_num_threads={threads}"],
                            log_dir=tmp)
    nginx = None
    try:
        req = urllib.request.Request(
            f"http://127.0.0.1:{server.rest_port}/v1/models/half_plus_two:predict",
            data=json.dumps(BODY).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            reply = r.read().decode()
        nginx = Nginx(reply, threads, tmp)
        input_json = Path(tmp) / "input.json"
        input_json.write_text(json.dumps({"data": [{"x": {"content": BODY["instances"],
                                                          "shape": [3, 1]}}]}))
        pa = dict(concurrency=concurrency, seconds=seconds, attempts=2, stability_percentage=1000)
        results = {
            "nginx_static": drivers.wrk(None, concurrency, seconds, BODY, url=nginx.url),
            "rest_predict": drivers.wrk(server, concurrency, seconds, BODY),
            "grpc_predict": drivers.perf_analyzer(bin_dir, server, input_json=input_json,
                                                  shape="x:3,1", **pa),
            "v2_grpc": drivers.perf_analyzer(bin_dir, server, service_kind="triton",
                                             protocol="grpc", **pa),
            "v2_http": drivers.perf_analyzer(bin_dir, server, service_kind="triton",
                                             protocol="http", **pa),
        }
        results["reply_bytes"] = len(reply)
        return results
    finally:
        if nginx:
            nginx.stop()
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short smoke run, no plot")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--out", default=str(ROOT / "loadtest/results"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    report = {"cores": os.cpu_count(), "load_average_before": load_before,
              "codec": codec(args.quick)}
    with tempfile.TemporaryDirectory() as tmp:
        report["requests"] = requests_per_second(args.quick, args.concurrency, tmp)
    report["load_average_after"] = os.getloadavg()
    c, r = report["codec"], report["requests"]
    ceiling = r["nginx_static"]["throughput_rps"]
    lines = [f"cores {report['cores']}, load average before {load_before[0]:.1f}, "
             f"after {report['load_average_after'][0]:.1f}", "",
             "| codec (1M float32, one core) | MB/s | CPU ms/op |", "|---|---|---|"]
    lines += [f"| {name} | {v['mb_per_s']:.0f} | {v['cpu_ms_per_op']:.1f} |" for name, v in c.items()]
    lines += ["", f"| half_plus_two, {args.concurrency} connections | req/s | p99 ms | vs nginx |",
              "|---|---|---|---|"]
    for name in ["nginx_static", "rest_predict", "grpc_predict", "v2_grpc", "v2_http"]:
        v = r[name]
        lines.append(f"| {name} | {v['throughput_rps']:.0f} | {v['p99_ms']:.2f} | "
                     f"{v['throughput_rps'] / ceiling:.2f} |")
    table = "\n".join(lines)
    print(table)
    (out / "wire_formats.json").write_text(json.dumps(report, indent=1))
    (out / "wire_formats.md").write_text(table + "\n")
    if not args.quick:
        plot(report, out / "wire_formats.png", args.concurrency)


def plot(report, path, concurrency):
    sys.path.insert(0, str(ROOT / "loadtest/.tools/py"))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5))
    names = list(report["codec"])
    a.barh(names, [report["codec"][n]["mb_per_s"] for n in names], color="tab:blue")
    a.set_xscale("log")
    a.axvline(300, color="tab:red", linestyle="--", label="decode target 300 MB/s")
    a.set_xlabel("MB/s of wire bytes, one core (1M float32)")
    a.legend()
    kinds = ["nginx_static", "rest_predict", "grpc_predict", "v2_grpc", "v2_http"]
    b.bar(kinds, [report["requests"][k]["throughput_rps"] for k in kinds], color="tab:green")
    b.set_ylabel(f"requests/s at {concurrency} connections")
    b.tick_params(axis="x", rotation=20)
    fig.suptitle(f"Wire formats (load average {report['load_average_before'][0]:.1f} before)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
