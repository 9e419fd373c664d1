#!/usr/bin/env python3
"""Export the taxi-fare demo model (a feature-column Estimator) and its goldens.

What it makes:
  models/taxi_fare/1/                 SavedModel (tag `serve`), rewritten on each run
  tests/models/taxi_fare/golden.json  outputs recorded by TensorFlow from that export

The model is the New York taxi-fare regressor of the classic TensorFlow course,
trained for a few seconds on synthetic trips generated here with fixed seeds
(no data download). Raw features: pickup/dropoff longitude and latitude and
passenger_count (float32). Feature columns: the five numeric columns
(normalized), bucketized pickup/dropoff latitude and longitude (10 buckets
each), one crossed column of the four bucketized columns (hashed into 250
buckets) fed to the network through an indicator column (or an embedding
column with --variant dnn_embedding). Model: tf.estimator.DNNRegressor with
hidden units [16, 8].

Signatures of the export:
  serving_default  tensorflow/serving/predict  inputs: the five raw features,
                   float32 [-1] each; output `predictions` float32 [-1, 1]
  regression       tensorflow/serving/regress  input `inputs`: serialized
                   tf.Example, string [-1]; output `outputs` float32 [-1, 1]

The checked-in export and golden.json are committed test data written by TensorFlow 2.15.1:
tf.estimator was removed in TensorFlow 2.16, so the project venv's TensorFlow cannot run this
script. To write them again, use a separate venv with the TensorFlow that still had Estimators:
  python3 -m venv /tmp/tf215 && /tmp/tf215/bin/pip install tensorflow-cpu==2.15.1 numpy==1.26.4
  /tmp/tf215/bin/python tests/models/taxi_fare/export_taxi_fare.py

Options (for experiments; the defaults produce the checked-in model):
  --variant dnn_indicator|dnn_embedding|linear|wide_deep
  --export_dir DIR   write the SavedModel here instead of models/taxi_fare/1
  --no_golden        do not rewrite golden.json

golden.json is a list of cases {"signature_name", "inputs", "outputs"}; values
are nested lists in the tensor's shape; floats are the exact float32 values
written as Python floats. The regression cases give the serialized tf.Example
inputs as {"inputs": {"b64": [base64 strings]}}, the TF Serving JSON convention
for binary strings.
"""

import argparse
import base64
import json
import math
import os
import shutil
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_EXPORT_DIR = os.path.join(REPO, "models", "taxi_fare", "1")
GOLDEN_PATH = os.path.join(HERE, "golden.json")

RAW_FEATURES = ["pickup_longitude", "pickup_latitude",
                "dropoff_longitude", "dropoff_latitude", "passenger_count"]
LON_MIN, LON_MAX = -74.05, -73.75
LAT_MIN, LAT_MAX = 40.60, 40.90
STEP = 0.03  # bucket width in degrees: 9 boundaries, 10 buckets per axis
LON_BOUNDARIES = [round(LON_MIN + STEP * k, 2) for k in range(1, 10)]
LAT_BOUNDARIES = [round(LAT_MIN + STEP * k, 2) for k in range(1, 10)]
HASH_BUCKETS = 250
KM_PER_DEG_LAT = 111.0
KM_PER_DEG_LON = 111.0 * math.cos(math.radians(40.75))

SEED = 20240611
NUM_TRIPS = 4000
BATCH = 64
TRAIN_STEPS = 800


def make_trips(n, seed):
    """Synthetic Manhattan-like trips: dict of float32 arrays and fares."""
    rng = np.random.default_rng(seed)
    plon = rng.uniform(LON_MIN, LON_MAX, n)
    plat = rng.uniform(LAT_MIN, LAT_MAX, n)
    dlon = np.clip(plon + rng.normal(0.0, 0.04, n), LON_MIN, LON_MAX)
    dlat = np.clip(plat + rng.normal(0.0, 0.05, n), LAT_MIN, LAT_MAX)
    passengers = rng.integers(1, 7, n).astype(np.float64)
    km = np.hypot((dlon - plon) * KM_PER_DEG_LON, (dlat - plat) * KM_PER_DEG_LAT)
    fare = 2.5 + 2.0 * km + 0.25 * (passengers - 1) + rng.normal(0.0, 0.8, n)
    fare = np.maximum(fare, 2.5)
    features = {
        "pickup_longitude": plon, "pickup_latitude": plat,
        "dropoff_longitude": dlon, "dropoff_latitude": dlat,
        "passenger_count": passengers,
    }
    return ({k: v.astype(np.float32) for k, v in features.items()},
            fare.astype(np.float32))


def feature_columns(variant):
    """Returns (linear_columns, dnn_columns) for the variant."""
    fc = tf.feature_column
    lon_center, lon_scale = (LON_MIN + LON_MAX) / 2, 2.0 / (LON_MAX - LON_MIN)
    lat_center, lat_scale = (LAT_MIN + LAT_MAX) / 2, 2.0 / (LAT_MAX - LAT_MIN)

    def scaled(center, scale):
        # x * scale + offset rather than (x - center) * scale: one op type
        # (Sub) fewer in the serving graph.
        offset = -center * scale
        return lambda x: x * scale + offset

    plon = fc.numeric_column("pickup_longitude", normalizer_fn=scaled(lon_center, lon_scale))
    plat = fc.numeric_column("pickup_latitude", normalizer_fn=scaled(lat_center, lat_scale))
    dlon = fc.numeric_column("dropoff_longitude", normalizer_fn=scaled(lon_center, lon_scale))
    dlat = fc.numeric_column("dropoff_latitude", normalizer_fn=scaled(lat_center, lat_scale))
    pcount = fc.numeric_column("passenger_count", normalizer_fn=scaled(3.5, 0.4))
    numeric = [plon, plat, dlon, dlat, pcount]

    # Buckets are cut on the raw degrees (a bucketized column applies its
    # source column's normalizer first, so use un-normalized sources).
    b_plon = fc.bucketized_column(fc.numeric_column("pickup_longitude"), LON_BOUNDARIES)
    b_plat = fc.bucketized_column(fc.numeric_column("pickup_latitude"), LAT_BOUNDARIES)
    b_dlon = fc.bucketized_column(fc.numeric_column("dropoff_longitude"), LON_BOUNDARIES)
    b_dlat = fc.bucketized_column(fc.numeric_column("dropoff_latitude"), LAT_BOUNDARIES)
    trip = fc.crossed_column([b_plat, b_plon, b_dlat, b_dlon], hash_bucket_size=HASH_BUCKETS)

    if variant == "dnn_indicator":
        return [], numeric + [fc.indicator_column(trip)]
    if variant == "dnn_embedding":
        return [], numeric + [fc.embedding_column(trip, dimension=4)]
    if variant == "linear":
        return numeric + [b_plon, b_plat, b_dlon, b_dlat, trip], []
    if variant == "wide_deep":
        return [b_plon, b_plat, b_dlon, b_dlat, trip], numeric + [fc.embedding_column(trip, 4)]
    raise ValueError("unknown variant %r" % variant)


def make_estimator(variant, model_dir):
    config = tf.estimator.RunConfig(
        model_dir=model_dir, tf_random_seed=SEED,
        save_summary_steps=None, save_checkpoints_steps=TRAIN_STEPS,
        keep_checkpoint_max=1, log_step_count_steps=10 ** 6,
        session_config=tf.compat.v1.ConfigProto(
            intra_op_parallelism_threads=1, inter_op_parallelism_threads=1))
    linear, dnn = feature_columns(variant)
    adam = lambda: tf.keras.optimizers.legacy.Adam(learning_rate=0.02)
    if variant == "linear":
        return tf.estimator.LinearRegressor(linear, optimizer=adam(), config=config)
    if variant == "wide_deep":
        return tf.estimator.DNNLinearCombinedRegressor(
            linear_feature_columns=linear, linear_optimizer=adam(),
            dnn_feature_columns=dnn, dnn_optimizer=adam(),
            dnn_hidden_units=[16, 8], config=config)
    return tf.estimator.DNNRegressor(hidden_units=[16, 8], feature_columns=dnn,
                                     optimizer=adam(), config=config)


def train_input_fn(features, fares):
    def input_fn():
        ds = tf.data.Dataset.from_tensor_slices((features, fares))
        ds = ds.shuffle(len(fares), seed=SEED, reshuffle_each_iteration=True)
        return ds.repeat().batch(BATCH)
    return input_fn


def serving_input_fn():
    """tf.Example receiver, with the parsed features feedable by name.

    The features are PlaceholderWithDefault nodes named after the raw
    features, defaulting to the parsed tf.Example values: the regress
    signature feeds `inputs` and parses; the predict signature feeds the
    named placeholders, and parsing is pruned away.
    """
    serialized = tf.compat.v1.placeholder(tf.string, [None], name="input_example_tensor")
    spec = {k: tf.io.FixedLenFeature([], tf.float32) for k in RAW_FEATURES}
    parsed = tf.io.parse_example(serialized, spec)
    features = {k: tf.compat.v1.placeholder_with_default(parsed[k], [None], name=k)
                for k in RAW_FEATURES}
    return tf.estimator.export.ServingInputReceiver(
        features, {"inputs": serialized},
        receiver_tensors_alternatives={"raw": features})


def fix_signatures(export_dir):
    """Keeps serving_default = predict on raw features, regression = regress.

    The Estimator names the signatures after its head's export outputs:
    `serving_default`, `regression` (both regress on tf.Example) and `predict`
    for the main receiver, `raw:predict` for the raw-feature alternative.
    """
    path = os.path.join(export_dir, "saved_model.pb")
    sm = saved_model_pb2.SavedModel()
    with open(path, "rb") as f:
        sm.ParseFromString(f.read())
    assert len(sm.meta_graphs) == 1, "expected one MetaGraphDef"
    sigs = sm.meta_graphs[0].signature_def
    keep = {"serving_default": sigs["raw:predict"], "regression": sigs["regression"]}
    keep = {k: type(v).FromString(v.SerializeToString()) for k, v in keep.items()}
    print("estimator signatures: %s" % sorted(sigs))
    for key in list(sigs):
        if not key.startswith("__"):  # keep __saved_model_init_op if any
            del sigs[key]
    for key, sig in keep.items():
        sigs[key].CopyFrom(sig)
    with open(path, "wb") as f:
        f.write(sm.SerializeToString())


def export(variant, export_dir):
    features, fares = make_trips(NUM_TRIPS, SEED)
    tmp = tempfile.mkdtemp(prefix="taxi_fare_")
    try:
        tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)
        est = make_estimator(variant, os.path.join(tmp, "model"))
        start = time.time()
        est.train(train_input_fn(features, fares), steps=TRAIN_STEPS)
        train_seconds = time.time() - start
        metrics = est.evaluate(train_input_fn(*make_trips(1000, SEED + 1)), steps=10)
        print("trained %d steps in %.1f s; eval on fresh trips: average_loss %.3f"
              % (TRAIN_STEPS, train_seconds, metrics["average_loss"]))
        written = est.export_saved_model(os.path.join(tmp, "export"), serving_input_fn)
        written = written.decode() if isinstance(written, bytes) else written
        fix_signatures(written)
        if os.path.exists(export_dir):
            shutil.rmtree(export_dir)
        os.makedirs(os.path.dirname(export_dir), exist_ok=True)
        shutil.copytree(written, export_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return train_seconds


# ---------------------------------------------------------------- goldens

def f32(x):
    return float(np.float32(x))


def to_list(array):
    """Nested lists; float32 elements become the Python float of equal value."""
    return np.asarray(array).tolist()


def golden_rows():
    """Rows of raw features: 1, 3 and 8 (with edge values)."""
    def row(plon, plat, dlon, dlat, pc):
        return dict(zip(RAW_FEATURES, [f32(v) for v in (plon, plat, dlon, dlat, pc)]))
    one = [row(-73.9857, 40.7484, -73.9680, 40.7850, 1)]
    three = [row(-73.9772, 40.7527, -73.8740, 40.7769, 2),
             row(-74.0110, 40.7069, -73.9855, 40.7580, 1),
             row(-73.9442, 40.6782, -73.9900, 40.7500, 4)]
    eight = [
        row(-73.9800, 40.7500, -73.9800, 40.7500, 1),   # same pickup and dropoff
        row(-74.0500, 40.6000, -73.7500, 40.9000, 1),   # corner to far corner
        row(-73.7500, 40.9000, -74.0500, 40.6000, 6),   # back, 6 passengers
        row(-74.0500, 40.9000, -73.7500, 40.6000, 3),   # the other diagonal
        row(-73.9900, 40.7500, -73.9600, 40.7800, 6),   # exactly on bucket boundaries
        row(-74.2000, 40.5000, -73.5000, 41.0000, 2),   # outside the area
        row(-73.9600, 40.7700, -73.9601, 40.7701, 5),   # a very short trip
        row(-73.8700, 40.7700, -73.9900, 40.7600, 6),   # airport-ish to midtown
    ]
    return one, three, eight


def example_bytes(row):
    feats = {k: tf.train.Feature(float_list=tf.train.FloatList(value=[row[k]]))
             for k in RAW_FEATURES}
    return tf.train.Example(features=tf.train.Features(feature=feats)).SerializeToString()


def record_goldens(export_dir):
    one, three, eight = golden_rows()
    cases = []
    graph = tf.Graph()
    with tf.compat.v1.Session(graph=graph) as sess:
        meta = tf.compat.v1.saved_model.loader.load(sess, ["serve"], export_dir)
        sigs = meta.signature_def

        def run(name, feeds):
            sig = sigs[name]
            feed = {sig.inputs[k].name: v for k, v in feeds.items()}
            keys = sorted(sig.outputs)
            vals = sess.run([sig.outputs[k].name for k in keys], feed_dict=feed)
            return {k: to_list(v) for k, v in zip(keys, vals)}

        for rows in (one, three, eight):
            inputs = {k: [r[k] for r in rows] for k in RAW_FEATURES}
            feeds = {k: np.array(v, np.float32) for k, v in inputs.items()}
            cases.append({"signature_name": "serving_default", "inputs": inputs,
                          "outputs": run("serving_default", feeds)})
        for rows in (one, three + one[:1]):
            blobs = [example_bytes(r) for r in rows]
            outputs = run("regression", {"inputs": np.array(blobs, dtype=object)})
            cases.append({"signature_name": "regression",
                          "inputs": {"inputs": {"b64": [base64.b64encode(b).decode()
                                                        for b in blobs]}},
                          "outputs": outputs})
    # Both paths must agree on the same rows.
    a = np.array(cases[0]["outputs"]["predictions"])
    b = np.array(cases[3]["outputs"]["outputs"])
    assert np.allclose(a, b), (a, b)
    with open(GOLDEN_PATH, "w") as f:  # one case per line
        f.write("[\n" + ",\n".join(json.dumps(c) for c in cases) + "\n]\n")
    return cases


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", default="dnn_indicator",
                        choices=["dnn_indicator", "dnn_embedding", "linear", "wide_deep"])
    parser.add_argument("--export_dir", default=DEFAULT_EXPORT_DIR)
    parser.add_argument("--no_golden", action="store_true")
    args = parser.parse_args(argv)
    if not hasattr(tf, "estimator"):
        print("export_taxi_fare: TensorFlow %s has no tf.estimator (removed in 2.16); run this "
              "script with tensorflow-cpu 2.15 (see its docstring). models/taxi_fare/1 and "
              "golden.json are committed and stay as they are." % tf.__version__, file=sys.stderr)
        return 2
    export(args.variant, args.export_dir)
    size = sum(os.path.getsize(os.path.join(d, f))
               for d, _, files in os.walk(args.export_dir) for f in files)
    print("exported %s (%d bytes)" % (args.export_dir, size))
    if not args.no_golden:
        cases = record_goldens(args.export_dir)
        print("wrote %s (%d cases)" % (GOLDEN_PATH, len(cases)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
