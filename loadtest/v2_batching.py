"""KServe v2 with batching off vs on, side by side in one run: perf_analyzer
--service-kind=triton (ModelInfer over gRPC, /v2/models/mlp/infer over HTTP) against the MLP of
tests/models/mlp, one row per request. Two build/tern processes run at once:
  off      no batching (v2 config: max_batch_size 1000, no dynamic_batching)
  on_t2ms  --enable_batching, max_batch_size 64, batch_timeout_micros 2000
and at each concurrency level the two are measured one after the other, so drift of the shared
machine hits them alike. perf_analyzer reads each server's v2 model config to shape its requests.
The mean rows per batch of on_t2ms comes from its tern_batch_size metric.
Writes results/v2_batching.json, .md (table) and .png.

    .venv/bin/python loadtest/v2_batching.py            # 1, 8, 32, 128; 5 s each
    .venv/bin/python loadtest/v2_batching.py --quick    # smoke (CI): 32 only; 1 s; no plot
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
MODEL_DIR = ROOT / "tests/models/mlp/model"
PARAMS = ("max_batch_size { value: 64 }\nbatch_timeout_micros { value: 2000 }\n"
          "max_enqueued_batches { value: 1000 }\nnum_batch_threads { value: %d }\n")


def batch_rows(server):
    """(rows run, batches) so far for the mlp model, from /metrics."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{server.rest_port}/metrics", timeout=10).read()
    values = {}
    for line in text.decode().splitlines():
        for name in ("tern_batch_size_sum", "tern_batch_size_count"):
            if line.startswith(name + '{model="mlp"}'):
                values[name] = float(line.split()[-1])
    return values.get("tern_batch_size_sum", 0.0), values.get("tern_batch_size_count", 0.0)


def table(results, levels):
    lines = ["| proto | concurrency | off rps / p50 / p99 ms | on_t2ms rps / p50 / p99 ms | "
             "on/off | rows per batch (on) |", "|---|---|---|---|---|---|"]
    for proto in ("grpc", "http"):
        for c in levels:
            off, on = results["off"][proto][str(c)], results["on_t2ms"][proto][str(c)]
            cell = lambda r: f"{r['throughput_rps']:.0f} / {r['p50_ms']:.2f} / {r['p99_ms']:.2f}"
            lines.append(f"| {proto} | {c} | {cell(off)} | {cell(on)} | "
                         f"{on['throughput_rps'] / off['throughput_rps']:.2f}x | "
                         f"{on.get('rows_per_batch', 0):.1f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smoke run for CI")
    ap.add_argument("--levels", default=None, help="comma-separated concurrency levels")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--out", default=str(ROOT / "loadtest/results"))
    args = ap.parse_args()
    levels = [int(c) for c in (args.levels or ("32" if args.quick else "1,8,32,128")).split(",")]
    seconds = args.seconds or (1 if args.quick else 5)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    bin_dir = drivers.tools_bin()
    results, servers = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        params = Path(tmp) / "batching.txt"
        params.write_text(PARAMS % (os.cpu_count() or 2))
        flags = {"off": [], "on_t2ms": ["--enable_batching", f"--batching_parameters_file={params}"]}
        try:
            for name, extra in flags.items():
                servers[name] = drivers.Server("mlp", MODEL_DIR, extra, log_dir=tmp)
                results[name] = {"grpc": {}, "http": {}, "flags": extra}
            for c in levels:
                for proto in ("grpc", "http"):
                    for name, server in servers.items():
                        before = batch_rows(server)
                        r = drivers.perf_analyzer(bin_dir, server, c, seconds, service_kind="triton",
                                                  protocol=proto,
                                                  stability_percentage=10000 if args.quick else 100)
                        rows, batches = (a - b for a, b in zip(batch_rows(server), before))
                        if batches:
                            r["rows_per_batch"] = rows / batches
                        results[name][proto][str(c)] = r
                        print(f"{name:8s} {proto:4s} c={c:4d} {r['throughput_rps']:8.0f} rps "
                              f"p99 {r['p99_ms']:.2f} ms", flush=True)
        finally:
            for s in servers.values():
                s.stop()
    report = {"scenario": "KServe v2 batching off vs on", "model": "MLP 3x512, one row per request",
              "driver": "perf_analyzer --service-kind=triton", "levels": levels,
              "seconds_per_point": seconds, "cpus": os.cpu_count(),
              "loadavg_at_end": os.getloadavg(), "results": results}
    (out / "v2_batching.json").write_text(json.dumps(report, indent=1))
    md = table(results, levels)
    (out / "v2_batching.md").write_text(md + "\n")
    print(md)
    print(f"load average at the end: {os.getloadavg()}")
    if not args.quick:
        drivers.plot_levels(results, levels, out / "v2_batching.png", "MLP 3x512 over KServe v2",
                            ("grpc", "http"))
        print(f"wrote {out / 'v2_batching.png'}")


if __name__ == "__main__":
    main()
