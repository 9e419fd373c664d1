"""Batching off vs on, repeated: the ratio per repetition, for a loaded machine where a single
measurement per point (batching.py, v2_batching.py) is not enough. Per repetition the
configurations run in rotated order, so `on` is measured before `off` as often as after.

    .venv/bin/python loadtest/batching_repeat.py SCENARIO LEVELS REPS SECONDS CONFIGS [PROTOCOLS]
    .venv/bin/python loadtest/batching_repeat.py resnet50 32 3 3 off,on_t0,auto_5ms \
        grpc,rest,triton_grpc,triton_http

SCENARIO as batching.py's --scenario; CONFIGS from batching.configs() ("off" first: ratios are to
it); PROTOCOLS: grpc (TF Serving API, perf_analyzer), rest (:predict, wrk), triton_grpc and
triton_http (KServe v2, perf_analyzer). Prints, per protocol and level, the median throughput,
rows per batch (tern_batch_size) and the on/off ratio of every repetition.
"""
import json
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import drivers, batching
import numpy as np
scen = batching.SCENARIOS[sys.argv[1]]
batching.ensure_model(scen)  # exported on first use, as batching.py does
levels = [int(x) for x in sys.argv[2].split(",")]
reps = int(sys.argv[3]); secs = float(sys.argv[4])
names = sys.argv[5].split(",")
protos = sys.argv[6].split(",") if len(sys.argv) > 6 else ["grpc"]
bin_dir = drivers.tools_bin()
shape = [1] + scen["row"]
x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
def rows(server):
    text = urllib.request.urlopen(f"http://127.0.0.1:{server.rest_port}/metrics", timeout=10).read().decode()
    v = {}
    for line in text.splitlines():
        for n in ("tern_batch_size_sum", "tern_batch_size_count"):
            if line.startswith(n + '{model="' + server.model + '"}'):
                v[n] = float(line.split()[-1])
    return v.get("tern_batch_size_sum", 0), v.get("tern_batch_size_count", 0)
with tempfile.TemporaryDirectory() as tmp:
    ij = Path(tmp) / "in.json"
    ij.write_text(json.dumps({"data": [{scen["input"]: {"content": x.flatten().tolist(), "shape": shape}}]}))
    cfg = batching.configs(tmp, 2)
    servers = {n: drivers.Server(scen["model"], scen["dir"], cfg[n], log_dir=tmp) for n in names}
    try:
        for proto in protos:
          for c in levels:
            res = {n: [] for n in names}
            rpb = {n: [] for n in names}
            for r in range(reps):
                for n in names[r % len(names):] + names[:r % len(names)]:
                    s = servers[n]
                    b0 = rows(s)
                    if proto == "grpc":
                        out = drivers.perf_analyzer(bin_dir, s, c, secs, ij, f"{scen['input']}:" + ",".join(map(str, shape)), stability_percentage=10000)
                    elif proto == "rest":
                        out = drivers.wrk(s, c, int(secs), {"instances": x.tolist()})
                    else:
                        out = drivers.perf_analyzer(bin_dir, s, c, secs, service_kind="triton", protocol=proto.split("_")[1], stability_percentage=10000)
                    b1 = rows(s)
                    res[n].append(out["throughput_rps"])
                    if b1[1] > b0[1]: rpb[n].append((b1[0]-b0[0])/(b1[1]-b0[1]))
            line = f"{proto} c={c}: " + "  ".join(f"{n} {statistics.median(res[n]):.0f}" + (f" ({statistics.median(rpb[n]):.1f} r/b)" if rpb[n] else "") for n in names)
            if "off" in names:
                line += " | ratios: " + " ".join(f"{n} " + ",".join(f"{a/b:.2f}" for a, b in zip(res[n], res['off'])) for n in names if n != "off")
            print(line, flush=True)
    finally:
        for s in servers.values(): s.stop()
