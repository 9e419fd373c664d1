"""The Knative and KServe manifests in config/ against the real schemas, no cluster needed.

- npm `@kubernetes-models/knative` + `kubernetes-models` (config/validate/validate.mjs): the
  Knative Service whole (its PodSpec part is core v1), the KServe objects' containers as core v1.
- PyPI `kubernetes-validate`, strict (unknown fields rejected): every PodSpec/Container inside.
- KServe has no schema package in the registries here: its own fields (InferenceService
  predictor, ServingRuntime spec) are checked against the field lists of its API types
  (../shared/reference/serving-systems.md, 3.2); that part is not a schema check.
- Every flag in the manifests is one build/tern accepts.
Negative cases prove each validator fails on a broken manifest.
"""
import copy
import json
import re
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
VALIDATOR = CONFIG / "validate" / "validate.mjs"
KNATIVE = CONFIG / "knative" / "service.yaml"
RUNTIME = CONFIG / "kserve" / "serving-runtime.yaml"
ISVC = CONFIG / "kserve" / "inference-service.yaml"
MANIFESTS = [KNATIVE, RUNTIME, ISVC]
K8S_VERSION = "1.30.0"

# KServe v1beta1 component extension + predictor fields, and v1alpha1 ServingRuntime spec fields.
KSERVE_PREDICTOR_FIELDS = {
    "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric", "scaleMetricType", "autoScaling",
    "containerConcurrency", "timeout", "canaryTrafficPercent", "logger", "batcher",
    "deploymentStrategy", "model", "containers", "volumes", "serviceAccountName", "nodeSelector",
    "affinity", "tolerations", "labels", "annotations", "imagePullSecrets", "workerSpec",
    "securityContext", "initContainers", "runtimeClassName", "priorityClassName"}
KSERVE_MODEL_FIELDS = {"modelFormat", "runtime", "storageUri", "protocolVersion", "storage",
                       "env", "resources", "args", "command", "ports", "image", "name",
                       "volumeMounts", "securityContext", "readinessProbe", "livenessProbe"}
SERVING_RUNTIME_FIELDS = {
    "supportedModelFormats", "protocolVersions", "multiModel", "disabled", "containers",
    "volumes", "nodeSelector", "affinity", "tolerations", "labels", "annotations",
    "imagePullSecrets", "hostIPC", "schedulerName", "workerSpec", "grpcEndpoint",
    "grpcDataEndpoint", "httpDataEndpoint", "replicas", "storageHelper", "builtInAdapter"}
PROTOCOLS = {"v1", "v2", "grpc-v1", "grpc-v2"}


def load(path):
    return yaml.safe_load(path.read_text())


def node_validate(*paths):
    node = shutil.which("node")
    assert node, "node is not installed (scripts/setup.sh installs it)"
    assert (VALIDATOR.parent / "node_modules").is_dir(), "run scripts/setup.sh (npm ci in config/validate)"
    return subprocess.run([node, str(VALIDATOR), *map(str, paths)], capture_output=True, text=True,
                          timeout=60)


def pod_of(pod_spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "check"}, "spec": pod_spec}


def core_pods(doc):
    """The core v1 parts of each manifest, wrapped as Pods for kubernetes-validate."""
    kind = doc["kind"]
    if kind == "Service" and doc["apiVersion"].startswith("serving.knative.dev/"):
        spec = copy.deepcopy(doc["spec"]["template"]["spec"])
        for knative_only in ("containerConcurrency", "timeoutSeconds", "responseStartTimeoutSeconds",
                             "idleTimeoutSeconds"):
            spec.pop(knative_only, None)
        return [pod_of(spec)]
    if kind in ("ServingRuntime", "ClusterServingRuntime"):
        return [pod_of({"containers": doc["spec"]["containers"]})]
    if kind == "InferenceService":
        model = {k: v for k, v in doc["spec"]["predictor"]["model"].items()
                 if k not in ("modelFormat", "runtime", "storageUri", "protocolVersion", "storage")}
        return [pod_of({"containers": [dict(name="kserve-container", **model)]})]
    raise AssertionError(f"no core parts known for {kind}")


def k8s_errors(doc):
    errors = []
    for pod in core_pods(doc):
        try:
            kubernetes_validate.validate(pod, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            errors.append(f"{'.'.join(map(str, e.path))}: {e.message}")
    return errors


def tern_flags():
    binary = ROOT / "build" / "tern"
    out = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=30).stdout
    return set(re.findall(r"^\s+--(\w+)", out, re.M))


def manifest_flags():
    flags = set()
    for path in (KNATIVE, RUNTIME):
        doc = load(path)
        containers = (doc["spec"]["template"]["spec"]["containers"] if doc["kind"] == "Service"
                      else doc["spec"]["containers"])
        for c in containers:
            for arg in c.get("args", []):
                flags.add(re.match(r"--(\w+)", arg).group(1))
    return flags


# ---- the manifests as shipped ----

def test_npm_schemas_accept_every_manifest():
    r = node_validate(*MANIFESTS)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("ok ") == len(MANIFESTS)


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_core_parts_pass_strict_kubernetes_validate(path):
    assert k8s_errors(load(path)) == []


def test_knative_service_scales_to_zero_on_one_h2c_port():
    doc = load(KNATIVE)
    annotations = doc["spec"]["template"]["metadata"]["annotations"]
    assert annotations["autoscaling.knative.dev/min-scale"] == "0"
    assert int(annotations["autoscaling.knative.dev/target"]) > 0
    assert annotations["autoscaling.knative.dev/class"] == "kpa.autoscaling.knative.dev"
    (container,) = doc["spec"]["template"]["spec"]["containers"]
    (port,) = container["ports"]  # Knative allows exactly one
    assert port["name"] == "h2c" and port["containerPort"] not in (8012, 8013, 8022, 9090, 9091, 8008)
    probe = container["readinessProbe"]["httpGet"]
    assert probe["path"] == "/v2/health/ready" and probe["port"] == port["containerPort"]
    assert container["securityContext"]["runAsNonRoot"] is True
    assert "memory" in container["resources"]["limits"]


def test_kserve_inference_service_uses_the_runtime_and_scales_to_zero():
    isvc, runtime = load(ISVC), load(RUNTIME)
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] in ("Knative", "Serverless")
    predictor = isvc["spec"]["predictor"]
    assert predictor["minReplicas"] == 0
    assert set(predictor) <= KSERVE_PREDICTOR_FIELDS, set(predictor) - KSERVE_PREDICTOR_FIELDS
    assert set(predictor["model"]) <= KSERVE_MODEL_FIELDS, set(predictor["model"]) - KSERVE_MODEL_FIELDS
    assert predictor["model"]["runtime"] == runtime["metadata"]["name"]
    formats = {f["name"] for f in runtime["spec"]["supportedModelFormats"]}
    assert predictor["model"]["modelFormat"]["name"] in formats
    assert set(runtime["spec"]) <= SERVING_RUNTIME_FIELDS, set(runtime["spec"]) - SERVING_RUNTIME_FIELDS
    assert set(runtime["spec"]["protocolVersions"]) <= PROTOCOLS
    (container,) = runtime["spec"]["containers"]
    assert "--model_base_path=/mnt/models" in container["args"]  # where KServe puts the model
    (port,) = container["ports"]
    assert port["containerPort"] == 8080  # KServe's default HTTP port


def test_manifest_flags_are_tern_flags():
    known = tern_flags()
    assert "model_base_path" in known, "could not read build/tern --help"
    unknown = manifest_flags() - known
    assert not unknown, f"flags tern does not accept: {sorted(unknown)}"


# ---- broken manifests must fail ----

def write_yaml(tmp_path, doc, name="broken.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc))
    return path


def test_npm_schemas_reject_a_wrong_type(tmp_path):
    doc = load(KNATIVE)
    doc["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "h2c"
    r = node_validate(write_yaml(tmp_path, doc))
    assert r.returncode == 1
    assert "containers/0/ports/0/containerPort must be integer" in r.stderr


def test_npm_schemas_reject_a_knative_field_of_the_wrong_type(tmp_path):
    doc = load(KNATIVE)
    doc["spec"]["template"]["spec"]["containerConcurrency"] = "unlimited"
    r = node_validate(write_yaml(tmp_path, doc))
    assert r.returncode == 1 and "containerConcurrency" in r.stderr


def test_npm_schemas_reject_a_broken_kserve_container(tmp_path):
    doc = load(RUNTIME)
    doc["spec"]["containers"][0]["env"] = {"MODEL_NAME": "x"}  # must be a list of {name, value}
    r = node_validate(write_yaml(tmp_path, doc))
    assert r.returncode == 1 and "spec.containers[0]" in r.stderr and "env" in r.stderr


def test_npm_validator_rejects_unparsable_yaml(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(KNATIVE.read_text().replace("  template:", "  template: [", 1))
    assert node_validate(path).returncode == 1


def test_strict_kubernetes_validate_rejects_a_misspelled_field():
    doc = load(KNATIVE)
    container = doc["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    errors = k8s_errors(doc)
    assert errors and "readinesProbe" in json.dumps(errors)


def test_kserve_field_check_rejects_a_misspelled_field():
    isvc = load(ISVC)
    isvc["spec"]["predictor"]["minReplica"] = 0
    assert not set(isvc["spec"]["predictor"]) <= KSERVE_PREDICTOR_FIELDS
