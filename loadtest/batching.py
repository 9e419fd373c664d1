"""Batching off vs on, side by side in one run, over gRPC (perf_analyzer) and REST (wrk).

Scenarios (--scenario): "mlp", the MLP of tests/models/mlp (256 -> 3x512 -> 10, input x [1, 256]),
"cnn", the zoo's small_resnet (input image [1, 32, 32, 3]; exported into build/zoo by
tests/models/zoo/export_zoo.py when missing), and "resnet50", keras.applications ResNet50 with
random weights (image [1, 32, 32, 3]; compute-bound; exported into build/apps by
loadtest/keras_apps.py when missing). Per scenario, starts one build/tern per configuration:
  off          no batching
  on_t0        --enable_batching, max_batch_size 64, batch_timeout_micros 0 (TF Serving's advice
               for CPUs: take whatever is queued as soon as a batch thread is free)
  on_t2ms      the same with batch_timeout_micros 2000 (hand-tuned)
  auto_5ms     batch_timeout_micros 0 + --batching_target_latency_ms=5 (Tern chooses the timeout)
and drives each at every concurrency level (closed loop: each client waits for its answer), one
configuration after the other per level so that drift of the shared machine hits them alike, then
over gRPC at fixed request rates (open loop, --rates). Each client request is one row. Every point
also records the CPU time per answered request of the server and of the load driver.
Writes results/batching[_cnn].json, .md (table) and .png.

    .venv/bin/python loadtest/batching.py                 # full MLP: 1, 8, 32, 128; 5 s each
    .venv/bin/python loadtest/batching.py --scenario cnn  # the same on the small CNN
    .venv/bin/python loadtest/batching.py --scenario resnet50  # compute-bound: 1, 8, 32, 64
    .venv/bin/python loadtest/batching.py --quick         # smoke (CI): 1, 8; 1 s each; no plot
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import drivers  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = {
    "mlp": {"model": "mlp", "dir": ROOT / "tests/models/mlp/model", "input": "x", "row": [256],
            "title": "MLP 3x512", "suffix": ""},
    "cnn": {"model": "small_resnet", "dir": ROOT / "build/zoo/small_resnet", "input": "image",
            "row": [32, 32, 3], "title": "small CNN (resnet 32x32)", "suffix": "_cnn"},
    # Compute-bound: keras.applications ResNet50, random weights (loadtest/keras_apps.py).
    "resnet50": {"model": "resnet50", "dir": ROOT / "build/apps/resnet50", "input": "image",
                 "row": [32, 32, 3], "title": "ResNet50 (32x32x3)", "suffix": "_resnet50",
                 "export": "keras_apps", "levels": "1,8,32,64", "rates": "50,100,200"},
}
PARAMS = ("max_batch_size {{ value: 64 }}\nbatch_timeout_micros {{ value: {timeout} }}\n"
          "max_enqueued_batches {{ value: 1000 }}\nnum_batch_threads {{ value: {threads} }}\n")


def configs(tmp, threads):
    def params(timeout):
        path = Path(tmp) / f"batching_{timeout}.txt"
        path.write_text(PARAMS.format(timeout=timeout, threads=threads))
        return f"--batching_parameters_file={path}"
    # REST and gRPC Predict are asynchronous: a request waiting for its batch holds no thread, so
    # every configuration runs with the default REST pool (one thread per core).
    common = []
    return {
        "off": common,
        "on_t0": common + ["--enable_batching", params(0)],
        "on_t2ms": common + ["--enable_batching", params(2000)],
        "auto_5ms": common + ["--enable_batching", params(0), "--batching_target_latency_ms=5"],
    }


def ensure_model(scenario):
    if not scenario["dir"].exists():
        import subprocess
        if scenario.get("export") == "keras_apps":
            # keras.applications under Keras 2 (tf_keras), as the zoo exports it.
            subprocess.run([sys.executable, str(ROOT / "loadtest/keras_apps.py"), "--out",
                            str(scenario["dir"].parent), "--only", scenario["model"]], check=True,
                           env={**os.environ, "TF_USE_LEGACY_KERAS": "1"})
            return
        subprocess.run([sys.executable, str(ROOT / "tests/models/zoo/export_zoo.py"), "--out",
                        str(scenario["dir"].parent), "--only", scenario["model"]], check=True)


def batch_compute_ms(server, scenario, rows=64, calls=20):
    """Median gRPC latency of one `rows`-row request on the unbatched server: an upper bound on
    the compute time of one full batch."""
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc
    stub = prediction_service_pb2_grpc.PredictionServiceStub(
        grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}"))
    req = predict_pb2.PredictRequest()
    req.model_spec.name = server.model
    req.inputs[scenario["input"]].CopyFrom(tf.make_tensor_proto(
        np.random.default_rng(1).standard_normal([rows] + scenario["row"]).astype(np.float32)))
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        stub.Predict(req, timeout=30)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def compute_only_us_per_row(scenario):
    """Per-row compute of the model alone (build/loadtest/cnn_bench: one thread, no server) at
    batch 1 and 64: what batching can save per request at best."""
    import subprocess
    bench = ROOT / "build/loadtest/cnn_bench"
    if not bench.exists():
        return None
    out = subprocess.run([str(bench), f"--model={scenario['dir']}/1", f"--input={scenario['input']}",
                          "--row=" + ",".join(map(str, scenario["row"])), "--benchmark_format=json",
                          "--benchmark_filter=BM_Signature/(1|64)$"],
                         capture_output=True, text=True, check=True, timeout=300)
    rows = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        # The counter is an inverted rate: seconds per row in the JSON.
        rows[b["name"].rsplit("/", 1)[1]] = b["us_per_row"] * 1e6
    return rows


def cpu_table(results, levels):
    lines = ["| proto | concurrency | " + " | ".join(f"{n} server + client" for n in results) + " |",
             "|---|---|" + "---|" * len(results)]
    for proto in ("grpc", "rest"):
        for c in levels:
            cells = []
            for by_proto in results.values():
                r = by_proto.get(proto, {}).get(str(c))
                cells.append("-" if r is None or "server_cpu_us_per_request" not in r else
                             f"{r['server_cpu_us_per_request']:.0f} + {r['client_cpu_us_per_request']:.0f}")
            lines.append(f"| {proto} | {c} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def open_loop_table(results, rates):
    lines = ["| rate/s | " + " | ".join(results) + " |", "|---|" + "---|" * len(results)]
    for rate in rates:
        cells = []
        for r in results.values():
            p = r.get("grpc_open_loop", {}).get(str(rate))
            cells.append("-" if p is None else f"{p['throughput_rps']:.0f} / {p['p50_ms']:.2f} / "
                         f"{p['p99_ms']:.2f} / {p['server_cpu_us_per_request']:.0f}")
        lines.append(f"| {rate} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table(results, levels, compute_ms):
    lines = ["| proto | concurrency | " + " | ".join(f"{n} rps / p50 / p99 ms" for n in results) +
             " | on_t0/off | on_t2ms/off | auto/off |",
             "|---|---|" + "---|" * (len(results) + 3)]
    for proto in ("grpc", "rest"):
        for c in levels:
            cells, rps = [], {}
            for name, by_proto in results.items():
                r = by_proto.get(proto, {}).get(str(c))
                if r is None:
                    cells.append("-")
                    continue
                rps[name] = r["throughput_rps"]
                err = f" ({r['errors']} err)" if r.get("errors") else ""
                cells.append(f"{r['throughput_rps']:.0f} / {r['p50_ms']:.2f} / {r['p99_ms']:.2f}{err}")
            ratios = [f"{rps[n] / rps['off']:.2f}x" if n in rps and rps.get("off") else "-"
                      for n in ("on_t0", "on_t2ms", "auto_5ms")]
            lines.append(f"| {proto} | {c} | " + " | ".join(cells + ratios) + " |")
    lines.append("")
    lines.append(f"One 64-row batch, measured as a single unbatched gRPC request: {compute_ms:.2f} ms "
                 f"(median of 20). p99 bound of the issue for on_t2ms: 2 + 3 x that = "
                 f"{2 + 3 * compute_ms:.2f} ms.")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smoke run for CI")
    ap.add_argument("--levels", default=None, help="comma-separated concurrency levels")
    ap.add_argument("--rates", default=None,
                    help="comma-separated open-loop gRPC request rates (requests/s)")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--stability", type=int, default=None,
                    help="perf_analyzer --stability-percentage (default 100; --quick: any spread); "
                         "a loaded shared machine may need more")
    ap.add_argument("--out", default=str(ROOT / "loadtest/results"))
    ap.add_argument("--scenario", choices=sorted(SCENARIOS), default="mlp")
    args = ap.parse_args()
    scenario = SCENARIOS[args.scenario]
    levels = [int(c) for c in (args.levels or ("1,8" if args.quick else
                                               scenario.get("levels", "1,8,32,128"))).split(",")]
    rates = [int(r) for r in (args.rates or ("1000" if args.quick else
                                             scenario.get("rates", "1000,3000,5000"))).split(",")]
    seconds = args.seconds or (1 if args.quick else 5)
    stability = args.stability or (10000 if args.quick else 100)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    bin_dir = drivers.tools_bin()
    threads = os.cpu_count() or 2
    ensure_model(scenario)
    shape = [1] + scenario["row"]
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    body = {"instances": x.tolist()}
    results, servers = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        input_json = Path(tmp) / "input.json"
        input_json.write_text(json.dumps({"data": [{scenario["input"]: {
            "content": x.flatten().tolist(), "shape": shape}}]}))
        try:
            for name, flags in configs(tmp, threads).items():
                servers[name] = drivers.Server(scenario["model"], scenario["dir"], flags, log_dir=tmp)
                results[name] = {"grpc": {}, "rest": {}, "grpc_open_loop": {}, "flags": flags}
            compute_ms = batch_compute_ms(servers["off"], scenario)
            for c in levels:
                for name, server in servers.items():
                    results[name]["grpc"][str(c)] = drivers.with_cpu(server, lambda: drivers.perf_analyzer(
                        bin_dir, server, c, seconds, input_json,
                        f"{scenario['input']}:" + ",".join(map(str, shape)),
                        # The smoke checks that it runs; a noisy CI machine rarely gives stable
                        # windows in 1 s, so the quick form accepts any spread.
                        stability_percentage=stability))
                    results[name]["rest"][str(c)] = drivers.with_cpu(
                        server, lambda: drivers.wrk(server, c, int(seconds), body))
                    print(f"{name:9s} c={c:4d} grpc {results[name]['grpc'][str(c)]['throughput_rps']:8.0f} rps"
                          f"  rest {results[name]['rest'][str(c)]['throughput_rps']:8.0f} rps", flush=True)
            # Open loop (requests at a fixed rate, as real traffic arrives, rather than each client
            # waiting for its answer): here a wait costs latency but saves CPU per request.
            for rate in rates:
                for name, server in servers.items():
                    try:
                        results[name]["grpc_open_loop"][str(rate)] = drivers.with_cpu(
                            server, lambda: drivers.perf_analyzer(
                                bin_dir, server, 64, seconds, input_json,
                                f"{scenario['input']}:" + ",".join(map(str, shape)),
                                stability_percentage=stability,
                                request_rate=rate))
                    except RuntimeError as e:
                        # A rate the server cannot sustain, or windows a loaded machine never
                        # agrees on: recorded as missing, the closed-loop figures still count.
                        print(f"{name:9s} {rate:6d}/s grpc: no stable measurement ({str(e)[:80]})")
                        continue
                    r = results[name]["grpc_open_loop"][str(rate)]
                    print(f"{name:9s} {rate:6d}/s grpc {r['throughput_rps']:8.0f} rps  p99 {r['p99_ms']:.2f} ms"
                          f"  server {r['server_cpu_us_per_request']:.0f} us/request", flush=True)
        finally:
            for s in servers.values():
                s.stop()
    report = {"scenario": f"batching {args.scenario}",
              "model": f"{scenario['title']}, one row per request",
              "levels": levels, "open_loop_rates": rates, "seconds_per_point": seconds, "cpus": os.cpu_count(),
              "loadavg_at_end": os.getloadavg(), "batch64_compute_ms": compute_ms,
              "results": {n: {k: v for k, v in r.items()} for n, r in results.items()}}
    compute_only = compute_only_us_per_row(scenario)
    report["compute_only_us_per_row"] = compute_only
    stem = "batching" + scenario["suffix"]
    (out / f"{stem}.json").write_text(json.dumps(report, indent=1))
    by_config = {n: {p: r[p] for p in ("grpc", "rest")} for n, r in results.items()}
    md = table(by_config, levels, compute_ms)
    md += ("\n\nCPU time per answered request, microseconds (server + load driver; the driver "
           "shares the machine's cores):\n\n" + cpu_table(by_config, levels))
    md += ("\n\nOpen loop, gRPC at a fixed request rate (perf_analyzer --request-rate-range): "
           "requests/s / p50 / p99 ms / server CPU us per request:\n\n" + open_loop_table(results, rates))
    if compute_only:
        md += (f"\n\nModel alone (cnn_bench, one thread): {compute_only.get('1', 0):.1f} us per row "
               f"at batch 1, {compute_only.get('64', 0):.1f} us per row at batch 64.")
    (out / f"{stem}.md").write_text(md + "\n")
    print(md)
    if not args.quick:
        drivers.plot_levels(by_config, levels, out / f"{stem}.png", scenario["title"],
                            ("grpc", "rest"))
        print(f"wrote {out / f'{stem}.png'}")


if __name__ == "__main__":
    main()
