"""Keras 2 (tf-keras) models of the zoo: MLPs, CNNs, sequence and preprocessing models, saved
the way TF 2.15 and earlier saved a tf.keras model (`model.save(save_format="tf")`); Keras 3
exports are in keras3_models.py.

Each builder returns (model, hints). Weights are random with fixed seeds; nothing is trained.
`hints` tell the conformance runner how to make valid inputs (see tests/conformance/inputs.py):
{"input_name": {"kind": "int", "low": 0, "high": 100}} etc.
"""
import tensorflow as tf
import tf_keras

L = tf_keras.layers


def _seed(n):
    tf_keras.utils.set_random_seed(n)


def _mlp(name, activations, extra=None, features=8):
    _seed(len(name))
    x = inp = L.Input((features,), name="x")
    for i, act in enumerate(activations):
        x = L.Dense(16 if i + 1 < len(activations) else 4, activation=act)(x)
        if extra and i == 0:
            for layer in extra():
                x = layer(x)
    return tf_keras.Model(inp, x, name=name), {}


def mlp_relu_softmax():
    return _mlp("mlp_relu_softmax", ["relu", "softmax"])


def mlp_tanh_sigmoid():
    return _mlp("mlp_tanh_sigmoid", ["tanh", "sigmoid"])


def mlp_gelu_swish():
    return _mlp("mlp_gelu_swish", ["gelu", "swish"])


def mlp_linear():
    return _mlp("mlp_linear", [None])


def mlp_dropout_batchnorm():
    def extra():
        bn = L.BatchNormalization()
        return [bn, L.Dropout(0.5)]
    model, hints = _mlp("mlp_dropout_batchnorm", ["relu", None], extra)
    _randomize_batchnorm(model)
    return model, hints


def mlp_layernorm():
    return _mlp("mlp_layernorm", ["relu", None], lambda: [L.LayerNormalization()])


def _randomize_batchnorm(model):
    """Gives BatchNormalization non-trivial moving statistics (fresh ones are 0 and 1)."""
    rng = tf.random.Generator.from_seed(7)
    for layer in model.layers:
        if isinstance(layer, L.BatchNormalization):
            mean, var = layer.moving_mean, layer.moving_variance
            mean.assign(rng.normal(mean.shape))
            var.assign(rng.uniform(var.shape, 0.5, 2.0))
            layer.gamma.assign(rng.uniform(var.shape, 0.5, 1.5))
            layer.beta.assign(rng.normal(var.shape))


def multi_io():
    _seed(3)
    a = L.Input((4,), name="a")
    b = L.Input((6,), name="b")
    h = L.Concatenate()([L.Dense(8, activation="relu")(a), L.Dense(8, activation="tanh")(b)])
    out1 = L.Dense(3, activation="softmax", name="probs")(h)
    out2 = L.Dense(1, name="score")(h)
    return tf_keras.Model([a, b], [out1, out2], name="multi_io"), {}


def int_bool_inputs():
    _seed(4)
    i = L.Input((3,), dtype="int32", name="counts")
    b = L.Input((2,), dtype="bool", name="flags")
    h = L.Concatenate()([tf.cast(i, tf.float32), tf.cast(b, tf.float32)])
    out = L.Dense(2, name="y")(h)
    return tf_keras.Model([i, b], out, name="int_bool_inputs"), {
        "counts": {"kind": "int", "low": -50, "high": 50}}


def _cnn(name, body, shape=(16, 16, 3), seed=5):
    _seed(seed)
    inp = L.Input(shape, name="image")
    out = body(inp)
    return tf_keras.Model(inp, out, name=name), {}


def conv_same_valid():
    def body(x):
        x = L.Conv2D(4, 3, padding="same", activation="relu")(x)
        x = L.Conv2D(6, 3, strides=2, padding="valid", activation="relu")(x)
        x = L.Conv2D(5, (1, 3), strides=(1, 2), padding="same")(x)
        return L.Dense(3)(L.Flatten()(x))
    return _cnn("conv_same_valid", body)


def conv_dilated():
    def body(x):
        x = L.Conv2D(4, 3, dilation_rate=2, padding="same", activation="relu")(x)
        x = L.Conv2D(4, 3, dilation_rate=(2, 1), padding="valid")(x)
        return L.GlobalAveragePooling2D()(x)
    return _cnn("conv_dilated", body)


def depthwise_separable():
    def body(x):
        x = L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, activation="relu6")(x)
        x = L.SeparableConv2D(8, 3, strides=2, padding="valid")(x)
        return L.GlobalMaxPooling2D()(x)
    return _cnn("depthwise_separable", body)


def pooling():
    def body(x):
        m = L.MaxPooling2D(2)(x)
        a = L.AveragePooling2D(3, strides=2, padding="same")(x)
        m2 = L.MaxPooling2D(3, strides=1, padding="same")(a)
        return L.Concatenate()([L.GlobalAveragePooling2D()(m), L.GlobalMaxPooling2D()(m2),
                                L.Flatten()(L.AveragePooling2D(4)(m))])
    return _cnn("pooling", body)


def cnn_layers():
    def body(x):
        x = L.ZeroPadding2D(((1, 2), (0, 1)))(x)
        a = L.Conv2D(4, 3, padding="same")(x)
        b = L.Conv2D(4, 1)(x)
        s = L.Add()([a, b])
        c = L.Concatenate(axis=-1)([s, a])
        r = L.Reshape((-1, 8))(c)
        return L.Dense(2)(L.Flatten()(r))
    return _cnn("cnn_layers", body)


def small_resnet():
    def block(x, filters, stride):
        shortcut = x
        y = L.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
        y = L.ReLU()(L.BatchNormalization()(y))
        y = L.Conv2D(filters, 3, padding="same", use_bias=False)(y)
        y = L.BatchNormalization()(y)
        if stride != 1 or x.shape[-1] != filters:
            shortcut = L.BatchNormalization()(L.Conv2D(filters, 1, strides=stride)(x))
        return L.ReLU()(L.Add()([y, shortcut]))

    def body(x):
        x = L.ReLU()(L.BatchNormalization()(L.Conv2D(8, 3, padding="same")(x)))
        x = block(x, 8, 1)
        x = block(x, 16, 2)
        x = L.GlobalAveragePooling2D()(x)
        return L.Dense(10, activation="softmax")(x)
    model, hints = _cnn("small_resnet", body, shape=(32, 32, 3))
    _randomize_batchnorm(model)
    return model, hints


def mobilenet_v2():
    _seed(6)
    model = tf_keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35,
                                              weights=None, classes=10)
    _randomize_batchnorm(model)
    return model, {}


def embedding_lstm():
    _seed(8)
    inp = L.Input((10,), dtype="int32", name="tokens")
    x = L.Embedding(100, 8)(inp)
    x = L.LSTM(16)(x)
    return tf_keras.Model(inp, L.Dense(2)(x), name="embedding_lstm"), {
        "tokens": {"kind": "int", "low": 0, "high": 100}}


def embedding_gru():
    _seed(9)
    inp = L.Input((7,), dtype="int32", name="tokens")
    x = L.Embedding(50, 6)(inp)
    x = L.GRU(12, return_sequences=True)(x)
    x = L.GRU(5)(x)
    return tf_keras.Model(inp, x, name="embedding_gru"), {
        "tokens": {"kind": "int", "low": 0, "high": 50}}


def conv1d():
    _seed(10)
    inp = L.Input((20, 4), name="signal")
    x = L.Conv1D(8, 3, activation="relu")(inp)
    x = L.Conv1D(8, 5, strides=2, padding="same", dilation_rate=1)(x)
    x = L.MaxPooling1D(2)(x)
    return tf_keras.Model(inp, L.GlobalAveragePooling1D()(x), name="conv1d"), {}


def transformer_block():
    _seed(11)
    inp = L.Input((6, 16), name="seq")
    attn = L.MultiHeadAttention(num_heads=2, key_dim=8)(inp, inp)
    x = L.LayerNormalization(epsilon=1e-6)(inp + attn)
    ff = L.Dense(16)(L.Dense(32, activation="relu")(x))
    x = L.LayerNormalization(epsilon=1e-6)(x + ff)
    return tf_keras.Model(inp, L.GlobalAveragePooling1D()(x), name="transformer_block"), {}


def conv_transpose():
    """Keras' Conv2DTranspose: Conv2DBackpropInput with SAME/VALID padding, strides, dilations."""
    def body(x):
        x = L.Conv2DTranspose(4, 3, strides=2, padding="same")(x)
        x = L.LeakyReLU(0.1)(x)
        x = L.Conv2DTranspose(3, (2, 3), strides=(1, 2), padding="valid", activation="elu")(x)
        x = L.Conv2DTranspose(2, 3, dilation_rate=2, padding="same")(x)
        return L.Conv2DTranspose(2, 4, strides=3, padding="valid")(x)
    return _cnn("conv_transpose", body, shape=(6, 5, 3), seed=13)


def activations():
    """Dense layers with the activations that are ops of their own (Elu, Selu, Softplus,
    Softsign, LeakyRelu)."""
    _seed(14)
    x = inp = L.Input((8,), name="x")
    outs = {}
    for act in ("elu", "selu", "softplus", "softsign"):
        outs[act] = L.Dense(5, activation=act, name=act)(x)
    outs["leaky_relu"] = L.LeakyReLU(0.3, name="leaky_relu")(L.Dense(5)(x))
    outs["elu_layer"] = L.ELU(name="elu_layer")(L.Dense(5)(x))
    return tf_keras.Model(inp, outs, name="activations"), {}


def bidirectional_rnn():
    """Bidirectional LSTM and GRU: the backward direction reverses time (ReverseV2)."""
    _seed(15)
    inp = L.Input((7,), dtype="int32", name="tokens")
    x = L.Embedding(40, 6)(inp)
    x = L.Bidirectional(L.LSTM(5, return_sequences=True))(x)
    x = L.Bidirectional(L.GRU(4), merge_mode="sum")(x)
    return tf_keras.Model(inp, L.Dense(3)(x), name="bidirectional_rnn"), {
        "tokens": {"kind": "int", "low": 0, "high": 40}}


def causal_attention():
    """MultiHeadAttention with use_causal_mask: the mask is a MatrixBandPart of ones."""
    _seed(16)
    inp = L.Input((5, 8), name="seq")
    x = L.MultiHeadAttention(num_heads=2, key_dim=4)(inp, inp, use_causal_mask=True)
    return tf_keras.Model(inp, L.LayerNormalization()(inp + x), name="causal_attention"), {}


WORDS = ["red", "green", "blue", "cat", "dog", "the", "a", "tern", "model", "serve"]


def string_lookup():
    inp = L.Input((3,), dtype="string", name="words")
    ids = L.StringLookup(vocabulary=WORDS[:6], num_oov_indices=2)(inp)
    onehot = L.StringLookup(vocabulary=WORDS[:4], output_mode="multi_hot")(inp)
    return tf_keras.Model(inp, {"ids": ids, "multi_hot": onehot}, name="string_lookup"), {
        "words": {"kind": "string", "vocab": WORDS + ["unknown", ""]}}


def integer_lookup():
    inp = L.Input((4,), dtype="int64", name="codes")
    ids = L.IntegerLookup(vocabulary=[3, 7, 11, 19, 42])(inp)
    counts = L.IntegerLookup(vocabulary=[3, 7, 11], output_mode="count")(inp)
    return tf_keras.Model(inp, {"ids": ids, "counts": counts}, name="integer_lookup"), {
        "codes": {"kind": "int", "values": [0, 3, 7, 11, 19, 42, 5, -1, 1000]}}


def hashing():
    s = L.Input((2,), dtype="string", name="keys")
    i = L.Input((2,), dtype="int64", name="ids")
    hs = L.Hashing(num_bins=16)(s)
    hi = L.Hashing(num_bins=7, salt=[3, 5])(i)
    return tf_keras.Model([s, i], {"hashed_strings": hs, "hashed_ids": hi}, name="hashing"), {
        "keys": {"kind": "string", "vocab": WORDS}, "ids": {"kind": "int", "low": -1000, "high": 1000}}


def text_vectorization():
    _seed(12)
    inp = L.Input((), dtype="string", name="text")
    vec = L.TextVectorization(max_tokens=20, output_sequence_length=6,
                              vocabulary=["the", "cat", "dog", "a", "tern", "model"])
    ids = vec(inp)
    x = L.GlobalAveragePooling1D()(L.Embedding(20, 4)(ids))
    return tf_keras.Model(inp, {"ids": ids, "embedding": x}, name="text_vectorization"), {
        "text": {"kind": "sentence", "vocab": ["The", "cat,", "dog", "a", "Tern!", "model", "zebra"]}}


def lookup_adapted():
    """StringLookup, IntegerLookup and TextVectorization with vocabularies learnt by adapt(): the
    export restores a MutableHashTable of each from the checkpoint."""
    _seed(13)
    words = L.Input((3,), dtype="string", name="words")
    codes = L.Input((2,), dtype="int64", name="codes")
    text = L.Input((), dtype="string", name="text")
    string_lookup = L.StringLookup(num_oov_indices=2)
    string_lookup.adapt(tf.constant(WORDS[:7] + WORDS[2:9] + WORDS[:3]))
    integer_lookup = L.IntegerLookup()
    integer_lookup.adapt(tf.constant([3, 7, 7, 11, 19, 42, 42, 42], dtype=tf.int64))
    vectorize = L.TextVectorization(max_tokens=12, output_sequence_length=5)
    vectorize.adapt(["The cat sat", "on the mat.", "The dog, the tern!", "a model serves"])
    outputs = {"word_ids": string_lookup(words), "code_ids": integer_lookup(codes),
               "token_ids": vectorize(text)}
    return tf.keras.Model([words, codes, text], outputs, name="lookup_adapted"), {
        "words": {"kind": "string", "vocab": WORDS + ["unknown", ""]},
        "codes": {"kind": "int", "values": [0, 3, 7, 11, 19, 42, 5, -1]},
        "text": {"kind": "sentence", "vocab": ["The", "cat,", "dog", "a", "Tern!", "mat", "zebra"]}}


def category_encoding():
    inp = L.Input((3,), dtype="int32", name="cats")
    multi = L.CategoryEncoding(num_tokens=10, output_mode="multi_hot")(inp)
    count = L.CategoryEncoding(num_tokens=10, output_mode="count")(inp)
    return tf_keras.Model(inp, {"multi_hot": multi, "count": count}, name="category_encoding"), {
        "cats": {"kind": "int", "low": 0, "high": 10}}


def serving_signature(model):
    """A tf.function like Keras' default serving signature for `model`."""
    import tensorflow as tf
    specs = [tf.TensorSpec(i.shape, i.dtype, name=i.name.split(":")[0]) for i in model.inputs]

    @tf.function(input_signature=specs)
    def serve(*args):
        out = model(list(args) if len(args) > 1 else args[0], training=False)
        if isinstance(out, dict):
            return out
        if not isinstance(out, (list, tuple)):
            out = [out]
        return dict(zip(model.output_names, out))
    return serve


BUILDERS = [
    mlp_relu_softmax, mlp_tanh_sigmoid, mlp_gelu_swish, mlp_linear, mlp_dropout_batchnorm,
    mlp_layernorm, multi_io, int_bool_inputs, conv_same_valid, conv_dilated, depthwise_separable,
    pooling, cnn_layers, small_resnet, mobilenet_v2, embedding_lstm, embedding_gru, conv1d,
    transformer_block, string_lookup, integer_lookup, hashing, text_vectorization,
    category_encoding, conv_transpose, activations, bidirectional_rnn, causal_attention,
    lookup_adapted,
]
