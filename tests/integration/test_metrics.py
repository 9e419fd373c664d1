"""Metrics scraped by a real Prometheus (Debian's `prometheus`), checked by `promtool`, and the
Grafana dashboard's every PromQL query run against that Prometheus."""
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import grpc
import pytest
import requests
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from conftest import ROOT, TF_SERVING_MODELS, free_port

HALF_PLUS_TWO = TF_SERVING_MODELS / "saved_model_half_plus_two_cpu"
N_REST, N_GRPC, N_UNKNOWN, N_BAD_INPUT = 40, 30, 25, 5


class Prometheus:
    """A real Prometheus scraping one target every second, from config/prometheus/."""

    def __init__(self, target):
        self.dir = Path(tempfile.mkdtemp(prefix="tern-prometheus-"))
        config = (ROOT / "config" / "prometheus" / "prometheus.yml").read_text()
        config = config.replace("localhost:8501", target)
        config = re.sub(r"(scrape|evaluation)_interval: \S+", r"\1_interval: 1s", config)
        (self.dir / "prometheus.yml").write_text(config)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(self.dir / "prometheus.log", "w")
        self.process = subprocess.Popen(
            [shutil.which("prometheus"), f"--config.file={self.dir / 'prometheus.yml'}",
             f"--storage.tsdb.path={self.dir / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            assert self.process.poll() is None, (self.dir / "prometheus.log").read_text()
            try:
                if requests.get(f"{self.url}/-/ready", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise RuntimeError("prometheus not ready:\n" + (self.dir / "prometheus.log").read_text())

    def query(self, expr):
        r = requests.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        assert r.status_code == 200, f"{expr}: {r.text}"
        body = r.json()
        assert body["status"] == "success", body
        return body["data"]["result"]

    def value(self, expr):
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else None

    def wait_for(self, expr, expected, timeout_s=30):
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if self.value(expr) == expected:
                return
            time.sleep(0.5)
        assert self.value(expr) == expected, expr

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def send_known_load(server):
    session = requests.Session()
    for i in range(N_REST):
        r = session.post(f"{server.rest}/v1/models/half_plus_two:predict",
                         json={"instances": [float(i)]})
        assert r.status_code == 200, r.text
    stub = prediction_service_pb2_grpc.PredictionServiceStub(
        grpc.insecure_channel(server.grpc_target))
    for i in range(N_GRPC):
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "half_plus_two"
        request.inputs["x"].CopyFrom(tf.make_tensor_proto([float(i)], dtype=tf.float32))
        stub.Predict(request, timeout=10)
    for i in range(N_UNKNOWN):  # every name different: must not create a series each
        r = session.post(f"{server.rest}/v1/models/no_such_model_{i}:predict",
                         json={"instances": [1.0]})
        assert r.status_code == 404
    for _ in range(N_BAD_INPUT):
        r = session.post(f"{server.rest}/v1/models/half_plus_two:predict", data="{not json")
        assert r.status_code == 400


@pytest.fixture(scope="module")
def scraped(tern_factory):
    """Tern under a known load, scraped by Prometheus until every request shows."""
    server = tern_factory("half_plus_two", HALF_PLUS_TWO)
    prometheus = Prometheus(f"127.0.0.1:{server.rest_port}")
    try:
        send_known_load(server)
        prometheus.wait_for('sum(tern_requests_total{method=~"predict|Predict"})',
                            N_REST + N_GRPC + N_UNKNOWN + N_BAD_INPUT)
        time.sleep(3)  # a few more scrapes, so rate() over the window has points either side
        yield server, prometheus
    finally:
        prometheus.stop()


def test_prometheus_counts_every_request_sent(scraped):
    _, prom = scraped
    assert prom.value('sum(tern_requests_total{model="half_plus_two",api="rest",'
                      'method="predict",code="OK",version="123"})') == N_REST
    assert prom.value('sum(tern_requests_total{model="half_plus_two",api="grpc",'
                      'method="Predict",code="OK",version="123"})') == N_GRPC
    assert prom.value('sum(tern_requests_total{model="half_plus_two",code="INVALID_ARGUMENT"})') \
        == N_BAD_INPUT
    assert prom.value('sum(tern_requests_total{model="_unknown",code="NOT_FOUND"})') == N_UNKNOWN


def test_unknown_model_names_make_no_series(scraped):
    _, prom = scraped
    models = {r["metric"]["model"] for r in prom.query("tern_requests_total")}
    assert models <= {"half_plus_two", "_unknown", ""}, models
    assert len(prom.query('tern_requests_total{model="_unknown"}')) == 1


def test_latency_histograms_are_populated(scraped):
    _, prom = scraped
    assert prom.value('sum(tern_request_duration_seconds_count{model="half_plus_two",'
                      'method=~"predict|Predict"})') == N_REST + N_GRPC + N_BAD_INPUT
    assert prom.value('sum(tern_request_duration_seconds_bucket{model="half_plus_two",'
                      'api="rest",method="predict",le="+Inf"})') == N_REST + N_BAD_INPUT
    assert prom.value('sum(tern_request_duration_seconds_sum{model="half_plus_two"})') > 0
    assert prom.value('sum(tern_compute_duration_seconds_count{model="half_plus_two"})') \
        == N_REST + N_GRPC
    p99 = prom.value('histogram_quantile(0.99, sum by (le) (tern_request_duration_seconds_bucket'
                     '{model="half_plus_two"}))')
    assert p99 is not None and 0 < p99 < 60


def test_model_and_process_gauges(scraped):
    _, prom = scraped
    assert prom.value('tern_model_versions{model="half_plus_two",state="AVAILABLE"}') == 1
    assert prom.value('tern_model_versions{model="half_plus_two",state="LOADING"}') == 0
    assert prom.value('tern_model_instances{model="half_plus_two"}') == 1
    assert prom.value('tern_model_load_duration_seconds_count{model="half_plus_two"}') == 1
    assert prom.value('tern_model_load_failures_total{model="half_plus_two"}') == 0
    assert prom.value('tern_requests_in_flight{api="rest"}') == 0
    assert prom.value("process_resident_memory_bytes") > 1e6
    assert prom.value("process_open_fds") > 3
    assert prom.value("process_threads") >= 2
    assert prom.value("process_cpu_seconds_total") > 0
    assert abs(prom.value("process_start_time_seconds") - time.time()) < 3600
    assert prom.query("tern_build_info")[0]["metric"]["version"]


def dashboard_queries():
    dashboard = json.loads((ROOT / "config" / "grafana" / "tern-dashboard.json").read_text())
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            yield panel["title"], target["expr"]


def test_every_dashboard_query_returns_data(scraped):
    _, prom = scraped
    queries = list(dashboard_queries())
    assert len(queries) >= 12
    empty = []
    for title, expr in queries:
        # What Grafana substitutes: the "All" value of $model and a rate window of a few scrapes.
        concrete = expr.replace("$model", ".+").replace("$__rate_interval", "30s")
        if not prom.query(concrete):
            empty.append(f"{title}: {concrete}")
    assert not empty, "panels with no data:\n" + "\n".join(empty)


def test_promtool_accepts_the_default_page(scraped):
    server, _ = scraped
    page = requests.get(f"{server.rest}/monitoring/prometheus/metrics").text
    assert requests.get(f"{server.rest}/metrics").text.count("\n# TYPE") == page.count("\n# TYPE")
    check = subprocess.run([shutil.which("promtool"), "check", "metrics"], input=page,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.strip() == "" and check.stderr.strip() == "", check.stdout + check.stderr


def test_tf_serving_names_behind_a_flag(tern_factory, tmp_path):
    config = tmp_path / "monitoring.config"
    config.write_text('prometheus_config { enable: true, path: "/custom/metrics" }\n')
    server = tern_factory("half_plus_two", HALF_PLUS_TWO,
                          ["--enable_tf_serving_metric_names",
                           f"--monitoring_config_file={config}"])
    for _ in range(3):
        requests.post(f"{server.rest}/v1/models/half_plus_two:predict", json={"instances": [1.0]})
    assert requests.get(f"{server.rest}/monitoring/prometheus/metrics").status_code == 404
    page = requests.get(f"{server.rest}/custom/metrics").text
    assert ':tensorflow:serving:request_count{model_name="half_plus_two",status="OK"} 3' in page
    assert re.search(r':tensorflow:serving:request_latency_count\{API="predict",'
                     r'entrypoint="REST",model_name="half_plus_two"\} 3', page)
    assert ":tensorflow:serving:runtime_latency_count" in page
    assert "tern_requests_total" in page


def test_monitoring_config_can_turn_metrics_off(tern_factory, tmp_path):
    config = tmp_path / "monitoring.config"
    config.write_text("prometheus_config { enable: false }\n")
    server = tern_factory("half_plus_two", HALF_PLUS_TWO, [f"--monitoring_config_file={config}"])
    assert requests.get(f"{server.rest}/metrics").status_code == 404
    assert requests.get(f"{server.rest}/monitoring/prometheus/metrics").status_code == 404


def test_bad_monitoring_config_is_a_clear_startup_error(tmp_path):
    from conftest import TERN
    config = tmp_path / "monitoring.config"
    config.write_text("prometheus_config { enabled: true }\n")
    result = subprocess.run([str(TERN), f"--model_base_path={HALF_PLUS_TWO}",
                             f"--monitoring_config_file={config}", f"--port={free_port()}",
                             f"--rest_api_port={free_port()}"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert str(config) in result.stderr and "enabled" in result.stderr
