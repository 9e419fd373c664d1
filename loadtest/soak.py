"""Soak: mixed traffic for minutes while versions are hot-swapped and the config is reloaded.

One build/tern with batching on serves, from a --model_config_file polled every second:
half_plus_two (its base path gets a new version directory every --interval seconds, copied in
under a staging name and renamed, and the version two back deleted) and half_plus_three (left
alone). Every --interval seconds, offset by half an interval from the swaps, the config file is
rewritten with a third model added or removed, so the server reloads its config under load.

Clients (closed loop, each pausing 2 ms between requests), every answer checked:
REST /v1 :predict and gRPC Predict to half_plus_two (x=1 -> 2.5), KServe v2 REST infer and
gRPC Predict to half_plus_three (x=1 -> 3.5).

Every second: the server's RSS, threads and open fds. Pass: no failed request, RSS at the end
within 5% of RSS after the first interval (warm-up), no growth in threads or fds.

    .venv/bin/python loadtest/soak.py [--minutes 10] [--interval 30] [--out loadtest/results]
    .venv/bin/python loadtest/soak.py --quick --out build/loadtest-smoke   # 30 s, test.sh
Writes soak.json and soak.png into --out, prints a table, exits 1 when a criterion fails.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "loadtest"))
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from drivers import free_port  # noqa: E402
from load_clients import _first_float, copy_atomically  # noqa: E402
from overload import Sampler, grpc_predict_request  # noqa: E402

import grpc  # noqa: E402
import requests  # noqa: E402
from tensorflow_serving.apis import predict_pb2  # noqa: E402

TESTDATA = ROOT.parent / "shared" / "testdata" / "tf_serving"
HALF_PLUS_TWO = TESTDATA / "saved_model_half_plus_two_cpu" / "00000123"
HALF_PLUS_THREE = TESTDATA / "saved_model_half_plus_three" / "00000123"
BATCHING = ("max_batch_size { value: 8 } batch_timeout_micros { value: 2000 } "
            "max_enqueued_batches { value: 1000 } num_batch_threads { value: 2 }")


def config_text(models, with_extra):
    entries = [("half_plus_two", models / "half_plus_two"),
               ("half_plus_three", models / "half_plus_three")]
    if with_extra:
        entries.append(("extra", models / "extra"))
    body = "".join(f'  config {{ name: "{n}" base_path: "{p}" model_platform: "tensorflow" }}\n'
                   for n, p in entries)
    return "model_config_list {\n" + body + "}\n"


def write_atomically(path, text):
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.rename(tmp, path)


class Clients:
    """Closed-loop client threads, one per kind; every answer is checked."""

    KINDS = ("rest_v1", "grpc_two", "rest_v2", "grpc_three")

    def __init__(self, rest_port, grpc_port):
        self.rest = f"http://127.0.0.1:{rest_port}"
        self.grpc_target = f"127.0.0.1:{grpc_port}"
        self.stop_event = threading.Event()
        self.ok = {k: 0 for k in self.KINDS}
        self.failures = []  # (time, kind, what)
        self.latencies = {k: [] for k in self.KINDS}
        self.threads = [threading.Thread(target=self._run, args=(k,), daemon=True)
                        for k in self.KINDS]

    def _check(self, kind, call):
        t0 = time.perf_counter()
        try:
            what = call()
        except Exception as e:  # noqa: BLE001 - every failure is recorded, whatever it is
            what = repr(e)
        dt = time.perf_counter() - t0
        if what is None:
            self.ok[kind] += 1
            self.latencies[kind].append(dt)
        else:
            self.failures.append((time.time(), kind, what[:300]))

    def _run(self, kind):
        session = requests.Session()
        channel = grpc.insecure_channel(self.grpc_target)
        predict = channel.unary_unary("/tensorflow.serving.PredictionService/Predict")
        two = grpc_predict_request("half_plus_two", [1.0])
        three = grpc_predict_request("half_plus_three", [1.0])

        def rest_v1():
            r = session.post(f"{self.rest}/v1/models/half_plus_two:predict",
                             json={"instances": [1.0]}, timeout=30)
            if r.status_code != 200 or r.json()["predictions"] != [2.5]:
                return f"HTTP {r.status_code}: {r.text}"

        def rest_v2():
            r = session.post(f"{self.rest}/v2/models/half_plus_three/infer",
                             json={"inputs": [{"name": "x", "shape": [1], "datatype": "FP32",
                                               "data": [1.0]}]}, timeout=30)
            if r.status_code != 200 or r.json()["outputs"][0]["data"] != [3.5]:
                return f"HTTP {r.status_code}: {r.text}"

        def grpc_call(request, expected):
            def call():
                reply = predict_pb2.PredictResponse.FromString(predict(request, timeout=30))
                value = _first_float(reply.outputs["y"])
                if value != expected:
                    return f"gRPC answer {value}, expected {expected}"
            return call

        call = {"rest_v1": rest_v1, "rest_v2": rest_v2,
                "grpc_two": grpc_call(two, 2.5), "grpc_three": grpc_call(three, 3.5)}[kind]
        while not self.stop_event.is_set():
            self._check(kind, call)
            time.sleep(0.002)
        channel.close()

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=60)


def start_server(work, config, batching, log_path):
    grpc_port, rest_port = free_port(), free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [str(ROOT / "build/tern"), f"--port={grpc_port}", f"--rest_api_port={rest_port}",
         f"--model_config_file={config}", "--model_config_file_poll_wait_seconds=1",
         "--file_system_poll_wait_seconds=1", "--enable_batching",
         f"--batching_parameters_file={batching}"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"tern exited: {Path(log_path).read_text()}")
        try:
            if all(requests.get(f"http://127.0.0.1:{rest_port}/v1/models/{m}", timeout=1).ok
                   for m in ("half_plus_two", "half_plus_three")):
                return proc, rest_port, grpc_port
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError("tern not ready")


def plot(samples, events, path):
    sys.path.append(str(ROOT / "loadtest/.tools/py"))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    t = [s["t"] for s in samples]
    for ax, key, title in zip(axes, ("rss_mb", "threads", "fds"),
                              ("RSS (MB)", "threads", "open fds")):
        ax.plot(t, [s[key] for s in samples], color="C0")
        for e in events:
            ax.axvline(e["t"], color="C1" if e["what"] == "swap" else "C2", alpha=0.25)
        ax.set_title(f"{title}; orange: hot swap, green: config reload")
        ax.set_xlabel("s")
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--interval", type=float, default=30.0,
                    help="seconds between hot swaps (and between config reloads)")
    ap.add_argument("--quick", action="store_true", help="30 s, a swap and a reload every 6 s")
    ap.add_argument("--out", default=str(ROOT / "loadtest/results"))
    args = ap.parse_args()
    if args.quick:
        args.minutes, args.interval = 0.5, 6.0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="tern-soak-"))
    models = work / "models"
    for name, src in (("half_plus_two", HALF_PLUS_TWO), ("half_plus_three", HALF_PLUS_THREE),
                      ("extra", HALF_PLUS_THREE)):
        shutil.copytree(src, models / name / "1")
    config = work / "models.config"
    write_atomically(config, config_text(models, with_extra=False))
    batching = work / "batching.txt"
    batching.write_text(BATCHING)
    proc, rest_port, grpc_port = start_server(work, config, batching, out / "soak-tern.log")
    sampler = Sampler(proc.pid)
    clients = Clients(rest_port, grpc_port)
    events, version, with_extra = [], 1, False
    start = time.monotonic()
    duration = args.minutes * 60
    clients.start()
    try:
        next_swap, next_reload = start + args.interval, start + args.interval * 1.5
        while time.monotonic() - start < duration:
            now = time.monotonic()
            if now >= next_swap:
                version += 1
                copy_atomically(HALF_PLUS_TWO, models / "half_plus_two", version)
                old = models / "half_plus_two" / str(version - 2)
                if old.exists():
                    shutil.rmtree(old)
                events.append({"t": round(now - sampler.t0, 1), "what": "swap",
                               "version": version})
                next_swap += args.interval
            if now >= next_reload:
                with_extra = not with_extra
                write_atomically(config, config_text(models, with_extra))
                events.append({"t": round(now - sampler.t0, 1), "what": "reload",
                               "extra": with_extra})
                next_reload += args.interval
            time.sleep(0.05)
    finally:
        clients.stop()
        sampler.stop()
        alive = proc.poll() is None
        proc.terminate()
        proc.wait(timeout=30)
    samples = sampler.samples
    warm = [s for s in samples if s["t"] >= args.interval]
    first = warm[: max(1, len(warm) // 10)]
    last = warm[-max(1, len(warm) // 10):]
    med = lambda xs, k: statistics.median(s[k] for s in xs)  # noqa: E731
    rss_growth = (med(last, "rss_mb") - med(first, "rss_mb")) / med(first, "rss_mb")
    ok_total = sum(clients.ok.values())
    summary = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(), "load_average_at_end": os.getloadavg(),
        "seconds": duration, "interval_s": args.interval,
        "swaps": sum(1 for e in events if e["what"] == "swap"),
        "reloads": sum(1 for e in events if e["what"] == "reload"),
        "requests_ok": clients.ok, "requests_ok_total": ok_total,
        "requests_per_s": round(ok_total / duration, 1),
        "p99_ms": {k: round(1000 * sorted(v)[int(0.99 * (len(v) - 1))], 2) if v else None
                   for k, v in clients.latencies.items()},
        "failed": len(clients.failures), "failures_first": clients.failures[:10],
        "rss_mb_after_warmup": med(first, "rss_mb"), "rss_mb_end": med(last, "rss_mb"),
        "rss_growth": round(rss_growth, 4),
        "threads_after_warmup": max(s["threads"] for s in first),
        "threads_end": max(s["threads"] for s in last),
        "threads_max": max(s["threads"] for s in warm),
        "fds_after_warmup": max(s["fds"] for s in first), "fds_end": max(s["fds"] for s in last),
        "fds_max": max(s["fds"] for s in warm),
        "server_survived": alive, "events": events, "samples": samples}
    (out / "soak.json").write_text(json.dumps(summary, indent=1))
    plot(samples, events, out / "soak.png")
    shutil.rmtree(work, ignore_errors=True)
    print("| seconds | swaps | reloads | requests OK (rest v1 / grpc / v2 / grpc) | failed | "
          "RSS MB warm -> end | threads warm -> end (max) | fds warm -> end (max) |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {duration:.0f} | {summary['swaps']} | {summary['reloads']} | "
          f"{ok_total} ({' / '.join(str(clients.ok[k]) for k in Clients.KINDS)}) | "
          f"{summary['failed']} | {summary['rss_mb_after_warmup']} -> {summary['rss_mb_end']} "
          f"({rss_growth:+.1%}) | {summary['threads_after_warmup']} -> {summary['threads_end']} "
          f"({summary['threads_max']}) | {summary['fds_after_warmup']} -> {summary['fds_end']} "
          f"({summary['fds_max']}) |")
    print(f"wrote {out / 'soak.json'} and {out / 'soak.png'}")
    bad = []
    if clients.failures:
        bad.append(f"{len(clients.failures)} failed requests, first: {clients.failures[:3]}")
    if rss_growth >= 0.05:
        bad.append(f"RSS grew {rss_growth:.1%}")
    if summary["threads_end"] > summary["threads_after_warmup"]:
        bad.append("threads grew")
    if summary["fds_end"] > summary["fds_after_warmup"]:
        bad.append("fds grew")
    if not alive:
        bad.append("the server exited")
    if bad:
        print("FAILED: " + "; ".join(bad))
        sys.exit(1)


if __name__ == "__main__":
    main()
