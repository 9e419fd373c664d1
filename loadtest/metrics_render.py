"""Metrics page cost: time to render /metrics with N models loaded vs one REST predict.

Runs build/loadtest/metrics_render_bench (Google Benchmark, both measured side by side in one
process, same handler the server uses) for each model count, then writes JSON, prints a table
and plots a PNG. Needs matplotlib (Debian python3-matplotlib; run it with /usr/bin/python3).

    scripts/build.sh && ninja -C build metrics_render_bench
    /usr/bin/python3 loadtest/metrics_render.py [--models 1 10 50] [--repetitions 5]
"""
import argparse
import json
import os
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(binary, models, repetitions):
    out = subprocess.run(
        [str(binary), f"--models={models}", "--benchmark_format=json",
         f"--benchmark_repetitions={repetitions}", "--benchmark_min_time=0.2"],
        check=True, capture_output=True, text=True)
    report = json.loads(out.stdout)
    times = {}
    page_bytes = None
    for b in report["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b["run_name"].split("/")[0]
        times.setdefault(name, []).append(b["real_time"])  # microseconds
        if name == "BM_RenderMetricsPage":
            page_bytes = b.get("page_bytes")
    render = statistics.median(times["BM_RenderMetricsPage"])
    predict = statistics.median(times["BM_OneRestPredict"])
    return {"models": models, "render_us": render, "predict_us": predict,
            "render_over_predict": render / predict, "page_bytes": page_bytes,
            "render_us_runs": times["BM_RenderMetricsPage"],
            "predict_us_runs": times["BM_OneRestPredict"], "context": report["context"]}


def plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    xs = [r["models"] for r in rows]
    ax.plot(xs, [r["render_us"] for r in rows], "o-", label="render /metrics")
    ax.plot(xs, [r["predict_us"] for r in rows], "s-", label="one REST predict (half_plus_two)")
    ax.set_xlabel("models loaded")
    ax.set_ylabel("microseconds (median)")
    ax.set_yscale("log")
    ax.set_title("Metrics page cost vs one predict")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--binary", default=str(ROOT / "build/loadtest/metrics_render_bench"))
    parser.add_argument("--out", default=str(ROOT / "loadtest/results"))
    args = parser.parse_args()
    rows = [run(args.binary, m, args.repetitions) for m in args.models]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result = {"loadavg_before_after": os.getloadavg(), "rows": rows}
    (out / "metrics_render.json").write_text(json.dumps(result, indent=2))
    print(f"{'models':>6} {'render us':>10} {'predict us':>11} {'ratio':>6} {'page KiB':>9}")
    for r in rows:
        print(f"{r['models']:>6} {r['render_us']:>10.1f} {r['predict_us']:>11.1f} "
              f"{r['render_over_predict']:>6.2f} {r['page_bytes'] / 1024:>9.1f}")
    print(f"load average: {os.getloadavg()}")
    try:
        plot(rows, out / "metrics_render.png")
        print(f"plot: {out / 'metrics_render.png'}")
    except ImportError:
        print("matplotlib missing: apt-get install python3-matplotlib (no plot written)")


if __name__ == "__main__":
    main()
