#!/usr/bin/env python3
"""Export the MLP used by the batching tests and benchmark, and its goldens.

What it makes:
  tests/models/mlp/model/1/     SavedModel (tag `serve`), rewritten on each run
  tests/models/mlp/golden.json  outputs recorded by TensorFlow for a few inputs

The model is a Keras MLP: 256 float inputs, three Dense(512, relu) layers and a
Dense(10) output, with fixed random weights (seed 7). It is the "compute matters"
model of the batching issue: one row costs ~0.66 M multiply-adds, so merging rows
into one matrix multiply pays off on a CPU.

Signature serving_default (tensorflow/serving/predict):
  input  `x`  float32 [-1, 256]
  output `y`  float32 [-1, 10]

Run from the repository root:
  .venv/bin/python tests/models/mlp/export_mlp.py
"""
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Keras 2 (tf-keras), which wrote the checked-in export (with TF 2.15's tf.keras): the same
# initializers draw the same weights from seed 7, where Keras 3 would draw others.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = Path(__file__).resolve().parent
INPUTS, HIDDEN, LAYERS, OUTPUTS = 256, 512, 3, 10


def build():
    tf.keras.utils.set_random_seed(7)
    layers = [tf.keras.Input(shape=(INPUTS,), name="x")]
    layers += [tf.keras.layers.Dense(HIDDEN, activation="relu") for _ in range(LAYERS)]
    layers += [tf.keras.layers.Dense(OUTPUTS)]
    return tf.keras.Sequential(layers)


def main():
    model = build()

    @tf.function(input_signature=[tf.TensorSpec([None, INPUTS], tf.float32, name="x")])
    def serve(x):
        return {"y": model(x)}

    export_dir = HERE / "model" / "1"
    tf.saved_model.save(model, str(export_dir), signatures={"serving_default": serve})

    rng = np.random.default_rng(11)
    cases = []
    for rows in (1, 3, 8):
        x = rng.standard_normal((rows, INPUTS)).astype(np.float32)
        y = serve(tf.constant(x))["y"].numpy()
        cases.append({"x": x.tolist(), "y": y.tolist()})
    (HERE / "golden.json").write_text(json.dumps(cases))
    print(f"exported {export_dir} and {HERE / 'golden.json'}")


if __name__ == "__main__":
    main()
