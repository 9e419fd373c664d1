"""The layer sweep of the zoo: every `keras.layers` class that computes at inference, one model
per family, built twice: with Keras 3 (exported with `model.export()`) and with Keras 2 through
tf-keras (saved with `tf.saved_model.save`), for the classes each has.

Each case is (output name, build), where build(K, inputs) returns the layer's output for the
family's inputs; `K` is the keras module (keras or tf_keras). A case whose class the module lacks
is left out of that module's model. Weights are random with fixed seeds; nothing is trained.
Layers with state (Normalization, lookups, TextVectorization, Discretization) adapt to fixed data.
"""
import numpy as np

WORDS = ["red", "green", "blue", "cat", "dog", "the", "a", "tern", "model", "serve"]
SENTENCES = ["the red cat", "a green dog", "tern model serve", "the blue tern", "red red dog"]


def _has(K, *names):
    return all(hasattr(K.layers, n) for n in names)


def _inputs(K, specs):
    return {name: K.Input(shape, dtype=dtype, name=name) for name, (shape, dtype) in specs.items()}


# ---- families: {output name: build(K, inputs)}, with the family's inputs -------------------

CORE = ({"x": ((6,), "float32"), "ids": ((5,), "int32")}, {
    "dense": lambda K, i: K.layers.Dense(4, activation="relu")(i["x"]),
    "einsum_dense": lambda K, i: K.layers.EinsumDense("ab,bc->ac", output_shape=3,
                                                      bias_axes="c")(i["x"]),
    "embedding": lambda K, i: K.layers.Embedding(20, 3)(i["ids"]),
    "identity": lambda K, i: K.layers.Identity()(i["x"]),
    "masking_sum": lambda K, i: K.layers.Masking(0.0)(K.layers.Reshape((3, 2))(i["x"])),
    "lambda": lambda K, i: K.layers.Lambda(lambda x: x * 2.0 + 1.0)(i["x"]),
    "reversible_embedding": lambda K, i: _reversible_embedding(K, i["ids"]),
})

CONVOLUTION = ({"seq": ((9, 3), "float32"), "image": ((8, 8, 3), "float32"),
                "volume": ((5, 5, 5, 2), "float32")}, {
    "conv1d": lambda K, i: K.layers.Conv1D(4, 3, padding="causal", dilation_rate=2)(i["seq"]),
    "conv2d": lambda K, i: K.layers.Conv2D(4, 3, strides=2, padding="same")(i["image"]),
    "conv2d_groups": lambda K, i: K.layers.Conv2D(6, 3, groups=3)(i["image"]),
    "conv3d": lambda K, i: K.layers.Conv3D(3, 2)(i["volume"]),
    "separable_conv1d": lambda K, i: K.layers.SeparableConv1D(4, 3)(i["seq"]),
    "separable_conv2d": lambda K, i: K.layers.SeparableConv2D(4, 3, depth_multiplier=2)(
        i["image"]),
    "depthwise_conv1d": lambda K, i: K.layers.DepthwiseConv1D(3)(i["seq"]),
    "depthwise_conv2d": lambda K, i: K.layers.DepthwiseConv2D(3, padding="same")(i["image"]),
    "conv1d_transpose": lambda K, i: K.layers.Conv1DTranspose(2, 3, strides=2)(i["seq"]),
    "conv2d_transpose": lambda K, i: K.layers.Conv2DTranspose(2, 3, strides=2,
                                                              padding="same")(i["image"]),
    "conv3d_transpose": lambda K, i: K.layers.Conv3DTranspose(2, 2, strides=2)(i["volume"]),
    # tf-keras only (Keras 3 dropped them).
    "locally_connected1d": lambda K, i: K.layers.LocallyConnected1D(2, 3, strides=2)(i["seq"]),
    "locally_connected2d": lambda K, i: K.layers.LocallyConnected2D(2, 3, implementation=2)(
        i["image"]),
})

POOLING = ({"seq": ((8, 3), "float32"), "image": ((8, 8, 3), "float32"),
            "volume": ((4, 4, 4, 2), "float32")}, {
    "max_pooling1d": lambda K, i: K.layers.MaxPooling1D(2)(i["seq"]),
    "average_pooling1d": lambda K, i: K.layers.AveragePooling1D(3, strides=2,
                                                                padding="same")(i["seq"]),
    "max_pooling2d": lambda K, i: K.layers.MaxPooling2D(3, strides=2, padding="same")(i["image"]),
    "average_pooling2d": lambda K, i: K.layers.AveragePooling2D(2)(i["image"]),
    "max_pooling3d": lambda K, i: K.layers.MaxPooling3D(2)(i["volume"]),
    "average_pooling3d": lambda K, i: K.layers.AveragePooling3D(2)(i["volume"]),
    "global_max_pooling1d": lambda K, i: K.layers.GlobalMaxPooling1D()(i["seq"]),
    "global_average_pooling1d": lambda K, i: K.layers.GlobalAveragePooling1D()(i["seq"]),
    "global_max_pooling2d": lambda K, i: K.layers.GlobalMaxPooling2D()(i["image"]),
    "global_average_pooling2d": lambda K, i: K.layers.GlobalAveragePooling2D()(i["image"]),
    "global_max_pooling3d": lambda K, i: K.layers.GlobalMaxPooling3D()(i["volume"]),
    "global_average_pooling3d": lambda K, i: K.layers.GlobalAveragePooling3D()(i["volume"]),
    "adaptive_average_pooling2d": lambda K, i: K.layers.AdaptiveAveragePooling2D(4)(i["image"]),
    "adaptive_max_pooling1d": lambda K, i: K.layers.AdaptiveMaxPooling1D(4)(i["seq"]),
    "adaptive_average_pooling1d": lambda K, i: K.layers.AdaptiveAveragePooling1D(3)(i["seq"]),
    "adaptive_max_pooling2d": lambda K, i: K.layers.AdaptiveMaxPooling2D((3, 5))(i["image"]),
    "adaptive_average_pooling3d": lambda K, i: K.layers.AdaptiveAveragePooling3D(3)(
        i["volume"]),
    "adaptive_max_pooling3d": lambda K, i: K.layers.AdaptiveMaxPooling3D(3)(i["volume"]),
})

NORMALIZATION = ({"x": ((4, 6), "float32")}, {
    "batch_normalization": lambda K, i: K.layers.BatchNormalization()(i["x"]),
    "layer_normalization": lambda K, i: K.layers.LayerNormalization(epsilon=1e-5)(i["x"]),
    "group_normalization": lambda K, i: K.layers.GroupNormalization(groups=3)(i["x"]),
    "unit_normalization": lambda K, i: K.layers.UnitNormalization()(i["x"]),
    "rms_normalization": lambda K, i: K.layers.RMSNormalization()(i["x"]),
    "spectral_normalization": lambda K, i: K.layers.SpectralNormalization(
        K.layers.Dense(3))(i["x"]),
})

# Identity at inference, but each leaves its own ops in the graph.
REGULARIZATION = ({"seq": ((4, 6), "float32"), "image": ((4, 4, 3), "float32"),
                   "volume": ((3, 3, 3, 2), "float32")}, {
    "dropout": lambda K, i: K.layers.Dropout(0.5)(i["seq"]),
    "spatial_dropout1d": lambda K, i: K.layers.SpatialDropout1D(0.5)(i["seq"]),
    "spatial_dropout2d": lambda K, i: K.layers.SpatialDropout2D(0.5)(i["image"]),
    "spatial_dropout3d": lambda K, i: K.layers.SpatialDropout3D(0.5)(i["volume"]),
    "gaussian_dropout": lambda K, i: K.layers.GaussianDropout(0.3)(i["seq"]),
    "gaussian_noise": lambda K, i: K.layers.GaussianNoise(0.3)(i["seq"]),
    "alpha_dropout": lambda K, i: K.layers.AlphaDropout(0.3)(i["seq"]),
    "activity_regularization": lambda K, i: K.layers.ActivityRegularization(0.1)(i["seq"]),
})

ATTENTION = ({"query": ((4, 8), "float32"), "value": ((6, 8), "float32")}, {
    "attention": lambda K, i: K.layers.Attention(use_scale=True)([i["query"], i["value"]]),
    "attention_causal": lambda K, i: K.layers.Attention()([i["query"], i["query"]],
                                                          use_causal_mask=True),
    "additive_attention": lambda K, i: K.layers.AdditiveAttention()([i["query"], i["value"]]),
    "multi_head_attention": lambda K, i: K.layers.MultiHeadAttention(2, 4)(i["query"],
                                                                         i["value"]),
    "group_query_attention": lambda K, i: K.layers.GroupQueryAttention(4, 4, 2)(i["query"],
                                                                                i["value"]),
})

RESHAPING = ({"seq": ((6, 4), "float32"), "image": ((4, 6, 2), "float32"),
              "volume": ((2, 3, 4, 2), "float32")}, {
    "reshape": lambda K, i: K.layers.Reshape((3, 8))(i["seq"]),
    "flatten": lambda K, i: K.layers.Flatten()(i["image"]),
    "repeat_vector": lambda K, i: K.layers.RepeatVector(3)(K.layers.Flatten()(i["seq"])),
    "permute": lambda K, i: K.layers.Permute((2, 1))(i["seq"]),
    "cropping1d": lambda K, i: K.layers.Cropping1D((1, 2))(i["seq"]),
    "cropping2d": lambda K, i: K.layers.Cropping2D(((1, 0), (2, 1)))(i["image"]),
    "cropping3d": lambda K, i: K.layers.Cropping3D(((0, 1), (1, 1), (1, 2)))(i["volume"]),
    "upsampling1d": lambda K, i: K.layers.UpSampling1D(2)(i["seq"]),
    "upsampling2d_nearest": lambda K, i: K.layers.UpSampling2D(2)(i["image"]),
    "upsampling2d_bilinear": lambda K, i: K.layers.UpSampling2D(
        2, interpolation="bilinear")(i["image"]),
    "upsampling3d": lambda K, i: K.layers.UpSampling3D(2)(i["volume"]),
    "zero_padding1d": lambda K, i: K.layers.ZeroPadding1D((1, 2))(i["seq"]),
    "zero_padding2d": lambda K, i: K.layers.ZeroPadding2D(((1, 0), (0, 2)))(i["image"]),
    "zero_padding3d": lambda K, i: K.layers.ZeroPadding3D(1)(i["volume"]),
})

MERGING = ({"a": ((5,), "float32"), "b": ((5,), "float32")}, {
    "add": lambda K, i: K.layers.Add()([i["a"], i["b"]]),
    "subtract": lambda K, i: K.layers.Subtract()([i["a"], i["b"]]),
    "multiply": lambda K, i: K.layers.Multiply()([i["a"], i["b"]]),
    "average": lambda K, i: K.layers.Average()([i["a"], i["b"]]),
    "maximum": lambda K, i: K.layers.Maximum()([i["a"], i["b"]]),
    "minimum": lambda K, i: K.layers.Minimum()([i["a"], i["b"]]),
    "concatenate": lambda K, i: K.layers.Concatenate()([i["a"], i["b"]]),
    "dot": lambda K, i: K.layers.Dot(axes=1, normalize=True)([i["a"], i["b"]]),
})

ACTIVATION_NAMES = ["relu", "relu6", "sigmoid", "softmax", "softplus", "softsign", "tanh", "selu",
                    "elu", "exponential", "gelu", "silu", "hard_sigmoid", "hard_silu", "mish",
                    "log_softmax", "leaky_relu", "linear", "tanh_shrink", "hard_tanh",
                    "soft_shrink", "hard_shrink", "squareplus", "sparse_plus", "celu", "glu",
                    "log_sigmoid", "sparsemax"]


def _activation(name):
    def build(K, i):
        try:
            K.activations.get(name)
        except ValueError:  # an activation this Keras does not have
            return None
        return K.layers.Activation(name)(i["x"])
    return build


ACTIVATIONS = ({"x": ((6,), "float32")}, {
    **{"act_" + n: _activation(n) for n in ACTIVATION_NAMES},
    "relu_layer": lambda K, i: K.layers.ReLU(max_value=2.0, negative_slope=0.1,
                                             threshold=0.5)(i["x"]),
    "softmax_layer": lambda K, i: K.layers.Softmax(axis=-1)(i["x"]),
    "leaky_relu_layer": lambda K, i: K.layers.LeakyReLU(0.3)(i["x"]),
    "prelu": lambda K, i: K.layers.PReLU(alpha_initializer="random_uniform")(i["x"]),
    "elu_layer": lambda K, i: K.layers.ELU(0.7)(i["x"]),
    "thresholded_relu": lambda K, i: K.layers.ThresholdedReLU(0.4)(i["x"]),  # tf-keras only
})

RECURRENT = ({"seq": ((5, 3), "float32"), "frames": ((3, 5, 5, 2), "float32"),
              "signal": ((3, 6, 2), "float32"), "volumes": ((2, 3, 4, 4, 1), "float32")}, {
    "simple_rnn": lambda K, i: K.layers.SimpleRNN(4)(i["seq"]),
    "lstm_sequences": lambda K, i: K.layers.LSTM(4, return_sequences=True)(i["seq"]),
    "gru_reset_after": lambda K, i: K.layers.GRU(4, reset_after=True)(i["seq"]),
    "gru_reset_before": lambda K, i: K.layers.GRU(4, reset_after=False)(i["seq"]),
    "lstm_go_backwards": lambda K, i: K.layers.LSTM(3, go_backwards=True)(i["seq"]),
    "bidirectional_sum": lambda K, i: K.layers.Bidirectional(
        K.layers.GRU(3, return_sequences=True), merge_mode="sum")(i["seq"]),
    "stacked_cells": lambda K, i: K.layers.RNN(K.layers.StackedRNNCells(
        [K.layers.LSTMCell(4), K.layers.SimpleRNNCell(2)]))(i["seq"]),
    "time_distributed": lambda K, i: K.layers.TimeDistributed(K.layers.Dense(2))(i["seq"]),
    "conv_lstm1d": lambda K, i: K.layers.ConvLSTM1D(2, 3, padding="same")(i["signal"]),
    "conv_lstm2d": lambda K, i: K.layers.ConvLSTM2D(2, 3)(i["frames"]),
    "conv_lstm3d": lambda K, i: K.layers.ConvLSTM3D(2, 2, padding="same")(i["volumes"]),
    "gru_cell": lambda K, i: K.layers.RNN(K.layers.GRUCell(3))(i["seq"]),
})

IMAGE_PREPROCESSING = ({"image": ((10, 12, 3), "float32")}, {
    "resizing_bilinear": lambda K, i: K.layers.Resizing(5, 7)(i["image"]),
    "resizing_nearest": lambda K, i: K.layers.Resizing(6, 4, interpolation="nearest")(
        i["image"]),
    "resizing_bicubic": lambda K, i: K.layers.Resizing(4, 5, interpolation="bicubic")(
        i["image"]),
    "resizing_area": lambda K, i: K.layers.Resizing(4, 5, interpolation="area")(i["image"]),
    "resizing_crop": lambda K, i: K.layers.Resizing(6, 6, crop_to_aspect_ratio=True)(
        i["image"]),
    "center_crop": lambda K, i: K.layers.CenterCrop(6, 8)(i["image"]),
    "rescaling": lambda K, i: K.layers.Rescaling(1 / 127.5, offset=-1)(i["image"]),
    # Random augmentations are the identity at inference.
    "random_flip": lambda K, i: K.layers.RandomFlip()(i["image"]),
    "random_rotation": lambda K, i: K.layers.RandomRotation(0.2)(i["image"]),
    "random_zoom": lambda K, i: K.layers.RandomZoom(0.2)(i["image"]),
    "random_contrast": lambda K, i: K.layers.RandomContrast(0.2)(i["image"]),
    "random_translation": lambda K, i: K.layers.RandomTranslation(0.1, 0.1)(i["image"]),
    # At inference RandomCrop center-crops (resizing first when the image is smaller).
    "random_crop": lambda K, i: K.layers.RandomCrop(6, 8)(i["image"]),
    "random_brightness": lambda K, i: K.layers.RandomBrightness(0.2)(i["image"]),
    "random_height": lambda K, i: K.layers.RandomHeight(0.2)(i["image"]),  # tf-keras only
    "random_width": lambda K, i: K.layers.RandomWidth(0.2)(i["image"]),  # tf-keras only
})

# Keras 3's newer image layers, pixel values in [0, 255] (their default value_range). Those
# that are random are the identity at inference but most still draw their transformation, so
# their graphs hold stateless random ops; AutoContrast and CLAHE compute at inference.
# (Equalization returns its input tensor itself at inference: no case, see docs/models.md.)
IMAGE_AUGMENTATION = ({"image": ((10, 12, 3), "float32")}, {
    "auto_contrast": lambda K, i: K.layers.AutoContrast()(i["image"]),
    "clahe": lambda K, i: K.layers.ContrastLimitedAdaptiveHistogramEqualization(
        tile_grid_size=(2, 3))(i["image"]),
    "solarization": lambda K, i: K.layers.Solarization(0.2, 0.5)(i["image"]),
    "random_color_degeneration": lambda K, i: K.layers.RandomColorDegeneration(0.3)(
        i["image"]),
    "random_color_jitter": lambda K, i: K.layers.RandomColorJitter(
        brightness_factor=0.2, contrast_factor=0.2, saturation_factor=0.2,
        hue_factor=0.2)(i["image"]),
    "random_grayscale": lambda K, i: K.layers.RandomGrayscale(0.5)(i["image"]),
    "random_hue": lambda K, i: K.layers.RandomHue(0.2)(i["image"]),
    "random_saturation": lambda K, i: K.layers.RandomSaturation(0.2)(i["image"]),
    "random_sharpness": lambda K, i: K.layers.RandomSharpness(0.2)(i["image"]),
    "random_posterization": lambda K, i: K.layers.RandomPosterization(4)(i["image"]),
    "random_invert": lambda K, i: K.layers.RandomInvert()(i["image"]),
    "random_shear": lambda K, i: K.layers.RandomShear(0.2, 0.2)(i["image"]),
    "random_perspective": lambda K, i: K.layers.RandomPerspective()(i["image"]),
    "random_elastic_transform": lambda K, i: K.layers.RandomElasticTransform()(i["image"]),
    "random_erasing": lambda K, i: K.layers.RandomErasing()(i["image"]),
    "random_gaussian_blur": lambda K, i: K.layers.RandomGaussianBlur()(i["image"]),
    "aug_mix": lambda K, i: K.layers.AugMix()(i["image"]),
    "rand_augment": lambda K, i: K.layers.RandAugment()(i["image"]),
    "cut_mix": lambda K, i: K.layers.CutMix()(i["image"]),
    "mix_up": lambda K, i: K.layers.MixUp()(i["image"]),
    "max_num_bounding_boxes": lambda K, i: K.layers.MaxNumBoundingBoxes(4)(i["image"]),
    "pipeline": lambda K, i: K.layers.Pipeline([K.layers.AutoContrast(),
                                                K.layers.RandomFlip()])(i["image"]),
})
IMAGE_AUGMENTATION_HINTS = {"image": {"kind": "float", "low": 0.0, "high": 255.0}}

# Keras 3's spectrogram layers. MelSpectrogram: tf.signal's framing, window and RFFT
# (complex64), then magnitude, power, mel filter bank and decibels.
AUDIO = ({"audio": ((256,), "float32"), "channels": ((256, 2), "float32")}, {
    "mel_spectrogram": lambda K, i: K.layers.MelSpectrogram(
        fft_length=64, sequence_stride=32, num_mel_bins=8, sampling_rate=8000)(i["audio"]),
    "mel_spectrogram_power": lambda K, i: K.layers.MelSpectrogram(
        fft_length=32, sequence_stride=16, sequence_length=24, window="hamming",
        num_mel_bins=6, sampling_rate=4000, power_to_db=False, mag_exp=1.0)(i["audio"]),
    # STFTSpectrogram is convolutions whose kernels hold the window and the DFT; a window named
    # by string needs scipy (not in the venv), so the windows are given as arrays.
    "stft_log": lambda K, i: K.layers.STFTSpectrogram(frame_length=32, frame_step=16,
                                                      window=np.hanning(32))(i["channels"]),
    "stft_magnitude": lambda K, i: K.layers.STFTSpectrogram(
        mode="magnitude", frame_length=24, frame_step=8, fft_length=32, padding="same",
        window=np.hamming(24), scaling="spectrum")(i["channels"]),
    "stft_psd": lambda K, i: K.layers.STFTSpectrogram(mode="psd", frame_length=16,
                                                      window=None)(i["channels"]),
    "stft_real_imag": lambda K, i: K.layers.STFTSpectrogram(
        mode="stft", frame_length=16, window=np.hanning(16), scaling=None,
        expand_dims=True)(i["channels"]),
    "stft_angle": lambda K, i: K.layers.STFTSpectrogram(mode="angle", frame_length=16,
                                                        window=np.hanning(16))(i["channels"]),
})


def _reversible_embedding(K, ids):
    """Keras 3's tied embedding: ids to vectors, and (reverse=True) vectors back to logits."""
    layer = K.layers.ReversibleEmbedding(20, 3)
    return layer(layer(ids), reverse=True)


def _dense_features(K, i):
    """tf-keras' DenseFeatures over feature columns: numeric, bucketized and hashed-indicator."""
    layer = K.layers.DenseFeatures  # AttributeError in Keras 3, which has no feature columns
    import tensorflow as tf
    fc = tf.feature_column
    values = fc.numeric_column("values", shape=(4,))
    columns = [values, fc.bucketized_column(values, [-1.0, 0.0, 1.0]),
               fc.indicator_column(fc.categorical_column_with_hash_bucket("word", 5))]
    return layer(columns)({"values": i["values"], "word": i["word"]})


def _adapted(layer, data):
    layer.adapt(data)
    return layer


STRUCTURED_PREPROCESSING = ({"words": ((3,), "string"), "sentence": ((), "string"),
                             "word": ((), "string"), "code": ((), "int64"),
                             "codes": ((4,), "int64"), "values": ((4,), "float32")}, {
    "string_lookup_adapted": lambda K, i: _adapted(K.layers.StringLookup(), np.array(
        [["red", "red", "cat"], ["dog", "a", "the"]]))(i["words"]),
    "string_lookup_one_hot": lambda K, i: K.layers.StringLookup(
        vocabulary=WORDS[:5], output_mode="count")(i["words"]),
    "string_lookup_invert": lambda K, i: K.layers.StringLookup(vocabulary=WORDS[:5],
                                                               invert=True)(
        K.layers.StringLookup(vocabulary=WORDS[:5])(i["words"])),
    "integer_lookup_adapted": lambda K, i: _adapted(K.layers.IntegerLookup(), np.array(
        [[3, 7, 7, 11], [19, 42, 3, 3]], "int64"))(i["codes"]),
    "integer_lookup_tf_idf": lambda K, i: K.layers.IntegerLookup(
        vocabulary=[3, 7, 11], idf_weights=[0.5, 1.0, 2.0], output_mode="tf_idf")(i["codes"]),
    "hashing_salted": lambda K, i: K.layers.Hashing(8, salt=[133, 137])(i["words"]),
    "hashing_int": lambda K, i: K.layers.Hashing(8)(i["codes"]),
    "hashed_crossing": lambda K, i: K.layers.HashedCrossing(16)((i["code"], i["word"])),
    "discretization": lambda K, i: K.layers.Discretization(bin_boundaries=[-1.0, 0.0, 0.5])(
        i["values"]),
    "discretization_adapted": lambda K, i: _adapted(K.layers.Discretization(num_bins=4),
                                                    np.linspace(-2, 2, 40))(i["values"]),
    "category_encoding": lambda K, i: K.layers.CategoryEncoding(64, output_mode="multi_hot")(
        i["codes"]),
    "normalization_adapted": lambda K, i: _adapted(K.layers.Normalization(), np.array(
        [[1, 2, 3, 4], [2, 3, 5, 8], [0, 1, 1, 2]], "float32"))(i["values"]),
    "text_vectorization_int": lambda K, i: _adapted(K.layers.TextVectorization(
        output_sequence_length=5), np.array(SENTENCES))(i["sentence"]),
    "text_vectorization_tf_idf": lambda K, i: _adapted(K.layers.TextVectorization(
        output_mode="tf_idf", ngrams=2), np.array(SENTENCES))(i["sentence"]),
    "dense_features": lambda K, i: _dense_features(K, i),  # tf-keras only
})

STRUCTURED_HINTS = {"words": {"kind": "string", "vocab": WORDS + ["unknown", ""]},
                    "word": {"kind": "string", "vocab": WORDS},
                    "code": {"kind": "int", "values": [0, 3, 7, 11, -5]},
                    "sentence": {"kind": "sentence", "vocab": WORDS + ["unknown"]},
                    "codes": {"kind": "int", "values": [0, 3, 7, 11, 19, 42, 5, 63]}}
CORE_HINTS = {"ids": {"kind": "int", "low": 0, "high": 20}}

FAMILIES = [
    ("core", CORE, CORE_HINTS),
    ("convolution", CONVOLUTION, {}),
    ("pooling", POOLING, {}),
    ("normalization", NORMALIZATION, {}),
    ("regularization", REGULARIZATION, {}),
    ("attention", ATTENTION, {}),
    ("reshaping", RESHAPING, {}),
    ("merging", MERGING, {}),
    ("activations", ACTIVATIONS, {}),
    ("recurrent", RECURRENT, {}),
    ("image_preprocessing", IMAGE_PREPROCESSING, {}),
    ("image_augmentation", IMAGE_AUGMENTATION, IMAGE_AUGMENTATION_HINTS),
    ("audio", AUDIO, {}),
    ("structured_preprocessing", STRUCTURED_PREPROCESSING, STRUCTURED_HINTS),
]
# Families whose classes tf-keras does not have: no k2_layers_ model.
KERAS3_ONLY = {"image_augmentation", "audio"}


def build_family(K, family, seed):
    """One model with an output per case the module supports; returns (model, hints, cases)."""
    specs, cases = family
    K.utils.set_random_seed(seed)
    inputs = _inputs(K, specs)
    outputs = {}
    for name, build in cases.items():
        try:
            out = build(K, inputs)
        except AttributeError:  # a class (or argument) this Keras does not have
            continue
        if out is not None:
            outputs[name] = out
    used = {name: t for name, t in inputs.items()}
    model = K.Model(used, outputs)
    _randomize_batchnorm(K, model)
    return model, sorted(outputs)


def _randomize_batchnorm(K, model):
    rng = np.random.default_rng(7)
    for layer in model.layers:
        if isinstance(layer, K.layers.BatchNormalization):
            n = layer.moving_variance.shape
            layer.moving_mean.assign(rng.normal(size=n).astype("float32"))
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, size=n).astype("float32"))
            layer.gamma.assign(rng.uniform(0.5, 1.5, size=n).astype("float32"))
            layer.beta.assign(rng.normal(size=n).astype("float32"))


def exporters():
    """(zoo name, family, export(path) -> hints) for both Keras versions."""
    out = []
    for index, (family_name, family, hints) in enumerate(FAMILIES):
        def export_k3(path, family=family, hints=hints, seed=100 + index):
            import keras
            model, _ = build_family(keras, family, seed)
            model.export(path, format="tf_saved_model", verbose=False)
            return hints

        def export_k2(path, family=family, hints=hints, seed=200 + index):
            import tensorflow as tf
            import tf_keras
            model, _ = build_family(tf_keras, family, seed)
            specs = [tf.TensorSpec(t.shape, t.dtype, name=n)
                     for n, t in zip(model.input_names, model.inputs)]

            @tf.function(input_signature=[dict(zip(model.input_names, specs))])
            def serve(features):
                return model(features, training=False)
            tf.saved_model.save(model, path, signatures={"serving_default": serve})
            return hints
        out.append(("k3_layers_" + family_name, "keras3 layers", export_k3))
        if family_name not in KERAS3_ONLY:
            out.append(("k2_layers_" + family_name, "keras layers", export_k2))
    return out
