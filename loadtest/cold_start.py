"""Cold start: milliseconds from exec of build/tern to its first successful predict, with a breakdown.

Starts the server N times on free ports with TERN_STARTUP_TRACE=1, polls REST :predict as fast as
it answers and records the first 200 with a well-formed answer. Tern logs the CLOCK_MONOTONIC
time of each start-up phase (src/common/startup_trace.h); Python's time.monotonic_ns() reads the
same clock, so every phase is placed on the launcher's time line: exec -> main -> flags parsed ->
config read -> model read -> graph built -> variables restored -> init op run -> plans built ->
warmup done -> models loaded -> gRPC listening -> REST listening -> first predict answered.
Also records the RSS of the idle server after its first predict and the binary size; with
--container, the same for `podman run` of an image (exec of podman to first predict).
Writes JSON, a table and a PNG into --out.

    .venv/bin/python loadtest/cold_start.py [--runs 20] [--model taxi_fare|half_plus_two]
        [--container IMAGE]
"""
import argparse
import json
import os
import re
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
MODELS = drivers.STARTUP_MODELS
# In start-up order; a phase missing from a run (e.g. REST off) is left out of that run.
PHASES = ["main", "flags_parsed", "config_read", "model_read", "graph_built",
          "variables_restored", "init_op_run", "plans_built", "warmup_done", "models_loaded",
          "grpc_listening", "rest_listening", "first_predict"]
TRACE_LINE = re.compile(r"startup phase=(\w+) mono_ns=(\d+)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def poll_first_predict(url, body, start_ns, timeout_s, proc):
    data = json.dumps(body).encode()
    while time.monotonic_ns() - start_ns < timeout_s * 1e9:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering")
        try:
            req = urllib.request.Request(url, data=data, method="POST")
            with urllib.request.urlopen(req, timeout=5) as r:
                answer = json.loads(r.read())
                if r.status == 200 and "predictions" in answer:
                    return time.monotonic_ns()
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.0005)
    raise RuntimeError(f"no answer from {url} within {timeout_s} s")


def one_run(binary, model, base_path, body, timeout_s=30):
    """One exec of tern; returns ({phase: ms since exec}, idle RSS KiB)."""
    rest, grpc = free_port(), free_port()
    url = f"http://127.0.0.1:{rest}/v1/models/{model}:predict"
    with tempfile.TemporaryFile("w+") as log:
        env = dict(os.environ, TERN_STARTUP_TRACE="1")
        start_ns = time.monotonic_ns()
        proc = subprocess.Popen([str(binary), f"--port={grpc}", f"--rest_api_port={rest}",
                                 f"--model_name={model}", f"--model_base_path={base_path}"],
                                stdout=log, stderr=log, env=env)
        try:
            first_ns = poll_first_predict(url, body, start_ns, timeout_s, proc)
            time.sleep(0.2)
            rss = rss_kib(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        log.seek(0)
        marks = {m.group(1): int(m.group(2)) for m in TRACE_LINE.finditer(log.read())}
    marks["first_predict"] = first_ns
    missing = [p for p in ("main", "rest_listening") if p not in marks]
    if missing:
        raise RuntimeError(f"tern printed no startup trace for {missing}; built without it?")
    return {p: (ns - start_ns) / 1e6 for p, ns in marks.items()}, rss


def container_run(image, model, body, timeout_s=60):
    """`podman run` of the image to its first predict; returns (ms, ms from exec of podman to
    Tern's main). A container shares the host's CLOCK_MONOTONIC, so Tern's trace lines apply."""
    rest, grpc = free_port(), free_port()
    url = f"http://127.0.0.1:{rest}/v1/models/{model}:predict"
    name = f"tern-cold-{rest}"
    start_ns = time.monotonic_ns()
    proc = subprocess.Popen(["podman", "run", "--name", name, "--network=host",
                             "-e", f"MODEL_NAME={model}", "-e", "TERN_STARTUP_TRACE=1", image,
                             f"--port={grpc}", f"--rest_api_port={rest}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        first_ns = poll_first_predict(url, body, start_ns, timeout_s, proc)
        logs = subprocess.run(["podman", "logs", name], capture_output=True, text=True).stderr
    finally:
        subprocess.run(["podman", "stop", "--time=10", name], capture_output=True)
        proc.wait(timeout=30)
        subprocess.run(["podman", "rm", "-f", name], capture_output=True)
    marks = {m.group(1): int(m.group(2)) for m in TRACE_LINE.finditer(logs)}
    main_ms = (marks["main"] - start_ns) / 1e6 if "main" in marks else None
    return (first_ns - start_ns) / 1e6, main_ms


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def summarize(values):
    return {"median": statistics.median(values), "p90": percentile(values, 0.9),
            "min": min(values), "max": max(values)}


def plot(breakdown, path, title):
    sys.path.append(str(ROOT / "loadtest/.tools/py"))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = [p for p in PHASES if p in breakdown]
    steps = [breakdown[p]["step_ms_median"] for p in names]
    fig, ax = plt.subplots(figsize=(10, 5))
    left = 0.0
    colors = plt.get_cmap("tab20").colors
    for i, (name, step) in enumerate(zip(names, steps)):
        ax.barh([0], [step], left=left, color=colors[i % len(colors)], label=f"{name} {step:.2f} ms")
        left += step
    ax.set_yticks([])
    ax.set_xlabel("ms since exec (median of each step)")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=4)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--model", choices=sorted(MODELS), default="taxi_fare")
    parser.add_argument("--binary", default=str(ROOT / "build/tern"))
    parser.add_argument("--container", default="", help="also time `podman run IMAGE`")
    parser.add_argument("--out", default=str(ROOT / "loadtest/results"))
    args = parser.parse_args()
    base_path, body = MODELS[args.model]
    runs, rss = [], []
    for _ in range(args.runs):
        marks, kib = one_run(args.binary, args.model, base_path, body)
        runs.append(marks)
        rss.append(kib)
    breakdown = {}
    previous = None
    for phase in PHASES:
        at = [r[phase] for r in runs if phase in r]
        if not at:
            continue
        steps = [r[phase] - (r[previous] if previous else 0.0) for r in runs if phase in r]
        breakdown[phase] = {"at_ms_median": statistics.median(at), "at_ms_p90": percentile(at, 0.9),
                            "step_ms_median": statistics.median(steps)}
        previous = phase
    total = [r["first_predict"] for r in runs]
    result = {
        "scenario": "cold_start",
        "model": args.model,
        "runs": args.runs,
        "exec_to_first_predict_ms": dict(summarize(total), all=sorted(total)),
        "breakdown": breakdown,
        "idle_rss_mib_after_first_predict": statistics.median(rss) / 1024,
        "binary_size_mib": os.path.getsize(args.binary) / 2**20,
        "load_average_1m_at_end": os.getloadavg()[0],
        "cores": os.cpu_count(),
    }
    if args.container:
        runs_c = [container_run(args.container, args.model, body) for _ in range(max(3, args.runs // 2))]
        times = [t for t, _ in runs_c]
        to_main = [m for _, m in runs_c if m is not None]
        result["container"] = dict(summarize(times), image=args.container, runs=len(times),
                                   all=sorted(times),
                                   podman_exec_to_tern_main_ms=summarize(to_main) if to_main else None)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"cold_start_{args.model}.json").write_text(json.dumps(result, indent=2))
    plot(breakdown, out / f"cold_start_{args.model}.png",
         f"Tern cold start, {args.model}: exec to first predict, median of {args.runs} "
         f"(load avg {result['load_average_1m_at_end']:.1f} on {os.cpu_count()} cores)")
    t = result["exec_to_first_predict_ms"]
    print(f"| model | runs | median ms | p90 ms | min ms | RSS MiB | binary MiB | load avg |")
    print(f"|---|---|---|---|---|---|---|---|")
    print(f"| {args.model} | {args.runs} | {t['median']:.1f} | {t['p90']:.1f} | {t['min']:.1f} | "
          f"{result['idle_rss_mib_after_first_predict']:.1f} | {result['binary_size_mib']:.1f} | "
          f"{result['load_average_1m_at_end']:.1f} |")
    print()
    print("| phase | at ms (median) | at ms (p90) | step ms (median) |")
    print("|---|---|---|---|")
    for phase, b in breakdown.items():
        print(f"| {phase} | {b['at_ms_median']:.2f} | {b['at_ms_p90']:.2f} | {b['step_ms_median']:.2f} |")
    if args.container:
        c = result["container"]
        to_main = c["podman_exec_to_tern_main_ms"]
        print(f"\ncontainer {args.container}: podman run to first predict, median {c['median']:.0f} ms, "
              f"p90 {c['p90']:.0f} ms over {c['runs']} runs; of which podman run to Tern's main: "
              + (f"median {to_main['median']:.0f} ms" if to_main else "unknown (image without the trace)"))


if __name__ == "__main__":
    main()
