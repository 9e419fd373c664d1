"""half_plus_two (TF1 and TF2 exports from TF Serving's own tests) over REST and gRPC."""
import grpc
import numpy as np
import pytest
import requests
import tensorflow as tf
from tensorflow_serving.apis import (get_model_status_pb2, model_service_pb2_grpc, predict_pb2,
                                     prediction_service_pb2_grpc)

from conftest import TF_SERVING_MODELS

MODELS = ["saved_model_half_plus_two_cpu", "saved_model_half_plus_two_tf2_cpu"]


@pytest.fixture(scope="module", params=MODELS)
def server(request, tern_factory):
    return tern_factory("half_plus_two", TF_SERVING_MODELS / request.param)


def test_rest_predict_row_format(server):
    r = requests.post(f"{server.rest}/v1/models/half_plus_two:predict",
                      json={"instances": [1.0, 2.0, 5.0]})
    assert r.status_code == 200, r.text
    assert r.json() == {"predictions": [2.5, 3.0, 4.5]}


def test_rest_predict_columnar_with_version_and_signature(server):
    r = requests.post(f"{server.rest}/v1/models/half_plus_two/versions/123:predict",
                      json={"signature_name": "regress_x2_to_y3", "inputs": [1.0, 2.0, 5.0]})
    assert r.status_code == 200, r.text
    assert r.json() == {"outputs": [3.5, 4.0, 5.5]}


def test_rest_model_status(server):
    r = requests.get(f"{server.rest}/v1/models/half_plus_two")
    assert r.status_code == 200
    # TF Serving's answer, plus Tern's runtime fields (docs/tensorflow_runtime.md).
    assert r.json() == {"model_version_status": [{
        "version": "123", "state": "AVAILABLE",
        "status": {"error_code": "OK", "error_message": ""},
        "runtime": "tern", "runtime_reason": "auto: Tern has every op"}]}


def test_grpc_predict_with_official_client(server):
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "half_plus_two"
        request.model_spec.signature_name = "serving_default"
        request.inputs["x"].CopyFrom(tf.make_tensor_proto([1.0, 2.0, 5.0], dtype=tf.float32))
        response = stub.Predict(request, timeout=10)
        y = tf.make_ndarray(response.outputs["y"])
        np.testing.assert_allclose(y, [2.5, 3.0, 4.5], rtol=1e-6)
        assert response.model_spec.name == "half_plus_two"
        assert response.model_spec.version.value == 123
        assert response.model_spec.signature_name == "serving_default"


def test_grpc_predict_typed_field_form(server):
    """Clients that fill float_val instead of tensor_content are answered the same."""
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "half_plus_two"
        x = request.inputs["x"]
        x.dtype = tf.float32.as_datatype_enum
        x.tensor_shape.dim.add().size = 3
        x.float_val.extend([1.0, 2.0, 5.0])
        response = stub.Predict(request, timeout=10)
        np.testing.assert_allclose(tf.make_ndarray(response.outputs["y"]), [2.5, 3.0, 4.5])


def test_grpc_get_model_status(server):
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = model_service_pb2_grpc.ModelServiceStub(channel)
        request = get_model_status_pb2.GetModelStatusRequest()
        request.model_spec.name = "half_plus_two"
        response = stub.GetModelStatus(request, timeout=10)
        assert len(response.model_version_status) == 1
        status = response.model_version_status[0]
        assert status.version == 123
        assert status.state == get_model_status_pb2.ModelVersionStatus.AVAILABLE


def test_grpc_unknown_model_is_not_found(server):
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "no_such_model"
        request.inputs["x"].CopyFrom(tf.make_tensor_proto([1.0], dtype=tf.float32))
        with pytest.raises(grpc.RpcError) as error:
            stub.Predict(request, timeout=10)
        assert error.value.code() == grpc.StatusCode.NOT_FOUND
        assert "Servable not found for request: Latest(no_such_model)" in error.value.details()


def test_grpc_model_metadata_has_the_signatures(server):
    from tensorflow_serving.apis import get_model_metadata_pb2
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        request = get_model_metadata_pb2.GetModelMetadataRequest()
        request.model_spec.name = "half_plus_two"
        request.metadata_field.append("signature_def")
        response = stub.GetModelMetadata(request, timeout=10)
        signatures = get_model_metadata_pb2.SignatureDefMap()
        assert response.metadata["signature_def"].Unpack(signatures)
        assert "x" in signatures.signature_def["serving_default"].inputs
        assert response.model_spec.version.value == 123
