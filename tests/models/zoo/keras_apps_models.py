"""keras.applications architectures of the zoo: one model per architecture family (its smallest
variant), built with Keras 3 with random weights (weights=None, nothing downloaded), random
BatchNormalization statistics, a small image input and its classifier head, exported with
`model.export()`. The other variants of a family repeat the same blocks at other depths and
widths.

exports(which) lists (zoo name, builder); each builder returns (model, hints). The Inception
and Xception families have a minimum input size; everything else takes 32x32. All fifteen take
~1.8 GB and minutes to export, so the test command exports SHORT (the smallest four) unless
`scripts/test.sh --all-apps` asks for all (TERN_ZOO_APPS=all).
"""
import keras
import numpy as np

# zoo name -> (keras.applications constructor, input side, extra constructor arguments)
ARCHITECTURES = {
    "app_xception": ("Xception", 71, {}),
    "app_vgg16": ("VGG16", 32, {}),
    "app_resnet50": ("ResNet50", 32, {}),
    "app_resnet50_v2": ("ResNet50V2", 32, {}),
    "app_inception_v3": ("InceptionV3", 75, {}),
    "app_inception_resnet_v2": ("InceptionResNetV2", 75, {}),
    "app_mobilenet": ("MobileNet", 32, {"alpha": 0.25}),
    "app_mobilenet_v2": ("MobileNetV2", 32, {"alpha": 0.35}),
    "app_mobilenet_v3_small": ("MobileNetV3Small", 32, {"minimalistic": False}),
    "app_mobilenet_v3_large_minimalistic": ("MobileNetV3Large", 32, {"minimalistic": True}),
    "app_densenet121": ("DenseNet121", 32, {}),
    "app_nasnet_mobile": ("NASNetMobile", 32, {}),
    "app_efficientnet_b0": ("EfficientNetB0", 32, {}),
    "app_efficientnet_v2_b0": ("EfficientNetV2B0", 32, {}),
    "app_convnext_tiny": ("ConvNeXtTiny", 32, {}),
}


def _randomize_batchnorm(model):
    rng = np.random.default_rng(7)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            n = layer.moving_mean.shape
            layer.moving_mean.assign(rng.normal(size=n).astype("float32"))
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, size=n).astype("float32"))
            if layer.gamma is not None:
                layer.gamma.assign(rng.uniform(0.5, 1.5, size=n).astype("float32"))
            if layer.beta is not None:
                layer.beta.assign(rng.normal(size=n).astype("float32"))


def _builder(name, constructor, side, extra, seed):
    def build():
        keras.utils.set_random_seed(seed)
        image = keras.Input((side, side, 3), name="image")
        model = getattr(keras.applications, constructor)(input_tensor=image, weights=None,
                                                         classes=10, **extra)
        _randomize_batchnorm(model)
        return model, {}
    build.__name__ = name
    return build


SHORT = ["app_mobilenet", "app_mobilenet_v3_small", "app_efficientnet_b0", "app_densenet121"]


def exports(which):
    """(zoo name, builder) for `which`: "all" or "short"."""
    return [(name, _builder(name, c, side, extra, 400 + i))
            for i, (name, (c, side, extra)) in enumerate(ARCHITECTURES.items())
            if which == "all" or name in SHORT]
