"""SIGTERM drain, side by side: this build against another (--baseline, e.g. main's build/tern),
alternated run by run on 127.0.0.1, bounded in count and time.

Scenarios, each run --runs times per build:
  idle       no client, nothing for 0.5 s after the readiness probe: SIGTERM -> exit.
  idle_conn  an idle gRPC channel and an idle kept-alive REST connection are open.
  racing     6 gRPC clients send unbatched Predicts back to back (so a call is always on its way)
             and go on through SIGTERM until they cannot connect; every call is counted:
             answered, refused UNAVAILABLE by the drain, or lost (CANCELLED, reset, ...).
  batched    4 REST + 4 gRPC clients through a batcher holding requests up to 300 ms (SIGTERM
             finds requests in flight), as in tests/integration/test_front_door.py.

    .venv/bin/python loadtest/drain.py [--baseline PATH] [--runs 5]
Writes loadtest/results/drain.json and drain.png and prints a short table.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import grpc  # noqa: E402
import http.client  # noqa: E402
import numpy as np  # noqa: E402

from conftest import free_port  # noqa: E402
from test_front_door import (HALF_PLUS_TWO, GrpcLoop, RestLoop, read,  # noqa: E402
                             terminate_and_join, wait_rest_ready)


def start(binary, args, work):
    log = open(work / f"tern-{time.monotonic_ns()}.log", "w+")
    process = subprocess.Popen([str(binary), "--model_name=half_plus_two",
                                f"--model_base_path={HALF_PLUS_TWO}", *args],
                               stdout=log, stderr=subprocess.STDOUT)
    return process, log


def run_once(binary, scenario, work):
    grpc_port, rest_port = free_port(), free_port()
    args = [f"--port={grpc_port}", f"--rest_api_port={rest_port}", "--drain_timeout_seconds=10"]
    if scenario == "batched":
        params = work / "batching.txt"
        params.write_text("max_batch_size { value: 64 } batch_timeout_micros { value: 300000 } "
                          "max_enqueued_batches { value: 100 } num_batch_threads { value: 2 }")
        args += ["--enable_batching", f"--batching_parameters_file={params}"]
    process, log = start(binary, args, work)
    wait_rest_ready(f"http://127.0.0.1:{rest_port}", process, log)
    loops, extra = [], []
    if scenario == "idle_conn":
        channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
        grpc.channel_ready_future(channel).result(timeout=10)
        rest = http.client.HTTPConnection("127.0.0.1", rest_port, timeout=10)
        rest.request("GET", "/v1/models/half_plus_two")
        rest.getresponse().read()
        extra = [channel, rest]
    elif scenario == "racing":
        loops = [GrpcLoop(f"127.0.0.1:{grpc_port}") for _ in range(6)]
    elif scenario == "batched":
        loops = [RestLoop(rest_port) for _ in range(4)] + \
                [GrpcLoop(f"127.0.0.1:{grpc_port}") for _ in range(4)]
    for loop in loops:
        loop.start()
    if not loops:
        time.sleep(0.5)
    deadline = time.monotonic() + 30
    while loops and min(len(loop.answers) for loop in loops) < 3:
        assert time.monotonic() < deadline, read(log)
        time.sleep(0.01)
    t0, code = terminate_and_join(process, loops)
    exit_ms = (time.monotonic() - t0) * 1000
    for thing in extra:
        thing.close()
    grpc_loops = [loop for loop in loops if isinstance(loop, GrpcLoop)]
    lost = [error for loop in loops for error in loop.lost]
    return {"exit_code": code, "exit_ms": round(exit_ms, 1),
            "answers": sum(len(loop.answers) for loop in loops),
            "grpc_refused_by_drain": sum(loop.refused_by_drain for loop in grpc_loops),
            "lost": len(lost), "lost_examples": sorted(set(lost))[:3]}


def plot(result, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    scenarios = list(result["scenarios"])
    builds = list(result["builds"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    width = 0.8 / len(builds)
    for i, build in enumerate(builds):
        rows = [result["scenarios"][s][build] for s in scenarios]
        x = np.arange(len(scenarios)) + i * width
        ax1.bar(x, [r["median_exit_ms"] for r in rows], width, label=build,
                yerr=[[r["median_exit_ms"] - r["min_exit_ms"] for r in rows],
                      [r["max_exit_ms"] - r["median_exit_ms"] for r in rows]])
        ax2.bar(x, [r["lost"] for r in rows], width, label=build)
    for ax in (ax1, ax2):
        ax.set_xticks(np.arange(len(scenarios)) + width * (len(builds) - 1) / 2)
        ax.set_xticklabels(scenarios)
        ax.legend()
    ax1.set_yscale("log")
    ax1.set_ylabel("SIGTERM -> exit 0 (ms, log), median, min-max")
    ax2.set_ylabel(f"calls lost in {result['runs']} runs (CANCELLED, reset)")
    ax1.set_title("drain time")
    ax2.set_title("lost calls")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / "build" / "tern"))
    parser.add_argument("--baseline", help="another tern binary to compare with")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "loadtest" / "results"))
    args = parser.parse_args()
    builds = {"this": args.binary}
    if args.baseline:
        builds = {"baseline": args.baseline, "this": args.binary}
    scenarios = ["idle", "idle_conn", "racing", "batched"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    samples = {s: {b: [] for b in builds} for s in scenarios}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for scenario in scenarios:
                for build, binary in builds.items():  # alternated: same load for both
                    samples[scenario][build].append(run_once(binary, scenario, Path(tmp)))
    result = {"runs": args.runs, "builds": builds, "scenarios": {}, "samples": samples,
              "machine": {"cores": os.cpu_count(), "loadavg_before": load_before,
                          "loadavg_after": os.getloadavg()}}
    for scenario in scenarios:
        result["scenarios"][scenario] = {}
        for build in builds:
            runs = samples[scenario][build]
            exits = [r["exit_ms"] for r in runs]
            result["scenarios"][scenario][build] = {
                "median_exit_ms": round(float(np.median(exits)), 1),
                "min_exit_ms": min(exits), "max_exit_ms": max(exits),
                "exit_codes": sorted({r["exit_code"] for r in runs}),
                "answers": sum(r["answers"] for r in runs),
                "grpc_refused_by_drain": sum(r["grpc_refused_by_drain"] for r in runs),
                "lost": sum(r["lost"] for r in runs),
                "lost_examples": sorted({e for r in runs for e in r["lost_examples"]})[:3]}
    (out / "drain.json").write_text(json.dumps(result, indent=1))
    plot(result, out / "drain.png")
    print("| scenario | build | SIGTERM->exit median (min-max) ms | answers | gRPC refused "
          "UNAVAILABLE | lost |\n|---|---|---|---|---|---|")
    for scenario in scenarios:
        for build in builds:
            r = result["scenarios"][scenario][build]
            print(f"| {scenario} | {build} | {r['median_exit_ms']} ({r['min_exit_ms']}-"
                  f"{r['max_exit_ms']}) | {r['answers']} | {r['grpc_refused_by_drain']} | "
                  f"{r['lost']} {r['lost_examples'][:1]} |")
    print(f"load average before/after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
