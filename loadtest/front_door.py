"""Front door figures: cold start through socket activation, SIGTERM drain under load, and the
cost of one shared port against two (all traffic on 127.0.0.1, bounded in count and time).

1. Socket activation: the harness holds the REST and gRPC sockets as systemd would and keeps a
   systemd-socket-activate waiting on them (tests/integration/test_front_door.py). Each cycle
   sends one request to a stopped Tern (alternately REST with requests and gRPC with the TF
   Serving client) and times it to the answer: exec, model load, routing and the predict. Tern
   is then stopped with SIGTERM and the next cycle waits for a fresh systemd-socket-activate.
2. Drain: 8 clients (4 REST, 4 gRPC) predict through a batcher that holds each request up to
   100 ms; SIGTERM; time to exit 0, answers, requests lost (must be 0). loadtest/drain.py
   compares drains of two builds side by side.
3. One port vs two: the same 8 clients for --seconds against separate ports and against one
   shared port, alternated, requests/s per protocol and the ratio.

    .venv/bin/python loadtest/front_door.py [--cycles 20] [--drains 3] [--seconds 3]
Writes loadtest/results/front_door.json and front_door.png and prints a short table.
"""
import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import requests  # noqa: E402

from conftest import free_port  # noqa: E402
from test_front_door import (HALF_PLUS_TWO, GrpcLoop, RestLoop, SocketActivator,  # noqa: E402
                             grpc_predict, read, start_tern, terminate_and_join,
                             wait_rest_ready)


def percentiles(values_ms):
    a = np.asarray(values_ms)
    return {"n": len(a), "median_ms": round(float(np.median(a)), 1),
            "p90_ms": round(float(np.percentile(a, 90)), 1), "max_ms": round(float(a.max()), 1)}


def exe(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def cold_starts(cycles):
    activator = SocketActivator(["--model_name=half_plus_two",
                                 f"--model_base_path={HALF_PLUS_TWO}"])
    rest_ms, grpc_ms = [], []
    try:
        for cycle in range(cycles):
            deadline = time.monotonic() + 20
            while activator.process is None or not exe(activator.process.pid).endswith(
                    "systemd-socket-activate"):
                assert time.monotonic() < deadline, read(activator.log)
                time.sleep(0.01)
            time.sleep(0.05)
            t0 = time.perf_counter()
            if cycle % 2 == 0:
                r = requests.post(f"http://127.0.0.1:{activator.rest_port}/v1/models/"
                                  "half_plus_two:predict", json={"instances": [1.0]}, timeout=30)
                assert r.status_code == 200, r.text
                rest_ms.append((time.perf_counter() - t0) * 1000)
            else:
                assert grpc_predict(f"127.0.0.1:{activator.grpc_port}") == 2.5
                grpc_ms.append((time.perf_counter() - t0) * 1000)
            process = activator.process
            assert exe(process.pid).endswith("/tern")
            process.send_signal(signal.SIGTERM)
            while len(activator.exit_codes) < cycle + 1:
                assert time.monotonic() < deadline + 20, read(activator.log)
                time.sleep(0.01)
        assert set(activator.exit_codes) == {0}, activator.exit_codes
    finally:
        activator.close()
    return {"rest": percentiles(rest_ms), "grpc": percentiles(grpc_ms),
            "rest_samples_ms": rest_ms, "grpc_samples_ms": grpc_ms}


def drain_once(work):
    params = work / "batching.txt"
    params.write_text("max_batch_size { value: 64 } batch_timeout_micros { value: 100000 } "
                      "max_enqueued_batches { value: 100 } num_batch_threads { value: 2 }")
    grpc_port, rest_port = free_port(), free_port()
    process, log = start_tern([f"--port={grpc_port}", f"--rest_api_port={rest_port}",
                               "--enable_batching", f"--batching_parameters_file={params}"])
    wait_rest_ready(f"http://127.0.0.1:{rest_port}", process, log)
    loops = [RestLoop(rest_port) for _ in range(4)] + \
            [GrpcLoop(f"127.0.0.1:{grpc_port}") for _ in range(4)]
    for loop in loops:
        loop.start()
    time.sleep(1.0)
    t0, code = terminate_and_join(process, loops)
    exit_ms = (time.monotonic() - t0) * 1000
    in_flight_answered = sum(any(a < t0 < b for a, b, _ in loop.answers) for loop in loops)
    return {"exit_code": code, "exit_ms": round(exit_ms, 1),
            "answers": sum(len(loop.answers) for loop in loops),
            "lost": sum(len(loop.lost) for loop in loops),
            "grpc_refused_unavailable_by_the_drain": sum(
                getattr(loop, "refused_by_drain", 0) for loop in loops),
            "clients_with_a_request_in_flight_answered": in_flight_answered}


def throughput(args, seconds):
    process, log = start_tern(args[0])
    wait_rest_ready(f"http://127.0.0.1:{args[1]}", process, log)
    loops = [RestLoop(args[1]) for _ in range(4)] + \
            [GrpcLoop(f"127.0.0.1:{args[2]}") for _ in range(4)]
    for loop in loops:
        loop.start()
    time.sleep(0.5)
    counts = [len(loop.answers) for loop in loops]
    time.sleep(seconds)
    counts = [len(loop.answers) - c for loop, c in zip(loops, counts)]
    for loop in loops:
        loop.stop.set()
    for loop in loops:
        loop.join(timeout=30)
    process.terminate()
    assert process.wait(timeout=60) == 0
    assert not any(loop.lost for loop in loops), [loop.lost[:2] for loop in loops]
    return {"rest_rps": round(sum(counts[:4]) / seconds, 1),
            "grpc_rps": round(sum(counts[4:]) / seconds, 1)}


def one_port_vs_two(seconds, rounds=2):
    rows = []
    for _ in range(rounds):
        g, r = free_port(), free_port()
        two = throughput(([f"--port={g}", f"--rest_api_port={r}"], r, g), seconds)
        p = free_port()
        one = throughput(([f"--port={p}", f"--rest_api_port={p}"], p, p), seconds)
        rows.append({"two_ports": two, "one_port": one})
    two_rest = np.mean([row["two_ports"]["rest_rps"] for row in rows])
    one_rest = np.mean([row["one_port"]["rest_rps"] for row in rows])
    two_grpc = np.mean([row["two_ports"]["grpc_rps"] for row in rows])
    one_grpc = np.mean([row["one_port"]["grpc_rps"] for row in rows])
    return {"rounds": rows, "rest_ratio_one_over_two": round(float(one_rest / two_rest), 3),
            "grpc_ratio_one_over_two": round(float(one_grpc / two_grpc), 3)}


def plot(result, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    cold = result["cold_start"]
    ax1.boxplot([cold["rest_samples_ms"], cold["grpc_samples_ms"]], labels=["REST", "gRPC"])
    ax1.set_ylabel("first request to a stopped Tern (ms)")
    ax1.set_title("socket activation: connect -> answer")
    drains = result["drain"]
    ax2.bar(range(len(drains)), [d["exit_ms"] for d in drains])
    ax2.set_xlabel("run")
    ax2.set_ylabel("SIGTERM -> exit 0 (ms)")
    ax2.set_title(f"drain under load (lost: {sum(d['lost'] for d in drains)})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--drains", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--out", default=str(ROOT / "loadtest" / "results"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        result = {"cold_start": cold_starts(args.cycles),
                  "drain": [drain_once(Path(tmp)) for _ in range(args.drains)],
                  "one_port_vs_two": one_port_vs_two(args.seconds)}
    result["machine"] = {"cores": os.cpu_count(), "loadavg_before": load_before,
                         "loadavg_after": os.getloadavg()}
    (out / "front_door.json").write_text(json.dumps(result, indent=1))
    plot(result, out / "front_door.png")
    cold, ratio = result["cold_start"], result["one_port_vs_two"]
    print("| figure | value |\n|---|---|")
    for kind in ("rest", "grpc"):
        c = cold[kind]
        print(f"| socket-activated first {kind} answer, median / p90 of {c['n']} (ms) | "
              f"{c['median_ms']} / {c['p90_ms']} |")
    for i, d in enumerate(result["drain"]):
        print(f"| drain run {i}: SIGTERM -> exit {d['exit_code']} (ms), answers, lost, gRPC calls "
              f"refused UNAVAILABLE by the drain | {d['exit_ms']}, {d['answers']}, {d['lost']}, "
              f"{d['grpc_refused_unavailable_by_the_drain']} |")
    print(f"| one port / two ports, REST req/s ratio | {ratio['rest_ratio_one_over_two']} |")
    print(f"| one port / two ports, gRPC req/s ratio | {ratio['grpc_ratio_one_over_two']} |")
    print(f"| load average before / after | {load_before[0]:.1f} / {os.getloadavg()[0]:.1f} "
          f"({os.cpu_count()} cores) |")


if __name__ == "__main__":
    main()
