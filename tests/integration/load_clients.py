"""Concurrent REST and gRPC clients for half_plus_two / half_plus_three, recording every answer.

Shared by the hot-swap tests and loadtest/hot_swap.py. Each client sends x = [1.0] in a loop
until stopped (half_plus_two answers 2.5, half_plus_three 3.5) and records
(send time, latency s, answer or None, error text or None).
"""
import os
import shutil
import threading
import time
from pathlib import Path

import grpc
import numpy as np
import requests
from tensorflow.core.framework import tensor_pb2, tensor_shape_pb2, types_pb2
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc


def _grpc_request(model):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[1.0])
    tensor.tensor_shape.CopyFrom(tensor_shape_pb2.TensorShapeProto(
        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)]))
    request.inputs["x"].CopyFrom(tensor)
    return request


def _first_float(tensor):
    if tensor.tensor_content:
        return float(np.frombuffer(tensor.tensor_content, dtype=np.float32)[0])
    return tensor.float_val[0]


class LoadClients:
    """n_rest + n_grpc client threads against one model; records stay per client."""

    def __init__(self, rest_base, grpc_target, model, n_rest=4, n_grpc=4, max_requests=200000):
        self.rest_url = f"{rest_base}/v1/models/{model}:predict"
        self.grpc_target = grpc_target
        self.model = model
        self.stop_event = threading.Event()
        self.records = [[] for _ in range(n_rest + n_grpc)]
        self.kinds = ["rest"] * n_rest + ["grpc"] * n_grpc
        self.max_requests = max_requests
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(n_rest + n_grpc)]

    def _run(self, i):
        out = self.records[i]
        if self.kinds[i] == "rest":
            session = requests.Session()
            while not self.stop_event.is_set() and len(out) < self.max_requests:
                t0 = time.perf_counter()
                try:
                    r = session.post(self.rest_url, json={"instances": [1.0]}, timeout=30)
                    dt = time.perf_counter() - t0
                    if r.status_code == 200:
                        out.append((t0, dt, r.json()["predictions"][0], None))
                    else:
                        out.append((t0, dt, None, f"HTTP {r.status_code}: {r.text}"))
                except requests.RequestException as e:
                    out.append((t0, time.perf_counter() - t0, None, repr(e)))
        else:
            with grpc.insecure_channel(self.grpc_target) as channel:
                stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
                request = _grpc_request(self.model)
                while not self.stop_event.is_set() and len(out) < self.max_requests:
                    t0 = time.perf_counter()
                    try:
                        response = stub.Predict(request, timeout=30)
                        out.append((t0, time.perf_counter() - t0,
                                    _first_float(response.outputs["y"]), None))
                    except grpc.RpcError as e:
                        out.append((t0, time.perf_counter() - t0, None,
                                    f"{e.code()}: {e.details()}"))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=60)

    def all_records(self):
        return [r for recs in self.records for r in recs]

    def errors(self):
        return [r[3] for r in self.all_records() if r[3] is not None]

    def wait_until_all_answer(self, value, timeout_s=60):
        """Waits until every client has had an answer `value` sent after this call began.
        Returns the seconds it took, or raises TimeoutError."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout_s:
            if all(any(r[0] >= start and r[2] == value for r in recs[-50:])
                   for recs in self.records):
                return time.perf_counter() - start
            time.sleep(0.01)
        raise TimeoutError(f"not every client answered {value} within {timeout_s}s")

    def first_answer_after(self, value, t):
        """When the first request sent after t was answered with `value`, over all clients."""
        times = [r[0] + r[1] for r in self.all_records() if r[0] >= t and r[2] == value]
        return min(times) if times else None


def copy_atomically(src, base, version):
    """Copies src next to the versions under a non-numeric name, then renames it in place."""
    staging = Path(base) / f".incoming-{version}"
    shutil.copytree(src, staging)
    os.rename(staging, Path(base) / str(version))


def copy_slowly(src, dst, pause_s=0.05, chunk=4096):
    """Copies src to dst file by file and chunk by chunk, pausing in between, as a slow upload
    would: the version directory exists long before it is complete."""
    src, dst = Path(src), Path(dst)
    dst.mkdir()
    for path in sorted(src.rglob("*"), key=lambda p: (p.is_file(), str(p))):
        target = dst / path.relative_to(src)
        if path.is_dir():
            target.mkdir(exist_ok=True)
            continue
        data = path.read_bytes()
        with open(target, "wb") as f:
            for i in range(0, max(len(data), 1), chunk):
                f.write(data[i:i + chunk])
                f.flush()
                time.sleep(pause_s)
