"""Eigen vs the no-packing GEMM for few rows, side by side
(src/runtime/kernels/internal/gemm_small_isa.cc).

1. build/loadtest/gemm/gemm_bench, family small_rows/: per ISA this CPU runs (AVX-512, AVX2+FMA),
   Eigen and the kernel on the MLP's (K, N) and small_resnet's im2col (K, N), M = 1..128 (and the
   conv layers' real block sizes). Repetitions interleaved at random, medians of CPU time.
2. build/loadtest/cnn_bench --gemm=eigen,auto on tests/models/mlp and small_resnet (build/zoo,
   exported when missing): per-row cost of the whole signature at batch 1/8/64 with Gemm forced
   to Eigen vs as dispatched (gemm.cc), in one process.
Writes results/small_gemm.{json,md,png} (loadtest/results/ by default).

    .venv/bin/python loadtest/gemm/small_gemm.py            # ~4 minutes on 2 busy cores
    .venv/bin/python loadtest/gemm/small_gemm.py --quick    # smoke: 1 repetition, short runs
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
MODELS = {
    "mlp": {"dir": ROOT / "tests/models/mlp/model/1", "input": "x", "row": "256"},
    "small_resnet": {"dir": BUILD / "zoo/small_resnet/1", "input": "image", "row": "32,32,3"},
}


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out)


def gemm_shapes(quick):
    reps = 1 if quick else 5
    data = run_json([str(BUILD / "loadtest/gemm/gemm_bench"), "--benchmark_filter=^small_rows/",
                     "--benchmark_format=json", f"--benchmark_repetitions={reps}",
                     "--benchmark_enable_random_interleaving=true",
                     f"--benchmark_min_time={0.01 if quick else 0.05}"])
    times = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        _, impl, k, n, m = b["run_name"].split("/")
        key = (impl.split("_", 1)[1], int(k[2:]), int(n[2:]), int(m[2:]))
        times.setdefault(key, {}).setdefault(impl.split("_", 1)[0], []).append(b["cpu_time"])
    rows = []
    for (isa, k, n, m), by in sorted(times.items()):
        eigen, small = statistics.median(by["eigen"]), statistics.median(by["small"])
        rows.append({"isa": isa, "k": k, "n": n, "m": m, "eigen_us": eigen, "small_us": small,
                     "speedup": eigen / small})
    return data["context"], rows


def models(quick):
    if not MODELS["small_resnet"]["dir"].exists():
        subprocess.run([str(ROOT / ".venv/bin/python"), "tests/models/zoo/export_zoo.py",
                        "--only", "small_resnet", "--out", str(BUILD / "zoo")], check=True,
                       cwd=ROOT)
    rows = []
    for name, m in MODELS.items():
        data = run_json([str(BUILD / "loadtest/cnn_bench"), f"--model={m['dir']}",
                         f"--input={m['input']}", f"--row={m['row']}", "--gemm=eigen,auto",
                         "--benchmark_format=json", f"--benchmark_repetitions={1 if quick else 3}",
                         "--benchmark_enable_random_interleaving=true",
                         f"--benchmark_min_time={0.05 if quick else 0.5}"])
        by = {}
        for b in data["benchmarks"]:
            if b.get("run_type") != "iteration":
                continue
            _, path, batch = b["run_name"].split("/")
            # CPU time per row: the wall clock includes the other engineers' jobs.
            by.setdefault(int(batch), {}).setdefault(path[5:], []).append(
                b["cpu_time"] * 1e3 / int(batch))
        for batch, paths in sorted(by.items()):
            eigen, auto = statistics.median(paths["eigen"]), statistics.median(paths["auto"])
            rows.append({"model": name, "batch": batch, "eigen_us_per_row": eigen,
                         "auto_us_per_row": auto, "speedup": eigen / auto})
    return rows


def table(shapes, model_rows, load):
    lines = [f"load average at start: {load}", "",
             "| ISA | K | N | M | Eigen us | no-packing us | Eigen/no-packing |",
             "|---|---|---|---|---|---|---|"]
    for r in shapes:
        lines.append(f"| {r['isa']} | {r['k']} | {r['n']} | {r['m']} | {r['eigen_us']:.2f} | "
                     f"{r['small_us']:.2f} | {r['speedup']:.2f} |")
    lines += ["", "| model | batch | Eigen only us/row | dispatched us/row | ratio |",
              "|---|---|---|---|---|"]
    for r in model_rows:
        lines.append(f"| {r['model']} | {r['batch']} | {r['eigen_us_per_row']:.1f} | "
                     f"{r['auto_us_per_row']:.1f} | {r['speedup']:.2f} |")
    return "\n".join(lines) + "\n"


def plot(shapes, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    isas = sorted({r["isa"] for r in shapes})
    fig, axes = plt.subplots(1, len(isas), figsize=(6.5 * len(isas), 4.5), squeeze=False)
    for ax, isa in zip(axes[0], isas):
        for k, n in sorted({(r["k"], r["n"]) for r in shapes if r["isa"] == isa}):
            pts = [(r["m"], r["speedup"]) for r in shapes
                   if r["isa"] == isa and (r["k"], r["n"]) == (k, n)]
            ax.plot(*zip(*pts), marker="o", label=f"K={k} N={n}")
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log", base=2)
        ax.set_xlabel("M (rows of A)")
        ax.set_ylabel("Eigen time / no-packing time")
        ax.set_title(f"{isa}: above 1 the no-packing kernel is faster")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "loadtest/results"))
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    context, shapes = gemm_shapes(args.quick)
    model_rows = models(args.quick)
    load_end = " ".join(f"{x:.2f}" for x in os.getloadavg())
    result = {"load_average_start": load, "load_average_end": load_end, "context": context,
              "gemm": shapes, "models": model_rows}
    (out / "small_gemm.json").write_text(json.dumps(result, indent=1))
    text = table(shapes, model_rows, f"{load} (end: {load_end})")
    (out / "small_gemm.md").write_text(text)
    plot(shapes, out / "small_gemm.png")
    print(text)
    bad = [r for r in shapes if not r["small_us"] > 0]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
