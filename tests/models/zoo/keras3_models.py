"""Keras 3 models of the zoo, exported the two ways a Keras 3 user serves them: `model.export()`
(an ExportArchive with `serve` and `serving_default`) and `tf.saved_model.save(model)`.

Keras 3 is what `tf.keras` is from TensorFlow 2.16 on; keras_models.py keeps the Keras 2
(tf-keras) exports. Each builder returns (model, hints) like keras_models.py's; EXPORTS lists
(zoo name, builder, how it is saved). Weights are random with fixed seeds; nothing is trained.
"""
import keras
import tensorflow as tf

L = keras.layers


def _seed(n):
    keras.utils.set_random_seed(n)


def mlp():
    _seed(31)
    inp = keras.Input((8,), name="x")
    x = L.Dense(16, activation="relu")(inp)
    x = L.Dense(16, activation="tanh")(x)
    return keras.Model(inp, L.Dense(4, activation="softmax")(x), name="mlp"), {}


def cnn():
    _seed(32)
    inp = keras.Input((16, 16, 3), name="image")
    x = L.Conv2D(8, 3, padding="same", activation="relu")(inp)
    x = L.BatchNormalization()(x)
    x = L.MaxPooling2D(2)(x)
    x = L.DepthwiseConv2D(3, padding="same", activation="relu6")(x)
    x = L.Conv2D(8, 3, strides=2, padding="valid")(x)
    x = L.GlobalAveragePooling2D()(x)
    model = keras.Model(inp, L.Dense(5)(x), name="cnn")
    _randomize_batchnorm(model)
    return model, {}


def multi_io():
    _seed(33)
    a = keras.Input((4,), name="a")
    b = keras.Input((6,), name="b")
    h = L.Concatenate()([L.Dense(8, activation="relu")(a), L.Dense(8, activation="sigmoid")(b)])
    out = {"probs": L.Dense(3, activation="softmax")(h), "score": L.Dense(1)(h)}
    return keras.Model({"a": a, "b": b}, out, name="multi_io"), {}


def embedding_gru():
    _seed(34)
    inp = keras.Input((7,), dtype="int32", name="tokens")
    x = L.Embedding(50, 6)(inp)
    x = L.GRU(12, return_sequences=True)(x)
    x = L.LSTM(5)(x)
    return keras.Model(inp, x, name="embedding_gru"), {
        "tokens": {"kind": "int", "low": 0, "high": 50}}


def gelu_transformer():
    """A transformer encoder block as Keras 3 writes one: exact GELU in the feed-forward."""
    _seed(35)
    inp = keras.Input((6, 16), name="seq")
    attn = L.MultiHeadAttention(num_heads=2, key_dim=8)(inp, inp)
    x = L.LayerNormalization(epsilon=1e-6)(inp + attn)
    ff = L.Dense(16)(L.Dense(32, activation="gelu")(x))
    x = L.LayerNormalization(epsilon=1e-6)(x + ff)
    return keras.Model(inp, L.GlobalAveragePooling1D()(x), name="gelu_transformer"), {}


def causal_attention():
    _seed(36)
    inp = keras.Input((5, 8), name="seq")
    x = L.MultiHeadAttention(num_heads=2, key_dim=4)(inp, inp, use_causal_mask=True)
    return keras.Model(inp, x, name="causal_attention"), {}


def bidirectional_lstm():
    _seed(37)
    inp = keras.Input((6, 4), name="seq")
    x = L.Bidirectional(L.LSTM(5))(inp)
    return keras.Model(inp, x, name="bidirectional_lstm"), {}


def conv_transpose():
    _seed(38)
    inp = keras.Input((8, 8, 3), name="image")
    x = L.Conv2DTranspose(4, 3, strides=2, padding="same")(inp)
    return keras.Model(inp, x, name="conv_transpose"), {}


def activations():
    _seed(39)
    inp = keras.Input((8,), name="x")
    x = L.Dense(8)(inp)
    outs = {"leaky_relu": L.LeakyReLU(negative_slope=0.2)(x), "elu": L.ELU()(x),
            "argmax": keras.ops.argmax(x, axis=-1)}
    return keras.Model(inp, outs, name="activations"), {}


WORDS = ["red", "green", "blue", "cat", "dog", "the", "a", "tern", "model", "serve"]


def preprocessing():
    """Preprocessing layers with a given vocabulary or statistics (no adapt())."""
    _seed(40)
    words = keras.Input((3,), dtype="string", name="words")
    codes = keras.Input((4,), dtype="int64", name="codes")
    pixels = keras.Input((4, 4, 3), name="pixels")
    outs = {
        "word_ids": L.StringLookup(vocabulary=WORDS[:6], num_oov_indices=2)(words),
        "word_multi_hot": L.StringLookup(vocabulary=WORDS[:4], output_mode="multi_hot")(words),
        "code_ids": L.IntegerLookup(vocabulary=[3, 7, 11, 19, 42])(codes),
        "hashed": L.Hashing(num_bins=16)(words),
        "scaled": L.Rescaling(1.0 / 255, offset=-0.5)(pixels),
        "normalized": L.Normalization(mean=[0.5, 0.2, 0.1], variance=[0.25, 0.5, 2.0])(pixels),
    }
    model = keras.Model({"words": words, "codes": codes, "pixels": pixels}, outs,
                        name="preprocessing")
    return model, {"words": {"kind": "string", "vocab": WORDS + ["unknown", ""]},
                   "codes": {"kind": "int", "values": [0, 3, 7, 11, 19, 42, 5, -1, 1000]}}


def bert_tiny():
    """A keras_hub BERT backbone built from its config (random weights, nothing downloaded)."""
    import keras_hub
    _seed(41)
    model = keras_hub.models.BertBackbone(
        vocabulary_size=100, num_layers=2, num_heads=2, hidden_dim=16, intermediate_dim=32,
        max_sequence_length=16)
    return model, {"token_ids": {"kind": "int", "low": 0, "high": 100},
                   "segment_ids": {"kind": "int", "low": 0, "high": 2},
                   "padding_mask": {"kind": "int", "values": [0, 1, 1, 1]}}


def _mixed_precision(policy, seed):
    """Image and sequence branches built under a Keras mixed precision policy: float32 variables,
    Cast to `policy`'s compute dtype around Conv2D, Dense, MultiHeadAttention and the
    activations (LayerNormalization and softmax Keras computes in float32). The outputs are in the
    compute dtype except `probs`, a float32 head as Keras' guide recommends."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        _seed(seed)
        image = keras.Input((8, 8, 3), name="image")
        seq = keras.Input((6, 16), name="seq")
        x = L.Conv2D(8, 3, padding="same", activation="relu")(image)
        x = L.BatchNormalization()(x)
        x = L.DepthwiseConv2D(3, padding="same", activation="relu6")(x)
        x = L.MaxPooling2D(2)(x)
        x = L.AveragePooling2D(2)(x)
        x = L.Dense(16, activation="gelu")(L.GlobalAveragePooling2D()(x))
        attn = L.MultiHeadAttention(num_heads=2, key_dim=8)(seq, seq)
        h = L.LayerNormalization(epsilon=1e-6)(seq + attn)
        h = L.LayerNormalization(epsilon=1e-6)(h + L.Dense(16)(L.Dense(32, activation="relu")(h)))
        z = L.Concatenate()([x, L.GlobalAveragePooling1D()(h)])
        outs = {
            "sigmoid": L.Dense(4, activation="sigmoid")(z),
            "tanh": L.Dense(4, activation="tanh")(z),
            "leaky_relu": L.LeakyReLU(negative_slope=0.2)(L.Dense(4)(z)),
            "elu": L.ELU()(L.Dense(4)(z)),
            "swish": L.Dense(4, activation="swish")(z),
            "softmax": L.Dense(3, activation="softmax")(z),
            "probs": L.Dense(3, activation="softmax", dtype="float32")(z),
        }
        model = keras.Model({"image": image, "seq": seq}, outs, name=policy)
        _randomize_batchnorm(model)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    return model, {}


def mixed_bfloat16():
    return _mixed_precision("mixed_bfloat16", 42)


def mixed_float16():
    return _mixed_precision("mixed_float16", 43)


def bert_tiny_mixed_bfloat16():
    """bert_tiny built under mixed_bfloat16: its attention, feed-forward and embeddings in
    bfloat16 (softmax and layer normalization in float32, as Keras computes them)."""
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        return bert_tiny()
    finally:
        keras.mixed_precision.set_global_policy("float32")


def _randomize_batchnorm(model):
    """Gives BatchNormalization non-trivial moving statistics (fresh ones are 0 and 1)."""
    rng = tf.random.Generator.from_seed(7)
    for layer in model.layers:
        if isinstance(layer, L.BatchNormalization):
            var = layer.moving_variance
            layer.moving_mean.assign(rng.normal(var.shape))
            var.assign(rng.uniform(var.shape, 0.5, 2.0))
            layer.gamma.assign(rng.uniform(var.shape, 0.5, 1.5))
            layer.beta.assign(rng.normal(var.shape))


def export_archive(model, path):
    """model.export(): Keras 3's serving export (signatures `serve` and `serving_default`)."""
    model.export(path, format="tf_saved_model", verbose=False)


def saved_model_save(model, path):
    """tf.saved_model.save(model) with the signature Keras 3 traces by default."""
    tf.saved_model.save(model, path)


# (zoo name, builder, save function): the k3_ prefix keeps them apart from the Keras 2 zoo.
EXPORTS = [
    ("k3_mlp", mlp, export_archive),
    ("k3_mlp_saved_model", mlp, saved_model_save),
    ("k3_cnn", cnn, export_archive),
    ("k3_cnn_saved_model", cnn, saved_model_save),
    ("k3_multi_io", multi_io, export_archive),
    ("k3_embedding_gru", embedding_gru, export_archive),
    ("k3_gelu_transformer", gelu_transformer, export_archive),
    ("k3_causal_attention", causal_attention, export_archive),
    ("k3_bidirectional_lstm", bidirectional_lstm, export_archive),
    ("k3_conv_transpose", conv_transpose, export_archive),
    ("k3_activations", activations, export_archive),
    ("k3_preprocessing", preprocessing, export_archive),
    ("k3_bert_tiny", bert_tiny, export_archive),
    ("k3_mixed_bfloat16", mixed_bfloat16, export_archive),
    ("k3_mixed_float16", mixed_float16, export_archive),
    ("k3_bert_tiny_mixed_bfloat16", bert_tiny_mixed_bfloat16, export_archive),
]
