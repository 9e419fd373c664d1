#!/usr/bin/env python3
"""Which nodes of a model a change made faster or slower: two runtime_bench builds, node by node.

Usage: .venv/bin/python loadtest/node_times_ab.py MODEL BATCH BENCH_A BENCH_B
           [--rounds 4] [--seconds 1] [--show 12] [--threads 1]

MODEL and BATCH name a model of loadtest/runtime_vs_peers.py (exported there on first use). Each
round runs both builds (`--op_profile=nodes`, `--threads` intra-op threads, one by default), in
alternating order, and divides every node's time ratio B/A by that round's median ratio over all
nodes: on a shared machine the whole run drifts by 5-20% between two processes, which would bury a
change to a few layers; the nodes a change does not touch keep a ratio near 1 after that. Prints
the nodes whose medians moved most and the estimated change of the whole run (each node's A time
times its ratio's distance from 1).
"""
import argparse
import re
import statistics
import subprocess
from collections import defaultdict

import runtime_vs_peers as rvp

NODE_LINE = re.compile(r"\s+(\S+) (.+?)\s+([\d.]+) ms per run")


def node_times(bench, args):
    err = subprocess.run([bench] + args, capture_output=True, text=True, check=True).stderr
    times = {}
    for line in err.splitlines():
        m = NODE_LINE.match(line)
        # A function call's time includes its body's nodes, counted on their own.
        if m and m.group(1) not in ("StatefulPartitionedCall", "PartitionedCall"):
            times[f"{m.group(1)} {m.group(2)}"] = float(m.group(3))
    return times


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", choices=sorted(rvp.MODELS))
    p.add_argument("batch", type=int)
    p.add_argument("bench_a")
    p.add_argument("bench_b")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--seconds", type=float, default=1.0)
    p.add_argument("--show", type=int, default=12)
    p.add_argument("--threads", type=int, default=1, help="runtime_bench --intra_op_threads")
    a = p.parse_args()
    rvp.export(a.model)
    inputs = rvp.make_inputs(a.model, a.batch)
    args = [f"--model={rvp.model_dir(a.model)}", f"--seconds={a.seconds}", "--op_profile=nodes",
            f"--intra_op_threads={a.threads}"]
    args += [f"--input={name}={path}" for name, path in inputs.items()]
    relative, a_times = defaultdict(list), defaultdict(list)
    for r in range(a.rounds):
        if r % 2 == 0:
            ta = node_times(a.bench_a, args)
            tb = node_times(a.bench_b, args)
        else:
            tb = node_times(a.bench_b, args)
            ta = node_times(a.bench_a, args)
        nodes = [n for n in ta if n in tb and ta[n] > 0.005]  # under 5 us: timer noise
        drift = statistics.median(tb[n] / ta[n] for n in nodes)
        for n in nodes:
            relative[n].append(tb[n] / ta[n] / drift)
            a_times[n].append(ta[n])
        print(f"round {r}: B/A over the whole run {drift:.3f} (removed)", flush=True)
    rows = []
    for n, ratios in relative.items():
        ms, ratio = statistics.median(a_times[n]), statistics.median(ratios)
        rows.append((ms * (ratio - 1), ms, ratio, n))
    rows.sort()
    total = sum(r[1] for r in rows)
    change = sum(r[0] for r in rows)
    print(f"{a.model} b{a.batch}: nodes take {total:.3f} ms per run on A; B changes that by an "
          f"estimated {change * 1000:+.0f} us ({change / total * 100:+.1f}%)")
    shown = rows if len(rows) <= 2 * a.show else rows[:a.show] + rows[-a.show:]
    for delta, ms, ratio, n in shown:
        print(f"{delta * 1000:+8.1f} us  A {ms * 1000:8.1f} us  B/A {ratio:.3f}  {n}")


if __name__ == "__main__":
    main()
