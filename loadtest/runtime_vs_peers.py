#!/usr/bin/env python3
"""Tern's runtime against TensorFlow and ONNX Runtime on the same SavedModels, interleaved.

Usage: .venv/bin/python loadtest/runtime_vs_peers.py [--quick] [--rounds 3] [--seconds 1]
           [--models NAME ...] [--batches 1 8 64] [--threads 1 all] [--out loadtest/results]
           [--baseline OTHER_RUNTIME_BENCH]

For every model, batch size and thread setting, one round times TensorFlow (the SavedModel's
signature in TF, as TF Serving runs it), ONNX Runtime (on tf2onnx's conversion of the same
SavedModel) and Tern (build/loadtest/runtime_bench) on the same .npy inputs, in an order that
rotates from round to round, and keeps the median over rounds; a ratio (Tern / ORT, Tern / TF,
baseline / ORT) is the median of the rounds' ratios, each of two engines timed seconds apart, so a
shared machine's drift from one round to the next (up to 25%) divides out. "1" thread: intra- and inter-op
parallelism 1 everywhere, CPU time per row (robust to a shared machine's other load); "all": one
thread per core for each engine's intra-op pool, wall time per row. The answers are compared too
(the first outputs' leading elements; a benchmark of wrong answers would mean nothing).

Models (exported into build/peers/ on first use, converted once with tf2onnx --opset 17):
keras.applications CNNs with random weights at 32x32x3 (InceptionV3 75x75x3), a BERT-like
encoder (keras_hub BertBackbone, 4 layers, hidden 256, sequence 128) and the repo's MLP.
Writes runtime_vs_peers.json, .md (the table) and .png (Tern / ORT per row) into --out.
--baseline: a second runtime_bench binary (e.g. one built at an earlier commit) timed as a fourth
engine in the same rotation, for before/after ratios measured in one run.
--quick: MobileNetV2 and the MLP, batch 1 and 8, one thread, one round of 0.3 s.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT / "build" / "peers"
RUNTIME_BENCH = ROOT / "build" / "loadtest" / "runtime_bench"
SEQ = 128
VOCAB = 30522

# name -> how to export it, its signature and its inputs (name -> (dtype, row shape, kind)).
MODELS = {
    "mobilenet_v2": {"app": "mobilenet_v2", "inputs": {"image": ("float32", (32, 32, 3), "normal")}},
    "resnet50": {"app": "resnet50", "inputs": {"image": ("float32", (32, 32, 3), "normal")}},
    "efficientnet_b0": {"app": "efficientnet_b0",
                        "inputs": {"image": ("float32", (32, 32, 3), "normal")}},
    "inception_v3": {"app": "inception_v3", "inputs": {"image": ("float32", (75, 75, 3), "normal")}},
    "densenet121": {"app": "densenet121", "inputs": {"image": ("float32", (32, 32, 3), "normal")}},
    "bert_encoder": {"bert": True, "inputs": {"token_ids": ("int32", (SEQ,), "tokens"),
                                              "segment_ids": ("int32", (SEQ,), "zeros"),
                                              "padding_mask": ("int32", (SEQ,), "mask")}},
    "mlp": {"dir": ROOT / "tests" / "models" / "mlp" / "model" / "1",
            "inputs": {"x": ("float32", (256,), "normal")}},
}


def model_dir(name):
    spec = MODELS[name]
    if "dir" in spec:
        return Path(spec["dir"])
    return PEERS / "saved_models" / name / "1"


def export_bert(path):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import keras_hub
    keras.utils.set_random_seed(1)
    model = keras_hub.models.BertBackbone(vocabulary_size=VOCAB, num_layers=4, num_heads=4,
                                          hidden_dim=256, intermediate_dim=1024,
                                          max_sequence_length=SEQ)
    model.export(str(path), format="tf_saved_model", verbose=False)


def export(name):
    """SavedModel for `name` (in its own process: Keras 2 and Keras 3 exporters do not mix)."""
    path = model_dir(name)
    if (path / "saved_model.pb").exists():
        return path
    spec = MODELS[name]
    path.parent.mkdir(parents=True, exist_ok=True)
    if "app" in spec:
        subprocess.run([sys.executable, str(ROOT / "loadtest" / "keras_apps.py"), "--out",
                        str(PEERS / "saved_models"), "--only", spec["app"]], check=True)
        exported = PEERS / "saved_models" / spec["app"] / "1"
        if exported != path:
            exported.parent.rename(path.parent)
    else:
        subprocess.run([sys.executable, __file__, "--export-bert", str(path)], check=True)
    return path


def onnx_path(name):
    path = PEERS / "onnx" / f"{name}.onnx"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    log = path.with_suffix(".log")
    with open(log, "w") as out:
        result = subprocess.run(
            [sys.executable, "-m", "tf2onnx.convert", "--saved-model", str(model_dir(name)),
             "--signature_def", "serving_default", "--opset", "17", "--output", str(path)],
            stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    if result.returncode != 0:
        raise RuntimeError(f"tf2onnx failed on {name}: see {log}")
    return path


def make_inputs(name, batch):
    """The .npy files of one model and batch size (same bytes for every engine)."""
    folder = PEERS / "inputs" / f"{name}_b{batch}"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    files = {}
    for input_name, (dtype, row, kind) in MODELS[name]["inputs"].items():
        shape = (batch,) + tuple(row)
        if kind == "normal":
            value = rng.standard_normal(shape).astype(dtype)
        elif kind == "tokens":
            value = rng.integers(1, VOCAB, shape).astype(dtype)
        elif kind == "mask":  # the last quarter of every sequence is padding
            value = np.ones(shape, dtype)
            value[..., row[-1] * 3 // 4:] = 0
        else:
            value = np.zeros(shape, dtype)
        files[input_name] = folder / f"{input_name}.npy"
        np.save(files[input_name], value)
    return files


# ---------------------------------------------------------------------------------------------
# Workers: one long-lived process per (engine, threads), so TensorFlow's and ONNX Runtime's
# thread pools are set once and models stay loaded between rounds. A command is a JSON line.

def time_loop(call, seconds):
    for _ in range(3):
        out = call()
    runs, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
    while runs < 3 or time.perf_counter() - wall0 < seconds:
        call()
        runs += 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"runs": runs, "wall_us_per_run": wall * 1e6 / runs,
            "cpu_us_per_run": cpu * 1e6 / runs, "output_head": out[:16].tolist()}


def worker(engine, threads):
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    loaded = {}
    if engine == "tf":
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    else:
        import onnxruntime as ort
    for line in sys.stdin:
        command = json.loads(line)
        arrays = {k: np.load(v) for k, v in command["inputs"].items()}
        if engine == "tf":
            if command["model"] not in loaded:
                loaded[command["model"]] = tf.saved_model.load(command["model"])
            fn = loaded[command["model"]].signatures["serving_default"]
            feeds = {k: tf.constant(v) for k, v in arrays.items()}
            first = sorted(fn.structured_outputs)[0]

            def call():
                return fn(**feeds)[first].numpy().reshape(-1)
        else:
            if command["model"] not in loaded:
                options = ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                loaded[command["model"]] = ort.InferenceSession(
                    command["model"], options, providers=["CPUExecutionProvider"])
            session = loaded[command["model"]]
            # tf2onnx names inputs after the signature's (sometimes with ":0").
            feeds = {i.name: arrays[i.name.split(":")[0]] for i in session.get_inputs()}
            names = sorted(o.name for o in session.get_outputs())

            def call():
                return session.run([names[0]], feeds)[0].reshape(-1)
        print(json.dumps(time_loop(call, command["seconds"])), flush=True)


class Worker:
    def __init__(self, engine, threads):
        self.proc = subprocess.Popen([sys.executable, __file__, "--worker", engine, str(threads)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def time(self, model, inputs, seconds):
        self.proc.stdin.write(json.dumps({"model": str(model), "seconds": seconds,
                                          "inputs": {k: str(v) for k, v in inputs.items()}}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("worker died")
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def time_tern(model, inputs, seconds, threads, bench=RUNTIME_BENCH):
    args = [str(bench), f"--model={model}", f"--seconds={seconds}",
            f"--intra_op_threads={threads}"] + [f"--input={k}={v}" for k, v in inputs.items()]
    out = subprocess.run(args, capture_output=True, text=True, env=dict(os.environ,
                                                                        OMP_NUM_THREADS="1"))
    if out.returncode != 0:
        raise RuntimeError(f"runtime_bench failed: {out.stderr.strip()}")
    return json.loads(out.stdout)


# ---------------------------------------------------------------------------------------------

def max_relative_error(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape or a.size == 0:
        return float("nan")
    return float(np.max(np.abs(a - b)) / max(1e-6, float(np.max(np.abs(b)))))


def run(args):
    cores = os.cpu_count()
    thread_settings = [cores if t == "all" else int(t) for t in args.threads]
    for name in args.models:
        export(name)
        onnx_path(name)
    workers = {(e, t): Worker(e, t) for e in ("tf", "ort") for t in thread_settings}
    engines = ["tf", "ort", "tern"] + (["base"] if args.baseline else [])
    samples = {}
    try:
        for r in range(args.rounds):
            for name in args.models:
                for batch in args.batches:
                    inputs = make_inputs(name, batch)
                    for threads in thread_settings:
                        key = (name, batch, threads)
                        row = samples.setdefault(key, {e: [] for e in engines})
                        shift = r % len(engines)
                        order = engines[shift:] + engines[:shift]
                        for engine in order:
                            if engine == "tern":
                                result = time_tern(model_dir(name), inputs, args.seconds, threads)
                            elif engine == "base":
                                result = time_tern(model_dir(name), inputs, args.seconds, threads,
                                                   bench=args.baseline)
                            elif engine == "tf":
                                result = workers[("tf", threads)].time(model_dir(name), inputs,
                                                                       args.seconds)
                            else:
                                result = workers[("ort", threads)].time(onnx_path(name), inputs,
                                                                        args.seconds)
                            row[engine].append(result)
                        print(f"round {r} {name} batch {batch} threads {threads}: " + ", ".join(
                            f"{e} {per_row(row[e][-1], batch, threads):.1f}" for e in engines),
                            flush=True)
    finally:
        for w in workers.values():
            w.close()
    return summarize(samples, cores)


def per_row(result, batch, threads):
    key = "cpu_us_per_run" if threads == 1 else "wall_us_per_run"
    return result[key] / batch


def summarize(samples, cores):
    rows = []
    for (name, batch, threads), by_engine in samples.items():
        row = {"model": name, "batch": batch, "threads": threads,
               "measure": "cpu" if threads == 1 else "wall"}
        for engine, results in by_engine.items():
            row[engine + "_us_per_row"] = statistics.median(
                per_row(r, batch, threads) for r in results)
        tf_head = by_engine["tf"][-1]["output_head"]
        row["tern_vs_tf_max_rel_error"] = max_relative_error(by_engine["tern"][-1]["output_head"],
                                                             tf_head)
        row["ort_vs_tf_max_rel_error"] = max_relative_error(by_engine["ort"][-1]["output_head"],
                                                            tf_head)
        def ratio(a, b):
            return statistics.median(per_row(x, batch, threads) / per_row(y, batch, threads)
                                     for x, y in zip(by_engine[a], by_engine[b]))
        row["tern_over_ort"] = ratio("tern", "ort")
        row["tern_over_tf"] = ratio("tern", "tf")
        if "base" in by_engine:
            row["base_over_ort"] = ratio("base", "ort")
        rows.append(row)
    return {"cores": cores, "rows": rows}


def table(result):
    base = any("base_over_ort" in r for r in result["rows"])
    extra = " baseline | baseline / ORT |" if base else ""
    lines = ["| model | batch | threads | TF | ORT | Tern | Tern / ORT | Tern / TF | max rel. err. |"
             + extra, "|---|---|---|---|---|---|---|---|---|" + ("---|---|" if base else "")]
    for r in result["rows"]:
        lines.append(
            f"| {r['model']} | {r['batch']} | {r['threads']} ({r['measure']}) "
            f"| {r['tf_us_per_row']:,.0f} | {r['ort_us_per_row']:,.0f} | {r['tern_us_per_row']:,.0f} "
            f"| {r['tern_over_ort']:.2f}x | {r['tern_over_tf']:.2f}x "
            f"| {r['tern_vs_tf_max_rel_error']:.1e} |"
            + (f" {r['base_us_per_row']:,.0f} | {r['base_over_ort']:.2f}x |" if base else ""))
    return "\n".join(lines)


def plot(result, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = result["rows"]
    labels = [f"{r['model']}\nb{r['batch']} t{r['threads']}" for r in rows]
    fig, ax = plt.subplots(figsize=(max(6, len(rows) * 0.55), 4))
    ax.bar(range(len(rows)), [r["tern_over_ort"] for r in rows], label="Tern / ORT")
    ax.plot(range(len(rows)), [r["tern_over_tf"] for r in rows], "o", color="C3",
            label="Tern / TF")
    ax.axhline(1.0, color="k", linewidth=0.8)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(labels, rotation=90, fontsize=7)
    ax.set_ylabel("time per row, ratio (lower is better)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv):
    if argv[:1] == ["--worker"]:
        return worker(argv[1], int(argv[2]))
    if argv[:1] == ["--export-bert"]:
        return export_bert(Path(argv[1]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--models", nargs="*", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--batches", nargs="*", type=int, default=[1, 8, 64])
    parser.add_argument("--threads", nargs="*", default=["1", "all"])
    parser.add_argument("--out", default=str(ROOT / "loadtest" / "results"))
    parser.add_argument("--baseline", help="another runtime_bench binary, timed alongside")
    args = parser.parse_args(argv)
    if args.quick:
        args.models, args.batches, args.threads = ["mobilenet_v2", "mlp"], [1, 8], ["1"]
        args.rounds, args.seconds = 1, 0.3
    if not RUNTIME_BENCH.exists():
        sys.exit(f"{RUNTIME_BENCH} is missing: scripts/build.sh runtime_bench")
    result = run(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "runtime_vs_peers.json").write_text(json.dumps(result, indent=1))
    text = table(result)
    (out / "runtime_vs_peers.md").write_text(text + "\n")
    plot(result, out / "runtime_vs_peers.png")
    print(text)
    bad = [r for r in result["rows"] if not r["tern_vs_tf_max_rel_error"] <= 1e-3]
    if bad:
        print("Tern's answers differ from TensorFlow's:", [(r["model"], r["batch"]) for r in bad])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
