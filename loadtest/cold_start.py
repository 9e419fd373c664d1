"""Cold start: milliseconds from exec of build/tern to its first successful predict.

Starts the server N times on free ports, polls REST :predict as fast as it can answer, and
records the time of the first 200 with the expected answer. Also records the RSS of the idle
server with the model loaded and the binary size. Writes JSON and a short table.

    .venv/bin/python loadtest/cold_start.py [--runs 10] [--model half_plus_two|taxi_fare]
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MODELS = {
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


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def one_run(binary, model, base_path, body, timeout_s=30):
    rest, grpc = free_port(), free_port()
    url = f"http://127.0.0.1:{rest}/v1/models/{model}:predict"
    data = json.dumps(body).encode()
    start = time.perf_counter()
    proc = subprocess.Popen([str(binary), f"--port={grpc}", f"--rest_api_port={rest}",
                             f"--model_name={model}", f"--model_base_path={base_path}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < timeout_s:
            try:
                req = urllib.request.Request(url, data=data, method="POST")
                with urllib.request.urlopen(req, timeout=5) as r:
                    if r.status == 200:
                        elapsed_ms = (time.perf_counter() - start) * 1000
                        json.loads(r.read())
                        time.sleep(0.2)
                        return elapsed_ms, rss_kib(proc.pid)
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.0005)
        raise RuntimeError("server never answered")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--model", choices=sorted(MODELS), default="half_plus_two")
    parser.add_argument("--binary", default=str(ROOT / "build/tern"))
    parser.add_argument("--out", default=str(ROOT / "loadtest/results"))
    args = parser.parse_args()
    base_path, body = MODELS[args.model]
    times, rss = [], []
    for _ in range(args.runs):
        ms, kib = one_run(args.binary, args.model, base_path, body)
        times.append(ms)
        rss.append(kib)
    times.sort()
    result = {
        "scenario": "cold_start",
        "model": args.model,
        "runs": args.runs,
        "exec_to_first_predict_ms": {
            "median": statistics.median(times),
            "p90": times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))],
            "min": times[0], "max": times[-1], "all": times},
        "idle_rss_mib_after_first_predict": statistics.median(rss) / 1024,
        "binary_size_mib": os.path.getsize(args.binary) / 2**20,
        "load_average_1m": os.getloadavg()[0],
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"cold_start_{args.model}.json").write_text(json.dumps(result, indent=2))
    t = result["exec_to_first_predict_ms"]
    print(f"| model | runs | median ms | p90 ms | min ms | RSS MiB | binary MiB |")
    print(f"|---|---|---|---|---|---|---|")
    print(f"| {args.model} | {args.runs} | {t['median']:.1f} | {t['p90']:.1f} | {t['min']:.1f} | "
          f"{result['idle_rss_mib_after_first_predict']:.1f} | {result['binary_size_mib']:.1f} |")


if __name__ == "__main__":
    main()
