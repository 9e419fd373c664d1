"""KServe v2 with batching off vs on, side by side in one run: perf_analyzer
--service-kind=triton (ModelInfer over gRPC, /v2/models/<m>/infer over HTTP), one row per request.
Scenarios (--scenario): "mlp", the MLP of tests/models/mlp; "resnet50", keras.applications
ResNet50 with random weights at 32x32x3 (compute-bound; exported into build/apps by
loadtest/keras_apps.py when missing). One build/tern process per configuration runs at once:
  off       no batching (v2 config: max_batch_size 1000, no dynamic_batching)
  on_t0     --enable_batching, max_batch_size 64, batch_timeout_micros 0
  on_t2ms   the same with batch_timeout_micros 2000
  auto_5ms  batch_timeout_micros 0 + --batching_target_latency_ms=5 (Tern chooses the timeout)
and at each concurrency level they are measured one after the other, so drift of the shared
machine hits them alike; on/off ratios are what to read. perf_analyzer reads each server's v2
model config to shape its requests. Rows per batch come from the tern_batch_size metric.
Writes results/v2_batching[_resnet50].json, .md (table) and .png.

    .venv/bin/python loadtest/v2_batching.py                        # MLP: 1, 8, 32, 128; 5 s each
    .venv/bin/python loadtest/v2_batching.py --scenario resnet50    # ResNet50: 1, 8, 32, 64
    .venv/bin/python loadtest/v2_batching.py --quick                # smoke (CI): 32 only; 1 s; no plot
"""
import argparse
import json
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import drivers  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
import batching  # noqa: E402  (its scenarios, configurations and model export)

SCENARIOS = {
    "mlp": {**batching.SCENARIOS["mlp"], "levels": "1,8,32,128", "title": "MLP 3x512 over KServe v2"},
    "resnet50": {**batching.SCENARIOS["resnet50"], "levels": "1,8,32,64",
                 "title": "ResNet50 (32x32x3) over KServe v2"},
}
CONFIGS = ("off", "on_t0", "on_t2ms", "auto_5ms")


def batch_rows(server):
    """(rows run, batches) so far for the served model, from /metrics."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{server.rest_port}/metrics", timeout=10).read()
    values = {}
    for line in text.decode().splitlines():
        for name in ("tern_batch_size_sum", "tern_batch_size_count"):
            if line.startswith(name + '{model="' + server.model + '"}'):
                values[name] = float(line.split()[-1])
    return values.get("tern_batch_size_sum", 0.0), values.get("tern_batch_size_count", 0.0)


def table(results, levels):
    names = [n for n in CONFIGS if n in results]
    lines = ["| proto | concurrency | " + " | ".join(f"{n} rps / p99 ms (rows/batch)" for n in names) +
             " | " + " | ".join(f"{n}/off" for n in names if n != "off") + " |",
             "|---|---|" + "---|" * (2 * len(names) - 1)]
    for proto in ("grpc", "http"):
        for c in levels:
            cells, ratios = [], []
            off = results["off"][proto][str(c)]["throughput_rps"]
            for n in names:
                r = results[n][proto][str(c)]
                rpb = f" ({r['rows_per_batch']:.1f})" if "rows_per_batch" in r else ""
                cells.append(f"{r['throughput_rps']:.0f} / {r['p99_ms']:.2f}{rpb}")
                if n != "off":
                    ratios.append(f"{r['throughput_rps'] / off:.2f}x")
            lines.append(f"| {proto} | {c} | " + " | ".join(cells + ratios) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smoke run for CI")
    ap.add_argument("--levels", default=None, help="comma-separated concurrency levels")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--stability", type=int, default=None,
                    help="perf_analyzer --stability-percentage (default 100; --quick: any spread); "
                         "a loaded shared machine may need more")
    ap.add_argument("--out", default=str(ROOT / "loadtest/results"))
    ap.add_argument("--scenario", choices=sorted(SCENARIOS), default="mlp")
    args = ap.parse_args()
    scenario = SCENARIOS[args.scenario]
    batching.ensure_model(scenario)
    levels = [int(c) for c in (args.levels or ("32" if args.quick else scenario["levels"])).split(",")]
    seconds = args.seconds or (1 if args.quick else 5)
    stability = args.stability or (10000 if args.quick else 100)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    bin_dir = drivers.tools_bin()
    results, servers = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        flags = batching.configs(tmp, os.cpu_count() or 2)
        try:
            for name, extra in flags.items():
                servers[name] = drivers.Server(scenario["model"], scenario["dir"], extra, log_dir=tmp)
                results[name] = {"grpc": {}, "http": {}, "flags": extra}
            for c in levels:
                for proto in ("grpc", "http"):
                    for name, server in servers.items():
                        before = batch_rows(server)
                        r = drivers.perf_analyzer(bin_dir, server, c, seconds, service_kind="triton",
                                                  protocol=proto,
                                                  stability_percentage=stability)
                        rows, batches = (a - b for a, b in zip(batch_rows(server), before))
                        if batches:
                            r["rows_per_batch"] = rows / batches
                        results[name][proto][str(c)] = r
                        off = results["off"][proto].get(str(c), r)["throughput_rps"]
                        print(f"{name:8s} {proto:4s} c={c:4d} {r['throughput_rps']:8.0f} rps "
                              f"p99 {r['p99_ms']:.2f} ms  {r['throughput_rps'] / off:.2f}x off",
                              flush=True)
        finally:
            for s in servers.values():
                s.stop()
    stem = "v2_batching" + scenario["suffix"]
    report = {"scenario": f"KServe v2 batching off vs on ({args.scenario})",
              "model": f"{scenario['title']}, one row per request",
              "driver": "perf_analyzer --service-kind=triton", "levels": levels,
              "seconds_per_point": seconds, "cpus": os.cpu_count(),
              "loadavg_at_end": os.getloadavg(), "results": results}
    (out / f"{stem}.json").write_text(json.dumps(report, indent=1))
    md = table(results, levels)
    (out / f"{stem}.md").write_text(md + "\n")
    print(md)
    print(f"load average at the end: {os.getloadavg()}")
    if not args.quick:
        drivers.plot_levels(results, levels, out / f"{stem}.png", scenario["title"], ("grpc", "http"))
        print(f"wrote {out / f'{stem}.png'}")


if __name__ == "__main__":
    main()
