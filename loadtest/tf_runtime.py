"""Tern's runtime against the TensorFlow runtime (docs/tensorflow_runtime.md), side by side.

For each model, starts build/tern once per runtime (--runtime=tern, --runtime=tensorflow) and
measures, in the same run: cold start (exec to the first successful REST predict, polled as fast
as it answers), the idle server's RSS after the timed requests, and per-row latency (median of
sequential single-row predicts, and of 32-row predicts divided by 32). Writes JSON and a Markdown
table into --out.

    .venv/bin/python loadtest/tf_runtime.py [--requests 200] [--out build/tf_runtime]

--baseline_binary=PATH also runs the tensorflow runtime with another tern binary (e.g. one built
before a change to the runtime), alternating with build/tern --rounds times, so the two compare
in one run; its rows are labelled "tensorflow (baseline)".
"""
import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "loadtest"))
import drivers  # noqa: E402

# name -> (base path, input name, one row's shape)
MODELS = {
    "mlp": (ROOT / "tests/models/mlp/model", "x", [256]),
    "small_resnet": (ROOT / "tests/models/zoo_tf2_15/small_resnet", "image", [32, 32, 3]),
    "transformer_block": (ROOT / "tests/models/zoo_tf2_15/transformer_block", "seq", [6, 16]),
    "resnet50": (ROOT / "build/apps/resnet50", "image", [32, 32, 3]),
}


def row(shape, seed):
    n = 1
    for d in shape:
        n *= d
    flat = [((i * 7919 + seed) % 1000) / 1000.0 for i in range(n)]

    def nest(values, dims):
        if len(dims) == 1:
            return values
        step = len(values) // dims[0]
        return [nest(values[i * step:(i + 1) * step], dims[1:]) for i in range(dims[0])]
    return nest(flat, shape)


def predict(port, model, body, timeout=30):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/models/{model}:predict",
                                     data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as r:
        return r.read()


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(model, base, input_name, shape, runtime, requests, binary=ROOT / "build/tern"):
    grpc_port, rest_port = drivers.free_port(), drivers.free_port()
    one = json.dumps({"inputs": {input_name: [row(shape, 0)]}}).encode()
    batch = json.dumps({"inputs": {input_name: [row(shape, s) for s in range(32)]}}).encode()
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(binary), f"--port={grpc_port}", f"--rest_api_port={rest_port}",
         f"--model_name={model}", f"--model_base_path={base}", f"--runtime={runtime}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"tern --runtime={runtime} exited")
            try:
                predict(rest_port, model, one, timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.002)
        cold_ms = (time.monotonic() - started) * 1000
        for _ in range(20):
            predict(rest_port, model, one)
            predict(rest_port, model, batch)
        singles, batches = [], []
        for _ in range(requests):
            t = time.perf_counter()
            predict(rest_port, model, one)
            singles.append((time.perf_counter() - t) * 1000)
        for _ in range(max(requests // 4, 10)):
            t = time.perf_counter()
            predict(rest_port, model, batch)
            batches.append((time.perf_counter() - t) * 1000 / 32)
        return {"cold_start_ms": round(cold_ms, 1), "rss_mb": round(rss_mb(proc.pid), 1),
                "row_ms_single": round(statistics.median(singles), 3),
                "row_ms_batch32": round(statistics.median(batches), 3)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--out", default=str(ROOT / "build/tf_runtime"))
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--baseline_binary", default="")
    parser.add_argument("--rounds", type=int, default=1,
                        help="with --baseline_binary: alternations; medians are reported")
    args = parser.parse_args()
    results = {}
    for model in args.models.split(","):
        base, input_name, shape = MODELS[model]
        if not base.exists():
            print(f"{model}: {base} missing, skipped")
            continue
        if not args.baseline_binary:
            results[model] = {rt: measure(model, base, input_name, shape, rt, args.requests)
                              for rt in ("tern", "tensorflow")}
            continue
        runs = {"tern": [], "tensorflow": [], "tensorflow (baseline)": []}
        for _ in range(args.rounds):
            for label, rt, binary in (("tern", "tern", ROOT / "build/tern"),
                                      ("tensorflow (baseline)", "tensorflow",
                                       Path(args.baseline_binary)),
                                      ("tensorflow", "tensorflow", ROOT / "build/tern")):
                runs[label].append(measure(model, base, input_name, shape, rt, args.requests,
                                           binary))
        results[model] = {label: {k: round(statistics.median(r[k] for r in rs), 3)
                                  for k in rs[0]} for label, rs in runs.items()}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tf_runtime.json").write_text(json.dumps(results, indent=2))
    lines = ["| model | runtime | cold start (ms) | RSS (MB) | ms/row, 1-row requests | "
             "ms/row, 32-row requests |", "|---|---|---|---|---|---|"]
    for model, by_runtime in results.items():
        for rt, r in by_runtime.items():
            lines.append(f"| {model} | {rt} | {r['cold_start_ms']} | {r['rss_mb']} | "
                         f"{r['row_ms_single']} | {r['row_ms_batch32']} |")
    table = "\n".join(lines)
    (out / "tf_runtime.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
