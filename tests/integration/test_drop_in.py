"""A TF Serving user swaps the binary and changes nothing else: the command line (all 48 of
tensorflow_model_server's flags), the config files, and client code that reads the typed fields
(`outputs['y'].float_val`) with the official tensorflow-serving-api client."""
import subprocess

import grpc
import numpy as np
import pytest
import requests
import tensorflow as tf
from tensorflow_serving.apis import (classification_pb2, model_management_pb2, model_service_pb2_grpc,
                                     predict_pb2, prediction_service_pb2_grpc)

from conftest import TERN, TF_SERVING_MODELS, free_port

HALF_PLUS_TWO = TF_SERVING_MODELS / "saved_model_half_plus_two_cpu"
HALF_PLUS_TWO_TF2 = TF_SERVING_MODELS / "saved_model_half_plus_two_tf2_cpu"


def predict(target, name="default", values=(1.0, 2.0, 5.0)):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = name
    request.inputs["x"].CopyFrom(tf.make_tensor_proto(list(values), dtype=tf.float32,
                                                      shape=[len(values), 1]))
    with grpc.insecure_channel(target) as channel:
        return prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict(request, timeout=10)


def health(target, service):
    """grpc.health.v1.Health/Check by hand (HealthCheckRequest{service=1}); returns the status
    number (1 SERVING, 2 NOT_SERVING) or the RpcError's code."""
    name = service.encode()
    request = (b"\x0a" + bytes([len(name)]) + name) if name else b""
    with grpc.insecure_channel(target) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        try:
            reply = check(request, timeout=5)
        except grpc.RpcError as error:
            return error.code()
    return reply[1] if len(reply) >= 2 and reply[0] == 0x08 else 0


@pytest.fixture(scope="module")
def default_server(tern_factory):
    return tern_factory("default", HALF_PLUS_TWO)


def test_predict_fills_the_typed_field_as_tf_serving_does(default_server):
    y = predict(default_server.grpc_target).outputs["y"]
    # What TF Serving's own tests, its example clients and most tutorials read.
    assert list(y.float_val) == [2.5, 3.0, 4.5]
    assert y.tensor_content == b""
    assert [d.size for d in y.tensor_shape.dim] == [3, 1]
    assert tf.make_ndarray(y).tolist() == [[2.5], [3.0], [4.5]]


def test_tensor_content_on_request(tern_factory):
    server = tern_factory("default", HALF_PLUS_TWO, ["--enable_serialization_as_tensor_content"])
    y = predict(server.grpc_target).outputs["y"]
    assert len(y.float_val) == 0
    assert np.frombuffer(y.tensor_content, np.float32).tolist() == [2.5, 3.0, 4.5]


def test_health_answers_tf_servings_service_names(default_server):
    for service in ["", "PredictionService", "ModelService", "tensorflow.serving.PredictionService",
                    "tensorflow.serving.ModelService"]:
        assert health(default_server.grpc_target, service) == 1, service
    assert health(default_server.grpc_target, "NoSuchService") == grpc.StatusCode.NOT_FOUND


def test_version_flag_prints_and_exits():
    out = subprocess.run([str(TERN), "--version"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0
    assert out.stdout.startswith("TensorFlow ModelServer: tern-")


def test_a_flag_tf_serving_does_not_know_is_an_error():
    out = subprocess.run([str(TERN), "--model_base_path=/x", "--no_such_flag=3"],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode == 2
    assert "--no_such_flag" in out.stderr


def test_bad_model_config_says_what_tf_serving_says(tmp_path):
    config = tmp_path / "bad.config"
    config.write_text("improperly formatted file")
    out = subprocess.run([str(TERN), f"--model_config_file={config}", f"--port={free_port()}"],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode == 2
    assert "Error parsing text-format tensorflow.serving.ModelServerConfig" in out.stderr


def test_rest_is_off_unless_a_rest_port_is_given(tmp_path):
    grpc_port = free_port()
    log = tmp_path / "tern.log"
    with open(log, "w") as out:
        process = subprocess.Popen([str(TERN), f"--port={grpc_port}", "--model_name=default",
                                    f"--model_base_path={HALF_PLUS_TWO}"], stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            if "gRPC listening" in log.read_text():
                break
            assert process.poll() is None, log.read_text()
            subprocess.run(["sleep", "0.05"])
        assert list(predict(f"127.0.0.1:{grpc_port}").outputs["y"].float_val) == [2.5, 3.0, 4.5]
        assert "REST listening" not in log.read_text()
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def every_tf_serving_flag(tmp_path, grpc_port, rest_port):
    """All 48 flags of TF Serving's main.cc, each with a value TF Serving would take."""
    models = tmp_path / "models.config"
    models.write_text(f'model_config_list {{ config {{ name: "half_plus_two" base_path: "{HALF_PLUS_TWO}" '
                      f'model_platform: "tensorflow" logging_config {{ sampling_config '
                      f'{{ sampling_rate: 0.5 }} }} }} }}')
    batching = tmp_path / "batching.config"
    batching.write_text("max_batch_size { value: 8 } batch_timeout_micros { value: 1000 }\n"
                        "enable_large_batch_splitting { value: true }\n"
                        "max_execution_batch_size { value: 4 }\n")
    monitoring = tmp_path / "monitoring.config"
    monitoring.write_text('prometheus_config { enable: true path: "/monitoring/prometheus/metrics" }')
    return [
        f"--port={grpc_port}", f"--grpc_socket_path={tmp_path / 'tern.sock'}",
        f"--rest_api_port={rest_port}", "--rest_api_num_threads=2", "--rest_api_timeout_in_ms=5000",
        "--rest_api_enable_cors_support=true", "--enable_batching=true",
        "--allow_version_labels_for_unavailable_models=true",
        f"--batching_parameters_file={batching}", "--enable_per_model_batching_parameters=false",
        f"--model_config_file={models}", "--model_config_file_poll_wait_seconds=60",
        "--model_name=ignored", "--model_base_path=/ignored", "--num_load_threads=2",
        "--num_unload_threads=2", "--max_num_load_retries=3", "--load_retry_interval_micros=500000",
        "--file_system_poll_wait_seconds=2", "--flush_filesystem_caches=true",
        "--tensorflow_session_parallelism=0", "--tensorflow_session_config_file=",
        "--tensorflow_intra_op_parallelism=2", "--tensorflow_inter_op_parallelism=0",
        "--use_alts_credentials=false", "--ssl_config_file=", "--platform_config_file=",
        "--per_process_gpu_memory_fraction=0.5", "--saved_model_tags=serve",
        "--grpc_channel_arguments=grpc.max_connection_age_ms=60000", "--grpc_max_threads=16",
        "--enable_model_warmup=true", "--num_request_iterations_for_warmup=2", "--version=false",
        f"--monitoring_config_file={monitoring}",
        "--remove_unused_fields_from_bundle_metagraph=true", "--prefer_tflite_model=false",
        "--num_tflite_pools=2", "--num_tflite_interpreters_per_pool=1",
        "--enable_signature_method_name_check=true", "--xla_cpu_compilation_enabled=false",
        "--xla_gpu_compilation_enabled=false", "--enable_profiler=false",
        "--thread_pool_factory_config_file=", "--mixed_precision=bfloat16",
        "--skip_initialize_tpu=true", "--enable_grpc_healthcheck_service=false",
        "--enable_serialization_as_tensor_content=false",
    ]


def test_starts_with_every_tf_serving_flag(tmp_path):
    grpc_port, rest_port = free_port(), free_port()
    args = every_tf_serving_flag(tmp_path, grpc_port, rest_port)
    assert len({a.split("=")[0] for a in args}) == 48
    log = tmp_path / "tern.log"
    with open(log, "w") as out:
        process = subprocess.Popen([str(TERN), *args], stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{rest_port}/v1/models/half_plus_two"
        for _ in range(400):
            assert process.poll() is None, log.read_text()
            try:
                if "AVAILABLE" in requests.get(url, timeout=1).text:
                    break
            except requests.ConnectionError:
                pass
            subprocess.run(["sleep", "0.05"])
        target = f"127.0.0.1:{grpc_port}"
        # Batched (splitting into pieces of 4), answered in the typed field.
        y = predict(target, "half_plus_two", values=[float(i) for i in range(6)]).outputs["y"]
        assert list(y.float_val) == [0.5 * i + 2 for i in range(6)]
        rest = requests.post(f"{url}:predict", json={"instances": [[1.0]]}, timeout=5)
        assert rest.json() == {"predictions": [[2.5]]}
        # --enable_grpc_healthcheck_service=false: no health service.
        assert health(target, "") == grpc.StatusCode.UNIMPLEMENTED
        # --enable_signature_method_name_check: a predict signature is not a classifier.
        request = classification_pb2.ClassificationRequest()
        request.model_spec.name = "half_plus_two"
        request.model_spec.signature_name = "serving_default"
        request.input.example_list.examples.add().features.feature["x"].float_list.value.append(1.0)
        with grpc.insecure_channel(target) as channel:
            with pytest.raises(grpc.RpcError) as error:
                prediction_service_pb2_grpc.PredictionServiceStub(channel).Classify(request, timeout=5)
        assert "Expected classification signature method_name to be tensorflow/serving/classify" \
            in error.value.details()
        text = log.read_text()
        for flag in ["per_process_gpu_memory_fraction", "xla_cpu_compilation_enabled", "enable_profiler",
                     "num_tflite_pools", "mixed_precision", "platform_config_file"]:
            assert f"--{flag}=" in text and "does not apply to Tern" in text, flag
        assert "logging_config does not apply" in text
    finally:
        process.terminate()
        assert process.wait(timeout=15) == 0, log.read_text()


def test_reload_config_reports_a_new_model_that_failed(default_server, tmp_path):
    broken = tmp_path / "broken" / "1"
    broken.mkdir(parents=True)
    (broken / "saved_model.pb").write_bytes(b"not a protobuf")
    request = model_management_pb2.ReloadConfigRequest()
    for name, path in [("default", HALF_PLUS_TWO), ("broken", broken.parent)]:
        config = request.config.model_config_list.config.add()
        config.name, config.base_path, config.model_platform = name, str(path), "tensorflow"
    with grpc.insecure_channel(default_server.grpc_target) as channel:
        stub = model_service_pb2_grpc.ModelServiceStub(channel)
        with pytest.raises(grpc.RpcError) as error:
            stub.HandleReloadConfigRequest(request, timeout=30)
    assert error.value.code() == grpc.StatusCode.UNKNOWN
    assert "1 model(s) did not become available: {{name: broken version: 1 due to error" \
        in error.value.details()
    # The good model keeps serving.
    assert list(predict(default_server.grpc_target).outputs["y"].float_val) == [2.5, 3.0, 4.5]


def test_multi_inference_over_signatures_with_their_own_inputs(tern_factory):
    from tensorflow_serving.apis import inference_pb2
    server = tern_factory("default", HALF_PLUS_TWO_TF2)
    request = inference_pb2.MultiInferenceRequest()
    for signature, method in [("regress_x_to_y", "tensorflow/serving/regress"),
                              ("classify_x_to_y", "tensorflow/serving/classify")]:
        task = request.tasks.add()
        task.model_spec.name, task.model_spec.signature_name, task.method_name = "default", signature, method
    request.input.example_list.examples.add().features.feature["x"].float_list.value.append(2.0)
    with grpc.insecure_channel(server.grpc_target) as channel:
        result = prediction_service_pb2_grpc.PredictionServiceStub(channel).MultiInference(request, timeout=10)
    assert result.results[0].regression_result.regressions[0].value == 3.0
    assert result.results[1].classification_result.classifications[0].classes[0].score == 3.0


@pytest.fixture(scope="module")
def half_model(tmp_path_factory):
    """A float16 and a bfloat16 model exported by TensorFlow, with TF's own answers."""
    base = tmp_path_factory.mktemp("half")

    class Half(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float16),
                                      tf.TensorSpec([None, 3], tf.bfloat16)])
        def serve(self, h, b):
            return {"h2": h * tf.constant(1.5, tf.float16) + h,
                    "b2": b * tf.constant(1.5, tf.bfloat16) + b}

    module = Half()
    tf.saved_model.save(module, str(base / "1"), signatures={"serving_default": module.serve})
    h = np.array([[0.1, -2.5, 1000.0], [3.0, 0.0, -0.3333]], np.float16)
    b = np.array([[0.1, -2.5, 1e30], [3.0, 0.0, -0.3333]], tf.bfloat16.as_numpy_dtype)
    out = module.serve(tf.constant(h), tf.constant(b))
    return base, h, b, out["h2"].numpy().astype(np.float32), out["b2"].numpy().astype(np.float32)


def test_half_and_bfloat16_travel_as_json_numbers(tern_factory, half_model):
    base, h, b, want_h, want_b = half_model
    server = tern_factory("half", base)
    body = {"inputs": {"h": h.astype(np.float32).tolist(), "b": b.astype(np.float32).tolist()}}
    r = requests.post(f"{server.rest}/v1/models/half:predict", json=body, timeout=10)
    assert r.status_code == 200, r.text
    got = r.json()["outputs"]
    # Exactly TF's 16-bit results, written as the shortest float that reads back to them.
    assert np.array(got["h2"], np.float32).tolist() == want_h.tolist()
    assert np.array(got["b2"], np.float32).tolist() == want_b.tolist()
