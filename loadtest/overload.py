"""Overload: open-loop load past capacity, and thousands of idle or slow connections.

One build/tern serves a model that costs a few ms of compute per request (exported by the venv's
TensorFlow into build/loadtest-models/ when missing). Per protocol (REST :predict over HTTP/1.1
keep-alive, gRPC Predict):

1. capacity: the most answered requests per second of a closed loop at 1, 2, 4, 8 and 32
   clients (each point recorded). Not 32 clients alone: at 32, gRPC's multiplexed calls all
   reach the server at once, over the queue-wait bound some are refused, and a refused
   closed-loop client asks again at once: that point measures a refusal storm, not capacity;
2. open loop at 2x and 4x that rate (wrk2-style: request i is sent at t0 + i/rate whatever the
   answers' pace, and its latency counts from that moment, so a slow server cannot slow the
   client down and hide its queue): goodput (answered OK per second), p50/p99 of the answered,
   refusals (HTTP 503 / gRPC UNAVAILABLE) and how fast they come, timeouts (10 s), other errors;
3. 2,000 idle or slow connections (1,000 idle TCP connections and 500 slow-header "slowloris"
   ones to the REST port, 500 idle ones to the gRPC port) held open while the open-loop load
   runs at 0.3x capacity on both protocols at once: every request must still be answered.

The client keeps CPU 0 and the server runs on the others (--server_cpus): a Python client's own
work grows with the offered rate, and on shared cores a 4x load would measure the client taking
the server's CPU rather than the server's refusals. The server's RSS, threads and open fds are
sampled every 0.25 s throughout. The configurations:
"admission" (the default flags) and, with --compare, "no admission" (--max_inflight_requests=-1
--max_queue_wait_ms=0: how Tern behaved before admission control).

    .venv/bin/python loadtest/overload.py [--seconds 60] [--compare] [--out loadtest/results]
    .venv/bin/python loadtest/overload.py --quick --out build/loadtest-smoke   # test.sh
Writes overload.json and overload.png into --out and prints a table. Exits 1 when, with admission
control, a request timed out or failed otherwise than by a refusal, fewer than half the requests
beside the idle connections were answered (refusals there are reported, not failed: a shared
machine may starve the server), or the server exited.
"""
import argparse
import asyncio
import json
import os
import re
import resource
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "loadtest"))
from drivers import Server  # noqa: E402

import grpc  # noqa: E402

MODEL = "overload_mlp"
TIMEOUT_S = 10.0
IDLE_REST, SLOW_REST, IDLE_GRPC = 1000, 500, 500
CAPACITY_CLIENTS = (1, 2, 4, 8, 32)
NO_ADMISSION = ["--max_inflight_requests=-1", "--max_queue_wait_ms=0"]


def export_model(path, rows, layers, width=512):
    """x: [batch, 8] float -> y: [batch, 4]. Each example is tiled to `rows` rows of `width`
    and pushed through `layers` dense layers, so one request costs about
    rows * layers * width^2 multiply-adds whatever its size on the wire."""
    code = f"""
import tensorflow as tf
class M(tf.Module):
    def __init__(self):
        g = tf.random.Generator.from_seed(1)
        self.w = [tf.Variable(g.normal([{width}, {width}]) * 0.05) for _ in range({layers})]
        self.out = tf.Variable(g.normal([{width}, 4]) * 0.05)
    @tf.function(input_signature=[tf.TensorSpec([None, 8], tf.float32)])
    def serve(self, x):
        h = tf.tile(x, [{rows}, {width} // 8])
        for w in self.w:
            h = tf.nn.relu(tf.matmul(h, w))
        h = tf.reduce_mean(tf.reshape(h, [{rows}, -1, {width}]), axis=0)
        return {{"y": tf.matmul(h, self.out)}}
m = M()
tf.saved_model.save(m, "{path}", signatures={{"serving_default": m.serve}})
"""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def ensure_model(rows, layers):
    base = ROOT / "build" / "loadtest-models" / f"{MODEL}_r{rows}_l{layers}"
    if not (base / "1" / "saved_model.pb").exists():
        export_model(base / "1", rows, layers)
    return base


def grpc_predict_request(model, values):
    """A serialized tensorflow.serving.PredictRequest with input "x" = [[values]] (float),
    written field by field (model_spec=1 {name=1}, inputs=2 map entry {key=1, value=2
    TensorProto{dtype=1, tensor_shape=2 {dim=2 {size=1}}, float_val=5 packed}})."""
    def varint(n):
        out = bytearray()
        while True:
            b = n & 0x7F
            n >>= 7
            out.append(b | (0x80 if n else 0))
            if not n:
                return bytes(out)

    def field(num, payload):
        return varint(num << 3 | 2) + varint(len(payload)) + payload

    dims = field(2, b"\x08" + varint(1)) + field(2, b"\x08" + varint(len(values)))
    tensor = (b"\x08\x01" + field(2, dims) +
              field(5, b"".join(struct.pack("<f", v) for v in values)))
    entry = field(1, b"x") + field(2, tensor)
    return field(1, field(1, model.encode())) + field(2, entry)


class RestClient:
    """HTTP/1.1 keep-alive :predict over asyncio streams; a connection per request in flight
    (opened when none is idle, as an open-loop client must)."""

    def __init__(self, port, body):
        self.port = port
        self.request = (f"POST /v1/models/{MODEL}:predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                        ).encode() + body
        self.idle = []

    async def _exchange(self):
        conn = self.idle.pop() if self.idle else await asyncio.open_connection("127.0.0.1",
                                                                                self.port)
        reader, writer = conn
        try:
            writer.write(self.request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = re.search(rb"(?i)content-length:\s*(\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
        except BaseException:
            writer.close()
            raise
        if re.search(rb"(?i)connection:\s*close", head):
            writer.close()
        else:
            self.idle.append(conn)
        return status

    async def call(self):
        try:
            status = await asyncio.wait_for(self._exchange(), TIMEOUT_S)
        except asyncio.TimeoutError:
            return "timeout"
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            return f"error:{type(e).__name__}"
        return "ok" if status == 200 else "refused" if status == 503 else f"http_{status}"

    def close(self):
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


class GrpcClient:
    """tensorflow.serving.PredictionService/Predict with a prebuilt request, on one channel."""

    def __init__(self, port, request):
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        self.predict = self.channel.unary_unary("/tensorflow.serving.PredictionService/Predict")
        self.request = request

    async def call(self):
        try:
            await self.predict(self.request, timeout=TIMEOUT_S)
            return "ok"
        except grpc.aio.AioRpcError as e:
            code = e.code()
            if code == grpc.StatusCode.UNAVAILABLE:
                return "refused"
            if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                return "timeout"
            return f"grpc_{code.name}"

    def close(self):
        pass  # the channel closes with its event loop


async def closed_loop(client, concurrency, seconds, outcomes=None):
    """Answered requests per second; `outcomes` (a dict), when given, counts every outcome."""
    end = time.monotonic() + seconds
    ok = 0

    async def worker():
        nonlocal ok
        while time.monotonic() < end:
            outcome = await client.call()
            if outcome == "ok":
                ok += 1
            if outcomes is not None:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    # Over the time until the last answer: the calls in flight at `end` still finish, and
    # dividing by `seconds` alone would count up to `concurrency` extra answers in the window.
    return ok / (time.monotonic() - start)


async def measure_capacity(client, seconds, server):
    """The best closed-loop goodput over CAPACITY_CLIENTS, and each point with the server's
    CPU per answered request."""
    points = {}
    for clients in CAPACITY_CLIENTS:
        outcomes, cpu0 = {}, server.cpu_seconds()
        rps = await closed_loop(client, clients, seconds, outcomes)
        cpu = server.cpu_seconds() - cpu0
        points[str(clients)] = {"ok_rps": round(rps, 1), "outcomes": outcomes,
                                "server_cpu_s": round(cpu, 2),
                                "server_cpu_ms_per_ok": round(1000 * cpu / max(1, outcomes.get("ok", 0)), 2)}
    best = max(points, key=lambda k: points[k]["ok_rps"])
    return points[best]["ok_rps"], best, points


async def open_loop(client, rate, seconds):
    """Sends rate*seconds requests on schedule; returns [(sent_offset_s, latency_s, outcome)]
    and how late the client fell behind its schedule at worst."""
    loop = asyncio.get_running_loop()
    t0 = loop.time() + 0.05
    records, tasks, worst_lag = [], [], 0.0

    async def one(at):
        outcome = await client.call()
        records.append((at - t0, loop.time() - at, outcome))

    for i in range(int(rate * seconds)):
        at = t0 + i / rate
        delay = at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            worst_lag = max(worst_lag, -delay)
        tasks.append(asyncio.create_task(one(at)))
    await asyncio.gather(*tasks)
    return records, worst_lag


def percentile(values, q):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(q / 100 * len(values)))]


def summarize(records, rate, seconds, lag):
    ok = [lat for _, lat, o in records if o == "ok"]
    refused = [lat for _, lat, o in records if o == "refused"]
    other = {}
    for _, _, o in records:
        if o not in ("ok", "refused"):
            other[o] = other.get(o, 0) + 1
    ms = lambda v: None if v is None else round(v * 1000, 2)  # noqa: E731
    # Goodput counts answers that came within the window: a queue that is still draining
    # after the load stops has not answered in time.
    in_window = sum(1 for sent, lat, o in records if o == "ok" and sent + lat <= seconds)
    return {"offered_rps": round(rate, 1), "sent": len(records),
            "goodput_rps": round(in_window / seconds, 1),
            "ok": len(ok), "refused": len(refused), "failed": other,
            "timeouts": other.get("timeout", 0),
            "p50_ms": ms(percentile(ok, 50)), "p99_ms": ms(percentile(ok, 99)),
            "max_ms": ms(max(ok) if ok else None),
            "refusal_p50_ms": ms(percentile(refused, 50)),
            "refusal_p99_ms": ms(percentile(refused, 99)),
            "client_lag_ms": round(lag * 1000, 1)}


class Sampler:
    """RSS, threads and open fds of a process every 0.25 s, each sample tagged with a phase."""

    def __init__(self, pid):
        self.pid, self.phase, self.samples = pid, "start", []
        self.t0 = time.monotonic()
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def sample(self):
        status = Path(f"/proc/{self.pid}/status").read_text()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
        fds = len(os.listdir(f"/proc/{self.pid}/fd"))
        return {"t": round(time.monotonic() - self.t0, 2), "phase": self.phase,
                "rss_mb": round(rss / 1024, 1), "threads": threads, "fds": fds}

    def _run(self):
        while not self.stop_event.wait(0.25):
            try:
                self.samples.append(self.sample())
            except (OSError, AttributeError):
                return

    def stop(self):
        self.stop_event.set()
        self.thread.join()

    def in_phase(self, prefix):
        return [s for s in self.samples if s["phase"].startswith(prefix)]


def raise_fd_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise SystemExit(f"the open-file limit is {hard}; the idle-connection phase needs "
                             f"{needed} (raise it with ulimit -n)")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def hold_idle_connections(rest_port, grpc_port):
    """Opens the idle and slow connections; returns them and a task that keeps the slow ones
    trickling one header byte every 2 s (never finishing the head)."""
    conns = []
    for port, n in ((rest_port, IDLE_REST + SLOW_REST), (grpc_port, IDLE_GRPC)):
        for _ in range(n):
            conns.append(await asyncio.open_connection("127.0.0.1", port))
    slow = conns[IDLE_REST:IDLE_REST + SLOW_REST]
    for _, writer in slow:
        writer.write(f"POST /v1/models/{MODEL}:predict HTTP/1.1\r\nHost: x\r\nX-Slow: ".encode())

    async def trickle():
        while True:
            await asyncio.sleep(2)
            for _, writer in slow:
                if not writer.is_closing():
                    writer.write(b"a")
    return conns, asyncio.create_task(trickle())


def still_open(conns):
    """How many of the held connections the server has not closed."""
    return sum(1 for reader, writer in conns
               if not writer.is_closing() and not reader.at_eof())


async def run_configuration(name, server, args, sampler):
    body = json.dumps({"instances": [[0.1 * i for i in range(8)]]}).encode()
    clients = {"rest": RestClient(server.rest_port, body),
               "grpc": GrpcClient(server.grpc_port,
                                  grpc_predict_request(MODEL, [0.1 * i for i in range(8)]))}
    result = {"capacity_rps": {}, "capacity_clients": {}, "capacity_points": {}, "levels": {},
              "idle_connections": {}}
    for proto, client in clients.items():
        sampler.phase = f"{proto} capacity"
        await closed_loop(client, 8, 1.0)  # warm-up
        capacity, best, points = await measure_capacity(client, args.capacity_seconds, server)
        result["capacity_rps"][proto] = round(capacity, 1)
        result["capacity_clients"][proto] = best
        result["capacity_points"][proto] = points
        print(f"[{name}] {proto} capacity: {capacity:.0f} requests/s (closed loop, {best} "
              f"clients; every point: {json.dumps(points)})", flush=True)
        result["levels"][proto] = {}
        for factor in args.factors:
            sampler.phase = f"{proto} {factor}x"
            cpu0 = server.cpu_seconds()
            records, lag = await open_loop(client, factor * capacity, args.seconds)
            point = summarize(records, factor * capacity, args.seconds, lag)
            point["server_cpu_share"] = round((server.cpu_seconds() - cpu0) / args.seconds, 2)
            point["goodput_of_capacity"] = round(point["goodput_rps"] / capacity, 3)
            result["levels"][proto][f"{factor}x"] = point
            print(f"[{name}] {proto} {factor}x: {json.dumps(point)}", flush=True)
            sampler.phase = f"{proto} {factor}x pause"
            await asyncio.sleep(1.0)  # let whatever is queued drain before the next level
    # Idle and slow connections held while both protocols run at half capacity.
    sampler.phase = "idle connections open"
    conns, trickle = await hold_idle_connections(server.rest_port, server.grpc_port)
    await asyncio.sleep(1.0)
    sampler.phase = "idle connections + load"
    runs = await asyncio.gather(*(open_loop(client, 0.3 * result["capacity_rps"][proto],
                                            args.seconds)
                                  for proto, client in clients.items()))
    for (proto, _), (records, lag) in zip(clients.items(), runs):
        point = summarize(records, 0.3 * result["capacity_rps"][proto], args.seconds, lag)
        result["idle_connections"][proto] = point
        print(f"[{name}] {proto} 0.3x beside {len(conns)} idle/slow connections: "
              f"{json.dumps(point)}", flush=True)
    result["idle_connections"]["held"] = len(conns)
    result["idle_connections"]["still_open_after"] = still_open(conns)
    result["idle_connections"]["server_fds_peak"] = max(
        (s["fds"] for s in sampler.in_phase("idle connections")), default=None)
    trickle.cancel()
    for _, writer in conns:
        writer.close()
    for client in clients.values():
        client.close()
    sampler.phase = "end"
    return result


def memory_summary(sampler):
    load = [s for s in sampler.samples if "x" in s["phase"] or "idle" in s["phase"]]
    if not load:
        return {}
    first_level = next((s for s in sampler.samples if s["phase"].endswith("x")), load[0])
    return {"rss_mb_at_first_level": first_level["rss_mb"],
            "rss_mb_max": max(s["rss_mb"] for s in load),
            "rss_mb_end": sampler.samples[-1]["rss_mb"],
            "threads_max": max(s["threads"] for s in load),
            "threads_end": sampler.samples[-1]["threads"]}


def table(results):
    lines = ["| configuration | proto | offered | goodput (of capacity) | p50 / p99 ms answered | "
             "refused | refusal p99 ms | timeouts / other failures |",
             "|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        for proto, levels in r["levels"].items():
            lines.append(f"| {name} | {proto} | capacity | {r['capacity_rps'][proto]:.0f}/s "
                         f"(closed loop, {r['capacity_clients'][proto]} clients) | | | | |")
            rows = list(levels.items()) + [("0.3x each + 2,000 idle/slow conns",
                                            r["idle_connections"][proto])]
            for level, p in rows:
                share = p["goodput_rps"] / r["capacity_rps"][proto]
                failures = sum(p["failed"].values()) - p["timeouts"]
                lines.append(f"| {name} | {proto} | {level}: {p['offered_rps']:.0f}/s | "
                             f"{p['goodput_rps']:.0f}/s ({share:.0%}) | {p['p50_ms']} / "
                             f"{p['p99_ms']} | {p['refused']} | {p['refusal_p99_ms']} | "
                             f"{p['timeouts']} / {failures} |")
    return "\n".join(lines)


def plot(results, samplers, path):
    sys.path.append(str(ROOT / "loadtest/.tools/py"))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(17, 5))
    for i, (name, r) in enumerate(results.items()):
        for j, proto in enumerate(r["levels"]):
            cap = r["capacity_rps"][proto]
            pts = [(1.0, cap, None)] + [(p["offered_rps"] / cap, p["goodput_rps"], p["p99_ms"])
                                        for p in r["levels"][proto].values()]
            style = dict(color=f"C{2 * i + j}", marker="o", label=f"{name} {proto}")
            axes[0].plot([x for x, _, _ in pts], [g / cap for _, g, _ in pts], **style)
            axes[1].plot([x for x, _, p in pts if p], [p for _, _, p in pts if p], **style)
        s = samplers[name]
        axes[2].plot([x["t"] for x in s.samples], [x["rss_mb"] for x in s.samples],
                     color=f"C{2 * i}", label=f"{name} RSS")
    axes[0].axhline(0.9, color="grey", linestyle=":", label="90% of capacity")
    axes[0].set_title("goodput / capacity against offered load")
    axes[0].set_xlabel("offered load / capacity")
    axes[0].set_ylim(0, max([1.2] + [max(map(float, line.get_ydata())) * 1.1
                                      for line in axes[0].lines if len(line.get_ydata())]))
    axes[1].set_title("p99 of answered requests")
    axes[1].set_xlabel("offered load / capacity")
    axes[1].set_ylabel("ms")
    axes[1].set_yscale("log")
    axes[2].set_title("server RSS over the run")
    axes[2].set_xlabel("s")
    axes[2].set_ylabel("MB")
    for ax in axes:
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def split_cpus(spec):
    """The server's CPUs and the client's. The client's work grows with the offered rate, so on
    shared CPUs a 4x load would take the cores it measures from the server: by default it keeps
    CPU 0 to itself and the server (whose pools size themselves by its affinity) gets the rest."""
    available = sorted(os.sched_getaffinity(0))
    if spec == "shared" or (spec == "auto" and len(available) < 2):
        return set(available), set(available)
    if spec == "auto":
        return set(available[1:]), {available[0]}
    server = set()
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        server.update(range(int(lo), int(hi or lo) + 1))
    client = set(available) - server or set(available)
    return server, client


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="per open-loop level")
    ap.add_argument("--capacity_seconds", type=float, default=5.0,
                    help="per closed-loop capacity point")
    ap.add_argument("--quick", action="store_true", help="3 s levels (the test command's form)")
    ap.add_argument("--compare", action="store_true",
                    help="also run with admission control off (Tern before it)")
    ap.add_argument("--rows", type=int, default=256, help="model cost: rows per request")
    ap.add_argument("--layers", type=int, default=6, help="model cost: 512x512 layers")
    ap.add_argument("--server_args", default="", help="extra build/tern flags")
    ap.add_argument("--server_cpus", default="auto",
                    help="CPUs for the server, e.g. 1-3; 'auto': all but CPU 0, which the client "
                         "keeps (on one CPU: shared); 'shared': client and server share all")
    ap.add_argument("--out", default=str(ROOT / "loadtest/results"))
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.capacity_seconds = 3.0, 1.0
    args.factors = [2, 4]
    server_cpus, client_cpus = split_cpus(args.server_cpus)
    os.sched_setaffinity(0, client_cpus)  # before any thread starts: they inherit it
    fd_limit = raise_fd_limit(8192)
    base = ensure_model(args.rows, args.layers)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    configurations = {"admission": args.server_args.split()}
    if args.compare:
        configurations["no admission"] = NO_ADMISSION + args.server_args.split()
    results, samplers = {}, {}
    for name, flags in configurations.items():
        server = Server(MODEL, base, flags, log_dir=out, cpus=server_cpus)
        sampler = Sampler(server.proc.pid)
        try:
            results[name] = asyncio.run(run_configuration(name, server, args, sampler))
        finally:
            sampler.stop()
            alive = server.proc.poll() is None
            server.stop()
        results[name]["server_flags"] = flags
        results[name]["server_survived"] = alive
        results[name]["memory"] = memory_summary(sampler)
        results[name]["samples"] = sampler.samples
        samplers[name] = sampler
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "cores": os.cpu_count(), "server_cpus": sorted(server_cpus),
              "client_cpus": sorted(client_cpus), "load_average_at_end": os.getloadavg(),
              "seconds_per_level": args.seconds, "client_timeout_s": TIMEOUT_S,
              "fd_limit": fd_limit, "model": {"rows": args.rows, "layers": args.layers},
              "results": results}
    (out / "overload.json").write_text(json.dumps(report, indent=1))
    plot(results, samplers, out / "overload.png")
    print(table(results))
    for name, r in results.items():
        print(f"[{name}] memory: {json.dumps(r['memory'])}; idle connections held "
              f"{r['idle_connections']['held']}, open after {r['idle_connections']['still_open_after']}")
    print(f"wrote {out / 'overload.json'} and {out / 'overload.png'}")
    a = results["admission"]
    bad = [f"{proto} {lvl}: {p['failed']}" for proto, levels in a["levels"].items()
           for lvl, p in levels.items() if p["failed"]]
    bad += [f"{proto} beside idle connections: {p['failed']} refused {p['refused']}"
            for proto, p in a["idle_connections"].items()
            if isinstance(p, dict) and (p["failed"] or p["ok"] < p["sent"] / 2)]
    if not a["server_survived"]:
        bad.append("the server exited")
    if bad:
        print("FAILED: " + "; ".join(bad))
        sys.exit(1)


if __name__ == "__main__":
    main()
