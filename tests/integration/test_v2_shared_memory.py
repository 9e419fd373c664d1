"""Triton's system shared memory extension against a real build/tern, driven by the official
Triton clients (tritonclient.http and tritonclient.grpc with tritonclient.utils.shared_memory)
and perf_analyzer --shared-memory=system: regions are registered by POSIX shm key, inputs are
read from them and outputs written into them, and bad offsets and sizes get errors that say
what is wrong."""
import re
import subprocess
import sys
import threading

import numpy as np
import pytest
import requests
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
import tritonclient.utils.shared_memory as shm
from tritonclient.utils import InferenceServerException

from conftest import ROOT, TF_SERVING_MODELS

sys.path.insert(0, str(ROOT / "loadtest"))
import drivers  # noqa: E402

MODEL = "half_plus_two"


@pytest.fixture(scope="module")
def server(tern_factory):
    return tern_factory(MODEL, TF_SERVING_MODELS / "saved_model_half_plus_two_tf2_cpu")


def client_for(server, protocol):
    if protocol == "http":
        return httpclient.InferenceServerClient(f"127.0.0.1:{server.rest_port}"), httpclient
    return grpcclient.InferenceServerClient(server.grpc_target), grpcclient


def region_names(client, protocol):
    status = client.get_system_shared_memory_status()
    if protocol == "http":
        return sorted(r["name"] for r in status)
    return sorted(status.regions.keys())


@pytest.fixture
def regions(request):
    """Creates shm objects for a test and destroys them (and what the server holds) after it."""
    made = []

    def make(name, byte_size):
        key = f"/tern_test_{name}_{id(made)}"
        handle = shm.create_shared_memory_region(name, key, byte_size)
        made.append(handle)
        return key, handle

    yield make
    for handle in made:
        shm.destroy_shared_memory_region(handle)


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_metadata_lists_system_shared_memory_but_not_cuda(server, protocol):
    client, _ = client_for(server, protocol)
    metadata = client.get_server_metadata()
    extensions = metadata["extensions"] if protocol == "http" else list(metadata.extensions)
    assert "system_shared_memory" in extensions
    assert "cuda_shared_memory" not in extensions


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_register_status_unregister(server, protocol, regions):
    client, _ = client_for(server, protocol)
    client.unregister_system_shared_memory()
    key_a, _ = regions("a", 64)
    key_b, _ = regions("b", 128)
    client.register_system_shared_memory("a", key_a, 64)
    client.register_system_shared_memory("b", key_b, 100, offset=28)
    assert region_names(client, protocol) == ["a", "b"]
    one = client.get_system_shared_memory_status("b")
    if protocol == "http":
        assert one == [{"name": "b", "key": key_b, "offset": 28, "byte_size": 100}]
    else:
        r = one.regions["b"]
        assert (r.name, r.key, r.offset, r.byte_size) == ("b", key_b, 28, 100)

    with pytest.raises(InferenceServerException, match="'a' is already registered"):
        client.register_system_shared_memory("a", key_a, 64)
    with pytest.raises(InferenceServerException, match="no system shared memory region 'zz'"):
        client.get_system_shared_memory_status("zz")

    client.unregister_system_shared_memory("a")
    assert region_names(client, protocol) == ["b"]
    client.unregister_system_shared_memory()
    assert region_names(client, protocol) == []


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_register_refuses_what_cannot_be_mapped(server, protocol, regions):
    client, _ = client_for(server, protocol)
    key, _ = regions("small", 32)
    with pytest.raises(InferenceServerException, match=r"cannot open shared memory key '/tern_no_such"):
        client.register_system_shared_memory("x", "/tern_no_such_key", 32)
    with pytest.raises(InferenceServerException,
                       match=r"offset 16 \+ byte_size 32 = 48 bytes, but shared memory key .* has only 32"):
        client.register_system_shared_memory("x", key, 32, offset=16)
    with pytest.raises(InferenceServerException, match="byte_size must be greater than 0"):
        client.register_system_shared_memory("x", key, 0)
    assert region_names(client, protocol) == []


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_infer_reads_inputs_from_and_writes_outputs_into_shared_memory(server, protocol, regions):
    client, module = client_for(server, protocol)
    x = np.array([1.0, 2.0, 5.0, -4.0], dtype=np.float32)
    in_key, in_handle = regions("in", x.nbytes)
    # The output lives at byte 8 of a region that itself starts at byte 16 of its object.
    out_key, out_handle = regions("out", 16 + 8 + x.nbytes)
    shm.set_shared_memory_region(in_handle, [x])
    client.register_system_shared_memory("in", in_key, x.nbytes)
    client.register_system_shared_memory("out", out_key, 8 + x.nbytes, offset=16)
    try:
        tensor = module.InferInput("x", list(x.shape), "FP32")
        tensor.set_shared_memory("in", x.nbytes)
        output = module.InferRequestedOutput("y")
        output.set_shared_memory("out", x.nbytes, offset=8)
        result = client.infer(MODEL, [tensor], outputs=[output])
        # The response describes the output but carries none of its data.
        meta = result.get_output("y")
        if protocol == "http":
            assert meta["datatype"] == "FP32" and meta["shape"] == [4]
            assert "data" not in meta and "parameters" not in meta
        else:
            assert meta.datatype == "FP32" and list(meta.shape) == [4]
            assert result.get_response().raw_output_contents[0] == b""
        y = shm.get_contents_as_numpy(out_handle, np.float32, [4], offset=16 + 8)
        np.testing.assert_allclose(y, x / 2 + 2)

        # Input from shared memory, output in the response.
        result = client.infer(MODEL, [tensor])
        np.testing.assert_allclose(result.as_numpy("y"), x / 2 + 2)
    finally:
        client.unregister_system_shared_memory()


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_bad_offsets_and_sizes_get_clear_errors(server, protocol, regions):
    client, module = client_for(server, protocol)
    x = np.arange(4, dtype=np.float32)
    key, handle = regions("r", 32)
    shm.set_shared_memory_region(handle, [x])
    client.register_system_shared_memory("r", key, 32)

    def infer_with(name="r", byte_size=16, offset=0, shape=(4,), out=None):
        tensor = module.InferInput("x", list(shape), "FP32")
        tensor.set_shared_memory(name, byte_size, offset=offset)
        outputs = None
        if out is not None:
            outputs = [module.InferRequestedOutput("y")]
            outputs[0].set_shared_memory(*out)
        return client.infer(MODEL, [tensor], outputs=outputs)

    try:
        np.testing.assert_allclose(infer_with().as_numpy("y"), x / 2 + 2)
        with pytest.raises(InferenceServerException,
                           match=r"input 'x': shared_memory_offset 24 \+ shared_memory_byte_size 16 "
                                 r"exceeds shared memory region 'r' \(key '.*', 32 bytes\)"):
            infer_with(offset=24)
        with pytest.raises(InferenceServerException,
                           match=r"input 'x' \(in shared memory region 'r'\): shape \[4\] of float "
                                 r"needs 16 bytes of data, got 12"):
            infer_with(byte_size=12)
        with pytest.raises(InferenceServerException,
                           match=r"shared_memory_offset 40 is past the end of shared memory region 'r'"):
            infer_with(offset=40)
        with pytest.raises(InferenceServerException,
                           match=r"input 'x' names shared memory region 'nope', which is not "
                                 r"registered \(registered: r\)"):
            infer_with(name="nope")
        with pytest.raises(InferenceServerException,
                           match=r"output 'y': the result \[4\] of float needs 16 bytes, but "
                                 r"shared_memory_byte_size gives 8"):
            infer_with(out=("r", 8, 16))
        # The server is fine afterwards.
        np.testing.assert_allclose(infer_with().as_numpy("y"), x / 2 + 2)
    finally:
        client.unregister_system_shared_memory()


def test_cuda_shared_memory_is_refused_clearly(server):
    """Registering or naming a CUDA region says CUDA is not supported; listing and unregistering
    every region succeed (there are none), as a Triton without GPUs answers, so clients that
    clean up both kinds (perf_analyzer) do not fail."""
    http, _ = client_for(server, "http")
    grpc, _ = client_for(server, "grpc")
    for call in (lambda: http.register_cuda_shared_memory("c", b"aGFuZGxl", 0, 64),
                 lambda: http.get_cuda_shared_memory_status("c"),
                 lambda: http.unregister_cuda_shared_memory("c"),
                 lambda: grpc.register_cuda_shared_memory("c", b"aGFuZGxl", 0, 64),
                 lambda: grpc.get_cuda_shared_memory_status("c"),
                 lambda: grpc.unregister_cuda_shared_memory("c")):
        with pytest.raises(InferenceServerException,
                           match="CUDA shared memory is not supported on this server"):
            call()
    assert http.get_cuda_shared_memory_status() == []
    assert len(grpc.get_cuda_shared_memory_status().regions) == 0
    http.unregister_cuda_shared_memory()
    grpc.unregister_cuda_shared_memory()


def test_rest_endpoints_as_triton_spells_them(server, regions):
    key, _ = regions("raw", 64)
    base = f"http://127.0.0.1:{server.rest_port}/v2/systemsharedmemory"
    r = requests.post(f"{base}/region/raw/register", json={"key": key, "byte_size": 64}, timeout=10)
    assert r.status_code == 200, r.text
    assert requests.get(f"{base}/region/raw/status", timeout=10).json() == [
        {"name": "raw", "key": key, "offset": 0, "byte_size": 64}]
    r = requests.post(f"{base}/region/raw2/register", json={"byte_size": 64}, timeout=10)
    assert r.status_code == 400 and "needs a string 'key'" in r.json()["error"]
    assert requests.post(f"{base}/region/raw/unregister", timeout=10).status_code == 200
    assert requests.get(f"{base}/status", timeout=10).json() == []


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_unregister_while_requests_use_the_region(server, protocol, regions):
    """Requests keep running while another thread unregisters and re-registers their regions:
    each one either answers the right values or says the region is not registered, and the
    server stays up (a region is unmapped only when no request holds it)."""
    x = np.arange(256, dtype=np.float32)
    in_key, in_handle = regions("busy_in", x.nbytes)
    out_key, out_handle = regions("busy_out", x.nbytes)
    shm.set_shared_memory_region(in_handle, [x])
    admin, _ = client_for(server, protocol)
    stop = threading.Event()
    outcomes = {"ok": 0, "unregistered": 0}
    errors = []

    def worker():
        client, module = client_for(server, protocol)
        tensor = module.InferInput("x", list(x.shape), "FP32")
        tensor.set_shared_memory("busy_in", x.nbytes)
        output = module.InferRequestedOutput("y")
        output.set_shared_memory("busy_out", x.nbytes)
        while not stop.is_set():
            try:
                client.infer(MODEL, [tensor], outputs=[output])
                outcomes["ok"] += 1
            except InferenceServerException as e:
                if "which is not registered" in str(e):
                    outcomes["unregistered"] += 1
                else:
                    errors.append(str(e))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for _ in range(100):
            admin.register_system_shared_memory("busy_in", in_key, x.nbytes)
            admin.register_system_shared_memory("busy_out", out_key, x.nbytes)
            admin.unregister_system_shared_memory("busy_in")
            admin.unregister_system_shared_memory()
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[:3]
    assert outcomes["ok"] + outcomes["unregistered"] > 0
    assert admin.is_server_live()
    admin.register_system_shared_memory("busy_in", in_key, x.nbytes)
    admin.register_system_shared_memory("busy_out", out_key, x.nbytes)
    client, module = client_for(server, protocol)
    tensor = module.InferInput("x", list(x.shape), "FP32")
    tensor.set_shared_memory("busy_in", x.nbytes)
    output = module.InferRequestedOutput("y")
    output.set_shared_memory("busy_out", x.nbytes)
    client.infer(MODEL, [tensor], outputs=[output])
    np.testing.assert_allclose(shm.get_contents_as_numpy(out_handle, np.float32, [256]), x / 2 + 2)
    admin.unregister_system_shared_memory()


@pytest.mark.parametrize("protocol", ["grpc", "http"])
def test_perf_analyzer_with_system_shared_memory(tern_factory, protocol):
    """perf_analyzer --shared-memory=system registers its own regions, sends every input and
    receives every output through them, and prints the server-side statistics."""
    server = tern_factory("mlp", ROOT / "tests/models/mlp/model")
    port = server.grpc_port if protocol == "grpc" else server.rest_port
    out = subprocess.run([str(drivers.tools_bin() / "perf_analyzer"), "--service-kind=triton",
                          "-i", protocol, "-u", f"127.0.0.1:{port}", "-m", "mlp", "-b", "4",
                          "--shared-memory=system", "--output-shared-memory-size=1024",
                          "--concurrency-range=2:2", "--measurement-interval=1000",
                          "--stability-percentage=10000"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Unable to unregister" not in out.stdout + out.stderr
    server_part = out.stdout.split("Server:", 1)[1]
    executions = int(re.search(r"Execution count: (\d+)", server_part).group(1))
    inferences = int(re.search(r"Inference count: (\d+)", server_part).group(1))
    # Off by at most the 2 requests in flight at each of perf_analyzer's snapshots (see
    # test_v2_statistics.py).
    assert executions > 0 and abs(inferences - 4 * executions) <= 4 * 2, (inferences, executions)
    assert re.search(r"compute infer \d+ usec", server_part)
    # perf_analyzer unregisters what it registered when it is done.
    http = httpclient.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
    assert http.get_system_shared_memory_status() == []


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_some_inputs_in_shared_memory_and_the_rest_in_the_request(tern_factory, protocol, regions):
    """The taxi fare model's five inputs, two from shared memory and three in the request (gRPC:
    raw_input_contents then holds only those three): the same fare as all five in the request."""
    server = tern_factory("taxi_fare", ROOT / "models" / "taxi_fare")
    client, module = client_for(server, protocol)
    trip = {"pickup_longitude": [-73.9857, -73.99], "pickup_latitude": [40.7484, 40.73],
            "dropoff_longitude": [-73.968, -73.95], "dropoff_latitude": [40.785, 40.77],
            "passenger_count": [1.0, 3.0]}

    def inputs(in_shm):
        out = []
        for name, values in trip.items():
            x = np.array(values, dtype=np.float32)
            tensor = module.InferInput(name, [2], "FP32")
            if name in in_shm:
                key, handle = regions(name, x.nbytes)
                shm.set_shared_memory_region(handle, [x])
                client.register_system_shared_memory(name, key, x.nbytes)
                tensor.set_shared_memory(name, x.nbytes)
            else:
                tensor.set_data_from_numpy(x)
            out.append(tensor)
        return out

    try:
        expected = client.infer("taxi_fare", inputs(())).as_numpy("predictions")
        mixed = client.infer("taxi_fare", inputs(("pickup_latitude", "passenger_count")))
        np.testing.assert_array_equal(mixed.as_numpy("predictions"), expected)
    finally:
        client.unregister_system_shared_memory()
