"""Scale 0..N inside one running Tern: the first request to a model at zero instances vs a warm
request (side by side, same process, same run), and the RSS of an idle Tern with every model at
zero vs every model loaded.

Latency: one Tern serves taxi_fare and half_plus_two with min_instances 0 and
idle_unload_seconds 1. Each round waits until the model is back at zero (status START), times
one REST predict (cold: the load happens inside it) and then one more (warm). Median/p90 over
--rounds rounds per model.

Memory: a second Tern serves several models (taxi_fare, half_plus_two, mlp and TensorFlow-
exported real models) with min_instances 0. RSS is read when idle at zero, after a metadata
request has loaded every model, and after they all scaled back to zero; a third Tern with the
same models always loaded (TF Serving's behaviour) gives the baseline.

All traffic goes to 127.0.0.1; counts and time are bounded. Writes JSON, a table and a PNG into
loadtest/results/.

    .venv/bin/python loadtest/scale_from_zero.py [--rounds 20]
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "loadtest"))
import drivers  # noqa: E402
SHARED = ROOT.parent / "shared"
LATENCY_MODELS = drivers.STARTUP_MODELS
MEMORY_MODELS = {
    "half_plus_two": SHARED / "testdata/tf_serving/saved_model_half_plus_two_cpu",
    "taxi_fare": ROOT / "models/taxi_fare",
    "mlp": ROOT / "tests/models/mlp/model",
    "mlnet_cifar": SHARED / "testdata/real_models/mlnet_cifar_saved_model",
    "keras_1_13": SHARED / "testdata/real_models/tfdeploy_keras-1.13.1",
    "tf_mnist": SHARED / "testdata/real_models/tfdeploy_inst_tensorflow-mnist",
    "cppflow_multi": SHARED / "testdata/real_models/cppflow_multi_input_output",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def http(url, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        text = r.read()
        return r.status, json.loads(text) if text.strip() else None


def wait_for(predicate, timeout_s, what):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            if predicate():
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.02)
    raise RuntimeError(f"timed out waiting for {what}")


class Tern:
    def __init__(self, binary, models, extra, tmp):
        self.rest = free_port()
        config = Path(tmp) / f"models-{self.rest}.config"
        config.write_text("model_config_list {\n" + "".join(
            f'config {{ name: "{n}" base_path: "{p}" model_platform: "tensorflow" {extra} }}\n'
            for n, p in models.items()) + "}\n")
        self.proc = subprocess.Popen(
            [str(binary), f"--port={free_port()}", f"--rest_api_port={self.rest}",
             f"--model_config_file={config}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.rest}"
        try:
            wait_for(lambda: http(f"{self.url}/v2/health/ready")[0] == 200, 60, "readiness")
        except BaseException:
            self.stop()
            raise

    def state(self, model):
        return http(f"{self.url}/v1/models/{model}")[1]["model_version_status"][0]["state"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def summary(values):
    return {"median": statistics.median(values), "p90": percentile(values, 0.9),
            "min": min(values), "max": max(values), "all": values}


def latency(binary, rounds, tmp):
    tern = Tern(binary, {m: p for m, (p, _) in LATENCY_MODELS.items()},
                "min_instances: 0 idle_unload_seconds: 1", tmp)
    out = {}
    try:
        for model, (_, body) in LATENCY_MODELS.items():
            url = f"{tern.url}/v1/models/{model}:predict"
            cold, warm = [], []
            for _ in range(rounds):
                wait_for(lambda: tern.state(model) == "START", 30, f"{model} at zero")
                start = time.perf_counter()
                assert http(url, body)[0] == 200
                cold.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                assert http(url, body)[0] == 200
                warm.append((time.perf_counter() - start) * 1000)
            out[model] = {"first_request_at_zero_ms": summary(cold), "warm_request_ms": summary(warm),
                          "cold_over_warm_median": statistics.median(cold) / statistics.median(warm)}
    finally:
        tern.stop()
    return out


def memory(binary, tmp):
    models = {}
    for name, source in MEMORY_MODELS.items():
        dest = Path(tmp) / "memory" / name
        shutil.copytree(source, dest)
        models[name] = dest
    out = {"models": sorted(models)}
    tern = Tern(binary, models, "min_instances: 0 idle_unload_seconds: 2", tmp)
    try:
        time.sleep(1)
        out["idle_all_at_zero_mib"] = rss_mib(tern.proc.pid)
        for name in models:
            assert http(f"{tern.url}/v1/models/{name}/metadata")[0] == 200  # loads it
        time.sleep(0.5)
        out["all_loaded_on_demand_mib"] = rss_mib(tern.proc.pid)
        for name in models:
            wait_for(lambda: tern.state(name) == "START", 30, f"{name} back at zero")
        time.sleep(0.5)
        out["after_idle_unload_mib"] = rss_mib(tern.proc.pid)
    finally:
        tern.stop()
    pinned = Tern(binary, models, "", tmp)
    try:
        time.sleep(1)
        out["always_loaded_baseline_mib"] = rss_mib(pinned.proc.pid)
    finally:
        pinned.stop()
    return out


def plot(result, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    models = list(result["latency"])
    x = range(len(models))
    for offset, key, label in ((-0.2, "first_request_at_zero_ms", "first request at zero"),
                               (0.2, "warm_request_ms", "warm request")):
        med = [result["latency"][m][key]["median"] for m in models]
        p90 = [result["latency"][m][key]["p90"] for m in models]
        left.bar([i + offset for i in x], med, 0.4, label=f"{label} (median)")
        left.scatter([i + offset for i in x], p90, marker="_", s=400, color="black")
    left.set_xticks(list(x), models)
    left.set_ylabel("ms (bar: median, tick: p90)")
    left.set_title(f"REST predict in one running Tern ({result['rounds']} rounds)")
    left.legend()
    mem = result["memory"]
    keys = ["idle_all_at_zero_mib", "all_loaded_on_demand_mib", "after_idle_unload_mib",
            "always_loaded_baseline_mib"]
    right.bar(range(len(keys)), [mem[k] for k in keys],
              color=["tab:green", "tab:orange", "tab:green", "tab:gray"])
    right.set_xticks(range(len(keys)), ["idle, all at zero", "all loaded\n(on demand)",
                                        "after idle\nunload", "always loaded\n(baseline)"])
    right.set_ylabel("RSS MiB")
    right.set_title(f"Tern RSS, {len(mem['models'])} models")
    fig.suptitle(f"scale 0..N (load average {result['load_average_1m']:.1f})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--binary", default=str(ROOT / "build/tern"))
    parser.add_argument("--out", default=str(ROOT / "loadtest/results"))
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        result = {"scenario": "scale_from_zero", "rounds": args.rounds,
                  "latency": latency(args.binary, args.rounds, tmp),
                  "memory": memory(args.binary, tmp)}
    result["load_average_1m"] = max(load_before, os.getloadavg()[0])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale_from_zero.json").write_text(json.dumps(result, indent=2))
    plot(result, out / "scale_from_zero.png")
    print("| model | first request at zero: median / p90 ms | warm: median / p90 ms | ratio |")
    print("|---|---|---|---|")
    for model, r in result["latency"].items():
        c, w = r["first_request_at_zero_ms"], r["warm_request_ms"]
        print(f"| {model} | {c['median']:.1f} / {c['p90']:.1f} | {w['median']:.2f} / "
              f"{w['p90']:.2f} | {r['cold_over_warm_median']:.0f}x |")
    m = result["memory"]
    print(f"\nRSS MiB ({len(m['models'])} models): idle at zero {m['idle_all_at_zero_mib']:.1f}, "
          f"all loaded on demand {m['all_loaded_on_demand_mib']:.1f}, after idle unload "
          f"{m['after_idle_unload_mib']:.1f}, always loaded {m['always_loaded_baseline_mib']:.1f}"
          f"; load average {result['load_average_1m']:.1f}")


if __name__ == "__main__":
    main()
