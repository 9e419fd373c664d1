"""Estimator-style TF1 graphs built with tf.compat.v1: feature columns over parsed tf.Examples,
linear, DNN and wide-and-deep heads, with predict, regress and classify signatures, exported
with the v1 SavedModelBuilder (ref variables, Saver restore op, main op for the tables).

Each exporter writes a SavedModel to `path` and returns input hints for the conformance runner.
"""
import os
import tempfile

import tensorflow as tf

v1 = tf.compat.v1
fc = v1.feature_column

CITIES = ["paris", "tokyo", "lima", "oslo", "cairo"]
COLORS = ["red", "green", "blue"]

# What the runner puts in the tf.Examples it generates (kind, and values to draw from).
EXAMPLE_FEATURES = {
    "age": {"kind": "float", "low": 0.0, "high": 90.0},
    "income": {"kind": "float", "low": 0.0, "high": 5.0},
    "color": {"kind": "bytes", "vocab": COLORS + ["purple"]},
    "city": {"kind": "bytes", "vocab": CITIES + ["rome"]},
    "user": {"kind": "bytes", "vocab": ["u%d" % i for i in range(30)], "max_len": 3},
}


def _columns(vocab_file):
    age = fc.numeric_column("age", default_value=30.0)
    income = fc.numeric_column("income", default_value=1.0)
    age_buckets = fc.bucketized_column(age, [18.0, 25.0, 35.0, 50.0, 65.0])
    color = fc.categorical_column_with_vocabulary_list("color", COLORS, default_value=0)
    city = fc.categorical_column_with_vocabulary_file("city", vocab_file, num_oov_buckets=1)
    user = fc.categorical_column_with_hash_bucket("user", 40)
    cross = fc.crossed_column([age_buckets, "color"], 24)
    wide = [age_buckets, color, city, user, cross]
    deep = [age, income, fc.indicator_column(color), fc.embedding_column(city, 4),
            fc.embedding_column(user, 3, combiner="sqrtn")]
    return wide, deep


def _export(path, head, seed):
    workdir = tempfile.mkdtemp()
    vocab_file = os.path.join(workdir, "cities.txt")
    with open(vocab_file, "w") as f:
        f.write("\n".join(CITIES) + "\n")
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(seed)
        serialized = v1.placeholder(tf.string, [None], name="input_example_tensor")
        wide, deep = _columns(vocab_file)
        features = v1.parse_example(serialized, fc.make_parse_example_spec(wide + deep))
        logits = tf.zeros([1, 1])
        if head in ("linear", "wide_deep"):
            logits = logits + fc.linear_model(features, wide, units=1)
        if head in ("dnn", "wide_deep"):
            h = fc.input_layer(features, deep)
            for units in (16, 8):
                h = v1.layers.dense(h, units, activation=tf.nn.relu)
            logits = logits + v1.layers.dense(h, 1)
        probability = tf.sigmoid(logits, name="probability")
        scores = tf.concat([1.0 - probability, probability], axis=1, name="scores")
        classes = tf.tile(tf.constant([["0", "1"]]), [tf.shape(scores)[0], 1], name="classes")
        with v1.Session(graph=graph) as sess:
            sess.run([v1.global_variables_initializer(), v1.tables_initializer()])
            sm = v1.saved_model
            sigs = {
                "serving_default": sm.predict_signature_def(
                    {"examples": serialized}, {"logits": logits, "probability": probability}),
                "regression": sm.regression_signature_def(serialized, probability),
                "classification": sm.classification_signature_def(serialized, classes, scores),
            }
            builder = sm.Builder(path)
            builder.add_meta_graph_and_variables(
                sess, [sm.tag_constants.SERVING], signature_def_map=sigs,
                assets_collection=v1.get_collection(v1.GraphKeys.ASSET_FILEPATHS),
                main_op=v1.tables_initializer(), strip_default_attrs=True)
            builder.save()
    return {"examples": {"kind": "example", "features": EXAMPLE_FEATURES},
            "inputs": {"kind": "example", "features": EXAMPLE_FEATURES}}


def tf1_linear(path):
    return _export(path, "linear", 21)


def tf1_dnn(path):
    return _export(path, "dnn", 22)


def tf1_wide_deep(path):
    return _export(path, "wide_deep", 23)


def tf1_raw_features(path):
    """Predict on raw feature placeholders (no tf.Example), with a TF1 cond (Switch/Merge)."""
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(24)
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        k = v1.placeholder(tf.int64, [None], name="k")
        w = v1.get_variable("w", [3, 2])
        emb = v1.get_variable("emb", [10, 2])
        y = tf.matmul(x, w) + tf.nn.embedding_lookup(emb, tf.math.floormod(k, 10))
        y = tf.cond(tf.reduce_mean(y) > 0.0, lambda: tf.nn.relu(y), lambda: tf.abs(y))
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            sm = v1.saved_model
            builder = sm.Builder(path)
            builder.add_meta_graph_and_variables(
                sess, [sm.tag_constants.SERVING],
                signature_def_map={"serving_default": sm.predict_signature_def(
                    {"x": x, "k": k}, {"y": y})},
                strip_default_attrs=True)
            builder.save()
    return {"k": {"kind": "int", "low": -30, "high": 30}}


EXPORTERS = [tf1_linear, tf1_dnn, tf1_wide_deep, tf1_raw_features]
