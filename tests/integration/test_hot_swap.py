"""Hot swap under load: 8 concurrent clients (REST and gRPC) against a real build/tern while
versions appear (atomic rename, then a slow file-by-file copy) and old ones are deleted. No
request may fail, and the answers must move to the new version."""
import shutil
import time

import grpc
import pytest
import requests
from tensorflow_serving.apis import get_model_status_pb2, model_service_pb2_grpc

from conftest import TF_SERVING_MODELS
from load_clients import LoadClients, copy_atomically, copy_slowly

HALF_PLUS_TWO = TF_SERVING_MODELS / "saved_model_half_plus_two_2_versions" / "00000123"
HALF_PLUS_THREE = TF_SERVING_MODELS / "saved_model_half_plus_three" / "00000123"


def rest_status(server, model="swap"):
    r = requests.get(f"{server.rest}/v1/models/{model}", timeout=5)
    assert r.status_code == 200, r.text
    return {int(v["version"]): v for v in r.json()["model_version_status"]}


def wait_for(predicate, timeout_s=30, what="condition"):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


@pytest.fixture
def base(tmp_path):
    path = tmp_path / "swap"
    path.mkdir()
    shutil.copytree(HALF_PLUS_TWO, path / "1")
    return path


def test_swap_under_load_has_zero_failed_requests(tern_factory, base):
    server = tern_factory("swap", base)
    with LoadClients(server.rest, server.grpc_target, "swap", n_rest=4, n_grpc=4) as load:
        load.wait_until_all_answer(2.5, timeout_s=30)
        # 1: atomic rename of half_plus_three as version 2.
        copy_atomically(HALF_PLUS_THREE, base, 2)
        load.wait_until_all_answer(3.5, timeout_s=30)
        shutil.rmtree(base / "1")
        time.sleep(0.3)
        # 2: a slow copy of half_plus_two as version 3: the directory is incomplete for a while.
        copy_slowly(HALF_PLUS_TWO, base / "3")
        load.wait_until_all_answer(2.5, timeout_s=30)
        shutil.rmtree(base / "2")
        time.sleep(0.3)
    records = load.all_records()
    assert len(records) > 100, "the clients barely ran"
    assert load.errors() == [], load.errors()[:5]
    assert {r[2] for r in records} == {2.5, 3.5}
    # Every client saw the moves in order: 2.5 (v1), then 3.5 (v2), then 2.5 (v3), each once.
    for recs in load.records:
        runs = [recs[0][2]] + [b[2] for a, b in zip(recs, recs[1:]) if a[2] != b[2]]
        assert runs == [2.5, 3.5, 2.5], runs
    status = wait_for(lambda: (s := rest_status(server)) and s[2]["state"] == "END" and s,
                      what="version 2 to end")
    assert status[3]["state"] == "AVAILABLE"
    assert status[1]["state"] == "END"


def corrupt_truncated_saved_model(version_dir):
    pb = version_dir / "saved_model.pb"
    pb.write_bytes(pb.read_bytes()[: pb.stat().st_size // 2])
    return "saved_model.pb"


def corrupt_shard_checksum(version_dir):
    shard = version_dir / "variables" / "variables.data-00000-of-00001"
    data = bytearray(shard.read_bytes())
    data[0] ^= 0x5A
    shard.write_bytes(bytes(data))
    return "checksum"


def remove_shard(version_dir):
    (version_dir / "variables" / "variables.data-00000-of-00001").unlink()
    return "variables.data-00000-of-00001"


@pytest.mark.parametrize("corrupt", [corrupt_truncated_saved_model, corrupt_shard_checksum,
                                     remove_shard])
def test_broken_version_keeps_old_one_serving(tern_factory, base, tmp_path, corrupt):
    server = tern_factory("swap", base)
    staging = tmp_path / "staging"
    shutil.copytree(HALF_PLUS_THREE, staging)
    expected = corrupt(staging)
    with LoadClients(server.rest, server.grpc_target, "swap", n_rest=2, n_grpc=2) as load:
        load.wait_until_all_answer(2.5, timeout_s=30)
        staging.rename(base / "2")
        status = wait_for(lambda: (s := rest_status(server)).get(2, {}).get("status", {}).get(
            "error_message") and s, what="the load error of version 2")
        time.sleep(0.3)
    assert load.errors() == [], load.errors()[:5]
    assert {r[2] for r in load.all_records()} == {2.5}
    assert expected in status[2]["status"]["error_message"], status[2]
    assert status[2]["status"]["error_code"] != "OK"
    assert status[1]["state"] == "AVAILABLE"
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = model_service_pb2_grpc.ModelServiceStub(channel)
        request = get_model_status_pb2.GetModelStatusRequest()
        request.model_spec.name = "swap"
        request.model_spec.version.value = 2
        response = stub.GetModelStatus(request, timeout=10)
        assert expected in response.model_version_status[0].status.error_message
    assert server.alive()
