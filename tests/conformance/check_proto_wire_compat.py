"""Checks that Tern's own .proto files are wire-compatible with TensorFlow's and TF Serving's.

For every message and enum we declare, the same full name must exist in the descriptors that
TensorFlow / tensorflow-serving-api / tritonclient (KServe v2) ship, and every field we declare must have the same number,
type and label there (we may declare fewer fields, never different ones).
"""
import subprocess
import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2, descriptor_pool

ROOT = Path(__file__).resolve().parents[2]

# Importing these registers TensorFlow's and TF Serving's descriptors in the default pool.
import tensorflow.core.framework.graph_pb2  # noqa: E402,F401
import tensorflow.core.protobuf.meta_graph_pb2  # noqa: E402,F401
import tensorflow.core.protobuf.saved_model_pb2  # noqa: E402,F401
import tensorflow.core.protobuf.tensor_bundle_pb2  # noqa: E402,F401
import tensorflow.core.example.example_pb2  # noqa: E402,F401
from tensorflow_serving.apis import (  # noqa: E402,F401
    get_model_metadata_pb2, get_model_status_pb2, inference_pb2, model_management_pb2,
    model_service_pb2, prediction_log_pb2, prediction_service_pb2)
from tensorflow_serving.config import model_server_config_pb2  # noqa: E402,F401
# KServe v2 (package inference): tritonclient's generated descriptors.
import tritonclient.grpc.service_pb2  # noqa: E402,F401


def add_unshipped_reference_messages(pool):
    """tensorflow-serving-api does not ship monitoring_config_pb2, so its messages are added
    here as TF Serving's tensorflow_serving/config/monitoring_config.proto declares them."""
    try:
        pool.FindMessageTypeByName("tensorflow.serving.MonitoringConfig")
        return
    except KeyError:
        pass
    F = descriptor_pb2.FieldDescriptorProto
    f = descriptor_pb2.FileDescriptorProto(
        name="reference/tensorflow_serving/config/monitoring_config.proto",
        package="tensorflow.serving", syntax="proto3")
    m = f.message_type.add(name="PrometheusConfig")
    m.field.add(name="enable", number=1, type=F.TYPE_BOOL, label=F.LABEL_OPTIONAL)
    m.field.add(name="path", number=2, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    m = f.message_type.add(name="MonitoringConfig")
    m.field.add(name="prometheus_config", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL,
                type_name=".tensorflow.serving.PrometheusConfig")
    pool.AddSerializedFile(f.SerializeToString())


# Messages whose .proto no Python package here ships (TF Serving keeps session_bundle_config.proto
# out of tensorflow-serving-api): checked against the field names, numbers and types of TF
# Serving's source instead. name -> {field: (number, type, type_name)}.
_F = descriptor_pb2.FieldDescriptorProto
NOT_SHIPPED = {
    "tensorflow.serving.BatchingParameters": {
        "max_batch_size": (1, _F.TYPE_MESSAGE, ".google.protobuf.Int64Value"),
        "batch_timeout_micros": (2, _F.TYPE_MESSAGE, ".google.protobuf.Int64Value"),
        "max_enqueued_batches": (3, _F.TYPE_MESSAGE, ".google.protobuf.Int64Value"),
        "num_batch_threads": (4, _F.TYPE_MESSAGE, ".google.protobuf.Int64Value"),
        "thread_pool_name": (5, _F.TYPE_MESSAGE, ".google.protobuf.StringValue"),
        "allowed_batch_sizes": (6, _F.TYPE_INT64, ""),
        "pad_variable_length_inputs": (7, _F.TYPE_BOOL, ""),
        "enable_large_batch_splitting": (8, _F.TYPE_MESSAGE, ".google.protobuf.BoolValue"),
        "max_execution_batch_size": (9, _F.TYPE_MESSAGE, ".google.protobuf.Int64Value"),
    },
}


def compare_not_shipped(ours, full, problems):
    facts = NOT_SHIPPED[full]
    for field in ours.field:
        where = f"{full}.{field.name} (#{field.number})"
        if field.name not in facts:
            problems.append(f"{where}: not a field of TF Serving's message")
        elif facts[field.name] != (field.number, field.type, field.type_name):
            problems.append(f"{where}: TF Serving has {facts[field.name]}")


def our_descriptor_set():
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.pb"
        files = sorted(str(p.relative_to(ROOT / "proto")) for p in (ROOT / "proto").rglob("*.proto"))
        subprocess.run(["protoc", f"-I{ROOT / 'proto'}", f"--descriptor_set_out={out}", *files],
                       check=True)
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(out.read_bytes())
        return fds


# Declared by us with no reference descriptors in the venv: SSLConfig is read only as a text
# proto (field names matter, not numbers); grpc.health.v1 is exercised by grpcurl instead
# (tests/integration/test_grpc_health_reflection.py).
TEXT_ONLY = {"tensorflow.serving.SSLConfig", "grpc.health.v1.HealthCheckRequest",
             "grpc.health.v1.HealthCheckResponse"}


# Tern's documented extensions (docs/scaling-and-deployment.md, "Scale 0..N in one process";
# runtime, and the runtime serving each version in model status and v2 metadata:
# docs/tensorflow_runtime.md):
# fields TF Serving does not have, at numbers far above its own. Only these exact (number, name, type) triples are accepted.
TERN_EXTENSIONS = {
    "tensorflow.serving.ModelConfig": {
        1001: ("min_instances", descriptor_pb2.FieldDescriptorProto.TYPE_INT32),
        1002: ("max_instances", descriptor_pb2.FieldDescriptorProto.TYPE_INT32),
        1003: ("idle_unload_seconds", descriptor_pb2.FieldDescriptorProto.TYPE_INT64),
        1004: ("runtime", descriptor_pb2.FieldDescriptorProto.TYPE_STRING),
    },
    "tensorflow.serving.ModelVersionStatus": {
        1001: ("runtime", descriptor_pb2.FieldDescriptorProto.TYPE_STRING),
        1002: ("runtime_reason", descriptor_pb2.FieldDescriptorProto.TYPE_STRING),
    },
    "inference.ModelMetadataResponse": {
        1001: ("runtime", descriptor_pb2.FieldDescriptorProto.TYPE_STRING),
        1002: ("runtime_reason", descriptor_pb2.FieldDescriptorProto.TYPE_STRING),
    },
}


def label_of(field):
    """A FieldDescriptor's label as FieldDescriptorProto spells it (protobuf 6 deprecates
    FieldDescriptor.label in favour of is_repeated / is_required)."""
    F = descriptor_pb2.FieldDescriptorProto
    if field.is_repeated:
        return F.LABEL_REPEATED
    return F.LABEL_REQUIRED if field.is_required else F.LABEL_OPTIONAL


def compare_message(ours, prefix, pool, problems):
    full = f"{prefix}.{ours.name}"
    if full in TEXT_ONLY:
        return
    if full in NOT_SHIPPED:
        compare_not_shipped(ours, full, problems)
        return
    try:
        theirs = pool.FindMessageTypeByName(full)
    except KeyError:
        problems.append(f"{full}: no such message in TensorFlow/TF Serving")
        return
    by_number = {f.number: f for f in theirs.fields}
    for field in ours.field:
        other = by_number.get(field.number)
        where = f"{full}.{field.name} (#{field.number})"
        extension = TERN_EXTENSIONS.get(full, {}).get(field.number)
        if other is None and extension == (field.name, field.type):
            continue
        if other is None:
            problems.append(f"{where}: TensorFlow has no field with this number")
            continue
        if other.name != field.name:
            problems.append(f"{where}: TensorFlow names it {other.name}")
        if other.type != field.type:
            problems.append(f"{where}: type {field.type}, TensorFlow has {other.type}")
        if label_of(other) != field.label:
            problems.append(f"{where}: label {field.label}, TensorFlow has {label_of(other)}")
    for nested in ours.nested_type:
        if nested.options.map_entry:
            continue
        compare_message(nested, full, pool, problems)
    for enum in ours.enum_type:
        compare_enum(enum, full, pool, problems)


def compare_enum(ours, prefix, pool, problems):
    full = f"{prefix}.{ours.name}"
    try:
        theirs = pool.FindEnumTypeByName(full)
    except KeyError:
        problems.append(f"{full}: no such enum in TensorFlow/TF Serving")
        return
    numbers = {v.name: v.number for v in theirs.values}
    for value in ours.value:
        if numbers.get(value.name) != value.number:
            problems.append(f"{full}.{value.name} = {value.number}: TensorFlow has {numbers.get(value.name)}")


def compare_services(ours, pool, problems):
    for service in ours.service:
        full = f"{ours.package}.{service.name}"
        if ours.package == "grpc.health.v1":
            continue
        try:
            theirs = pool.FindServiceByName(full)
        except KeyError:
            problems.append(f"{full}: no such service")
            continue
        for method in service.method:
            other = theirs.methods_by_name.get(method.name)
            if other is None:
                problems.append(f"{full}.{method.name}: no such method")
            elif ("." + other.input_type.full_name != method.input_type or
                  "." + other.output_type.full_name != method.output_type):
                problems.append(f"{full}.{method.name}: request/response types differ")


def main():
    pool = descriptor_pool.Default()
    add_unshipped_reference_messages(pool)
    problems = []
    checked = 0
    for file in our_descriptor_set().file:
        for message in file.message_type:
            compare_message(message, file.package, pool, problems)
            checked += 1
        for enum in file.enum_type:
            compare_enum(enum, file.package, pool, problems)
            checked += 1
        compare_services(file, pool, problems)
    for p in problems:
        print("MISMATCH", p)
    print(f"checked {checked} top-level messages/enums, {len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
