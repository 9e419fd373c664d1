"""Hot swap under load: how fast a new version answers, what a swap does to latency, and
whether memory comes back after an unload.

Phase 1 (latency): build/tern serves half_plus_two as version 1 while 8 clients (4 REST,
4 gRPC, on 127.0.0.1) send x=[1.0] in a loop. Versions alternating half_plus_three and
half_plus_two are renamed into the base path one after the other, each followed by deleting
the old one. Per swap: ms from the rename to the first request answered by the new version,
and to every client answering from it. Latency percentiles of requests sent during a swap
(rename .. all switched + 0.5 s) against those sent in steady state, in the same run.

Phase 2 (memory): a model with a large variable (--big_mb, exported by TensorFlow once into
loadtest/results/models/) is swapped for another copy of itself under light load; RSS of the
server is sampled every 20 ms before, during and after the old version is unloaded.

    .venv/bin/python loadtest/hot_swap.py [--swaps 6] [--big_mb 128] [--steady_s 2]
Writes loadtest/results/hot_swap.json and hot_swap.png and prints a short table.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import requests  # noqa: E402

from load_clients import LoadClients, copy_atomically  # noqa: E402

TF_SERVING = ROOT.parent / "shared" / "testdata" / "tf_serving"
HALF_PLUS_TWO = TF_SERVING / "saved_model_half_plus_two_2_versions" / "00000123"
HALF_PLUS_THREE = TF_SERVING / "saved_model_half_plus_three" / "00000123"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Server:
    def __init__(self, binary, model, base, log_path):
        self.rest_port, self.grpc_port = free_port(), free_port()
        self.rest = f"http://127.0.0.1:{self.rest_port}"
        self.grpc_target = f"127.0.0.1:{self.grpc_port}"
        self.model = model
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(
            [str(binary), f"--port={self.grpc_port}", f"--rest_api_port={self.rest_port}",
             f"--model_name={model}", f"--model_base_path={base}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if "AVAILABLE" in requests.get(f"{self.rest}/v1/models/{model}", timeout=1).text:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server not ready")

    def status(self):
        r = requests.get(f"{self.rest}/v1/models/{self.model}", timeout=5).json()
        return {int(v["version"]): v["state"] for v in r["model_version_status"]}

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()


def percentiles(latencies_s):
    if not latencies_s:
        return {}
    a = np.array(latencies_s) * 1000
    return {"count": int(a.size), "p50_ms": float(np.percentile(a, 50)),
            "p99_ms": float(np.percentile(a, 99)), "max_ms": float(a.max())}


def latency_phase(binary, work, swaps, steady_s):
    base = work / "swap"
    base.mkdir()
    shutil.copytree(HALF_PLUS_TWO, base / "1")
    server = Server(binary, "swap", base, work / "tern-swap.log")
    swap_rows, windows = [], []
    try:
        with LoadClients(server.rest, server.grpc_target, "swap", n_rest=4, n_grpc=4) as load:
            load.wait_until_all_answer(2.5)
            time.sleep(steady_s)
            for i in range(swaps):
                version = i + 2
                source, value = (HALF_PLUS_THREE, 3.5) if i % 2 == 0 else (HALF_PLUS_TWO, 2.5)
                staging_done = time.perf_counter()
                copy_atomically(source, base, version)
                t0 = time.perf_counter()
                load.wait_until_all_answer(value, timeout_s=30)
                all_s = time.perf_counter() - t0
                first = load.first_answer_after(value, t0)
                swap_rows.append({"version": version, "copy_s": t0 - staging_done,
                                  "first_answer_ms": (first - t0) * 1000 if first else None,
                                  "all_clients_ms": all_s * 1000})
                windows.append((t0, t0 + all_s + 0.5))
                shutil.rmtree(base / str(version - 1))
                time.sleep(steady_s)
        records = load.all_records()
        errors = load.errors()
    finally:
        server.stop()

    def in_swap(t):
        return any(a <= t <= b for a, b in windows)

    steady = [r[1] for r in records if r[3] is None and not in_swap(r[0])]
    during = [r[1] for r in records if r[3] is None and in_swap(r[0])]
    return {"swaps": swap_rows, "requests": len(records), "failed_requests": len(errors),
            "errors_sample": errors[:5], "steady": percentiles(steady),
            "during_swap": percentiles(during),
            "timeline": [(r[0], r[1]) for r in records[::max(1, len(records) // 4000)]],
            "windows": windows}


def export_big_model(path, offset, big_mb):
    """y = 0.5 * x + offset, plus a big variable the signature reads one element of."""
    import tensorflow as tf
    n = big_mb * 1024 * 1024 // 4

    class Big(tf.Module):
        def __init__(self):
            self.w = tf.Variable(tf.zeros([n], tf.float32))

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
        def serve(self, x):
            return {"y": x * 0.5 + offset + self.w[0] * 0.0}

    module = Big()
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.serve})


def memory_phase(binary, work, big_mb):
    cache = ROOT / "loadtest" / "results" / "models" / f"big_{big_mb}mb"
    if not (cache / "saved_model.pb").exists():
        shutil.rmtree(cache, ignore_errors=True)
        export_big_model(cache, 2.0, big_mb)
    base = work / "big"
    base.mkdir()
    shutil.copytree(cache, base / "1")
    server = Server(binary, "big", base, work / "tern-big.log")
    samples, stop = [], threading.Event()

    def sample():
        while not stop.is_set():
            samples.append((time.perf_counter(), rss_kib(server.proc.pid)))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    marks = {}
    try:
        with LoadClients(server.rest, server.grpc_target, "big", n_rest=1, n_grpc=1) as load:
            load.wait_until_all_answer(2.5)
            time.sleep(1.0)
            marks["swap_start"] = time.perf_counter()
            copy_atomically(cache, base, 2)
            load.wait_until_all_answer(2.5)
            deadline = time.time() + 30
            while server.status().get(1) != "END" and time.time() < deadline:
                time.sleep(0.02)
            marks["old_version_end"] = time.perf_counter()
            time.sleep(1.5)
            marks["stop"] = time.perf_counter()
        errors = load.errors()
        records = load.all_records()
    finally:
        stop.set()
        sampler.join()
        server.stop()
    # Latency while the big version restores next to the serving one, against before it.
    swap_lat = [r[1] for r in records if r[3] is None and
                marks["swap_start"] <= r[0] <= marks["old_version_end"]]
    steady_lat = [r[1] for r in records if r[3] is None and r[0] < marks["swap_start"]]
    before = [kib for t, kib in samples if t < marks["swap_start"]]
    during = [kib for t, kib in samples if marks["swap_start"] <= t <= marks["old_version_end"]]
    after = [kib for t, kib in samples if marks["old_version_end"] + 0.5 <= t <= marks["stop"]]
    mib = lambda kib: round(kib / 1024, 1)  # noqa: E731
    return {"big_mb": big_mb, "failed_requests": len(errors),
            "rss_before_mib": mib(np.median(before)), "rss_peak_during_mib": mib(max(during)),
            "rss_after_mib": mib(np.median(after)),
            "latency_steady": percentiles(steady_lat), "latency_during_swap": percentiles(swap_lat),
            "samples": [(t - samples[0][0], kib) for t, kib in samples],
            "marks": {k: v - samples[0][0] for k, v in marks.items()}}


def plot(result, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    lat = result["latency"]
    t_start = min(t for t, _ in lat["timeline"])
    ax1.scatter([t - t_start for t, _ in lat["timeline"]], [d * 1000 for _, d in lat["timeline"]],
                s=2, alpha=0.5)
    for a, b in lat["windows"]:
        ax1.axvspan(a - t_start, b - t_start, color="orange", alpha=0.3)
    ax1.set_yscale("log")
    ax1.set_xlabel("time (s)")
    ax1.set_ylabel("request latency (ms)")
    ax1.set_title("8 clients; orange = swap windows")
    mem = result["memory"]
    ax2.plot([t for t, _ in mem["samples"]], [kib / 1024 for _, kib in mem["samples"]])
    for name, t in mem["marks"].items():
        ax2.axvline(t, linestyle="--", color="gray")
        ax2.text(t, ax2.get_ylim()[1] * 0.98, name, rotation=90, va="top", fontsize=8)
    ax2.set_xlabel("time (s)")
    ax2.set_ylabel("RSS (MiB)")
    ax2.set_title(f"swap of a {mem['big_mb']} MB model")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--swaps", type=int, default=6)
    parser.add_argument("--steady_s", type=float, default=2.0)
    parser.add_argument("--big_mb", type=int, default=128)
    parser.add_argument("--binary", default=str(ROOT / "build" / "tern"))
    parser.add_argument("--out", default=str(ROOT / "loadtest" / "results"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        result = {"latency": latency_phase(args.binary, work, args.swaps, args.steady_s),
                  "memory": memory_phase(args.binary, work, args.big_mb)}
    result["machine"] = {"cores": os.cpu_count(), "loadavg_before": load_before,
                         "loadavg_after": os.getloadavg()}
    (out / "hot_swap.json").write_text(json.dumps(result, indent=1))
    plot(result, out / "hot_swap.png")

    lat, mem = result["latency"], result["memory"]
    print(f"requests {lat['requests']}, failed {lat['failed_requests']} "
          f"(memory phase failed {mem['failed_requests']})")
    print("| swap | rename -> first new answer (ms) | rename -> all 8 clients (ms) |")
    print("|---|---|---|")
    for s in lat["swaps"]:
        print(f"| v{s['version']} | {s['first_answer_ms']:.1f} | {s['all_clients_ms']:.1f} |")
    print("| window | requests | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|")
    for name in ("steady", "during_swap"):
        p = lat[name]
        print(f"| {name} | {p['count']} | {p['p50_ms']:.2f} | {p['p99_ms']:.2f} | {p['max_ms']:.1f} |")
    for name in ("latency_steady", "latency_during_swap"):
        p = mem[name]
        print(f"| big model {name[8:]} (2 clients) | {p['count']} | {p['p50_ms']:.2f} | "
              f"{p['p99_ms']:.2f} | {p['max_ms']:.1f} |")
    print(f"RSS ({mem['big_mb']} MB model): before {mem['rss_before_mib']} MiB, peak during swap "
          f"{mem['rss_peak_during_mib']} MiB, after unload {mem['rss_after_mib']} MiB")
    print(f"load average before/after: {load_before} / {result['machine']['loadavg_after']}")
    print(f"wrote {out / 'hot_swap.json'} and {out / 'hot_swap.png'}")


if __name__ == "__main__":
    main()
