"""gRPC over TLS with --ssl_config_file (TF Serving's text-format SSLConfig).

A CA, a server certificate for 127.0.0.1 and a client certificate are made with openssl at test
time; the official TF Serving client predicts over grpc.ssl_channel_credentials, a plaintext
client fails, and with client_verify a client must present a certificate the CA signed.
"""
import subprocess

import grpc
import pytest
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from conftest import TF_SERVING_MODELS

MODEL_DIR = TF_SERVING_MODELS / "saved_model_half_plus_two_cpu"


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_cert(directory, name, ca, extensions):
    key, csr, crt = (directory / f"{name}.{ext}" for ext in ("key", "csr", "crt"))
    ext_file = directory / f"{name}.ext"
    ext_file.write_text(extensions)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
            "-subj", f"/CN={name}")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca / "ca.crt"), "-CAkey", str(ca / "ca.key"),
            "-CAcreateserial", "-out", str(crt), "-days", "2", "-extfile", str(ext_file))
    return key.read_bytes(), crt.read_bytes()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / "ca.key"),
            "-out", str(d / "ca.crt"), "-days", "2", "-subj", "/CN=tern-test-ca")
    server = make_cert(d, "server", d, "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                       "extendedKeyUsage=serverAuth\n")
    client = make_cert(d, "client", d, "extendedKeyUsage=clientAuth\n")
    # A client certificate from a CA the server does not trust.
    other = tmp_path_factory.mktemp("other-ca")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(other / "ca.key"),
            "-out", str(other / "ca.crt"), "-days", "2", "-subj", "/CN=other-ca")
    stranger = make_cert(other, "stranger", other, "extendedKeyUsage=clientAuth\n")
    return {"dir": d, "ca": (d / "ca.crt").read_bytes(), "server": server, "client": client,
            "stranger": stranger}


def ssl_config(pki, client_verify):
    key, cert = pki["server"]

    def q(b):
        return b.decode().replace("\n", "\\n")
    path = pki["dir"] / f"ssl_{client_verify}.txt"
    path.write_text(f'server_key: "{q(key)}"\nserver_cert: "{q(cert)}"\ncustom_ca: "{q(pki["ca"])}"\n'
                    f"client_verify: {'true' if client_verify else 'false'}\n")
    return path


def predict(channel):
    stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "half_plus_two"
    request.inputs["x"].CopyFrom(tf.make_tensor_proto([1.0, 2.0, 5.0], dtype=tf.float32))
    return tf.make_ndarray(stub.Predict(request, timeout=10).outputs["y"]).tolist()


def test_tls_predict_and_plaintext_refused(pki, tern_factory):
    server = tern_factory("half_plus_two", MODEL_DIR,
                          [f"--ssl_config_file={ssl_config(pki, client_verify=False)}"])
    creds = grpc.ssl_channel_credentials(root_certificates=pki["ca"])
    with grpc.secure_channel(server.grpc_target, creds) as channel:
        assert predict(channel) == [2.5, 3.0, 4.5]
    with grpc.insecure_channel(server.grpc_target) as channel:
        with pytest.raises(grpc.RpcError) as error:
            predict(channel)
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE
    # A client that does not trust the server's CA refuses the handshake.
    with grpc.secure_channel(server.grpc_target, grpc.ssl_channel_credentials()) as channel:
        with pytest.raises(grpc.RpcError) as error:
            predict(channel)
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE
    assert server.alive()


def test_client_verify_needs_a_certificate_from_the_ca(pki, tern_factory):
    server = tern_factory("half_plus_two", MODEL_DIR,
                          [f"--ssl_config_file={ssl_config(pki, client_verify=True)}"])
    key, cert = pki["client"]
    creds = grpc.ssl_channel_credentials(root_certificates=pki["ca"], private_key=key,
                                         certificate_chain=cert)
    with grpc.secure_channel(server.grpc_target, creds) as channel:
        assert predict(channel) == [2.5, 3.0, 4.5]
    for client in [None, pki["stranger"]]:
        creds = grpc.ssl_channel_credentials(
            root_certificates=pki["ca"], private_key=client[0] if client else None,
            certificate_chain=client[1] if client else None)
        with grpc.secure_channel(server.grpc_target, creds) as channel:
            with pytest.raises(grpc.RpcError) as error:
                predict(channel)
        assert error.value.code() == grpc.StatusCode.UNAVAILABLE


def test_bad_ssl_config_is_refused_at_start(tmp_path):
    from conftest import TERN, free_port
    bad = tmp_path / "ssl.txt"
    bad.write_text('server_key: "not a key"\nserver_certificate: "x"\n')
    out = subprocess.run([str(TERN), f"--port={free_port()}", f"--rest_api_port={free_port()}",
                          "--model_name=half_plus_two", f"--model_base_path={MODEL_DIR}",
                          f"--ssl_config_file={bad}"], capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert "ssl_config_file" in out.stderr
