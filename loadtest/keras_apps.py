#!/usr/bin/env python3
"""Exports keras.applications CNNs with random weights as SavedModels for build/loadtest/cnn_bench.

Usage: .venv/bin/python loadtest/keras_apps.py [--out build/apps] [--only NAME ...]

Writes <out>/<name>/1/ (TF Serving's layout), input `image` [N,32,32,3] float32 (InceptionV3:
75x75x3, its minimum), signature serving_default. BatchNormalization layers get random moving
statistics, so folding them is exercised as in a trained model. Then, for example:
  build/loadtest/cnn_bench --model=build/apps/resnet50/1 --row=32,32,3 --op_profile
"""
import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = {  # name -> (keras.applications constructor, input side)
    "mobilenet_v2": ("MobileNetV2", 32),
    "resnet50": ("ResNet50", 32),
    "efficientnet_b0": ("EfficientNetB0", 32),
    "densenet121": ("DenseNet121", 32),
    "inception_v3": ("InceptionV3", 75),
}


def randomize_batchnorm(model):
    """Non-trivial moving statistics (fresh ones are 0 and 1); gamma/beta where the layer has them
    (InceptionV3's have no gamma)."""
    import tensorflow as tf
    rng = tf.random.Generator.from_seed(7)
    for layer in model.layers:
        if isinstance(layer, tf.keras.layers.BatchNormalization):
            shape = layer.moving_mean.shape
            layer.moving_mean.assign(rng.normal(shape))
            layer.moving_variance.assign(rng.uniform(shape, 0.5, 2.0))
            if layer.gamma is not None:
                layer.gamma.assign(rng.uniform(shape, 0.5, 1.5))
            if layer.beta is not None:
                layer.beta.assign(rng.normal(shape))


def export(name, out):
    import tensorflow as tf
    sys.path.insert(0, str(ROOT / "tests" / "models" / "zoo"))
    import keras_models

    constructor, side = MODELS[name]
    tf.keras.utils.set_random_seed(1)
    image = tf.keras.layers.Input((side, side, 3), name="image")
    model = getattr(tf.keras.applications, constructor)(input_tensor=image, weights=None)
    randomize_batchnorm(model)
    path = Path(out) / name / "1"
    model.save(str(path), save_format="tf", save_traces=False,
               signatures=keras_models.serving_signature(model))
    print("exported", path)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "apps"))
    parser.add_argument("--only", nargs="*", choices=sorted(MODELS), default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["TF_USE_LEGACY_KERAS"] = "1"  # tf-keras (Keras 2): save_format="tf"
    for name in args.only or MODELS:
        export(name, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
