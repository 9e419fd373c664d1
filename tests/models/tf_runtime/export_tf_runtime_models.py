#!/usr/bin/env python3
"""Exports the SavedModels the TensorFlow-runtime tests serve (docs/tensorflow_runtime.md).

Usage: .venv/bin/python tests/models/tf_runtime/export_tf_runtime_models.py OUT_DIR [--text]

OUT_DIR/linalg/1: serving_default(x: float32[n,3,3]) -> det (MatrixDeterminant, an op Tern has
  no kernel for) and scaled (x * 2 + 1, ops Tern has). Served by TensorFlow under `auto`.
OUT_DIR/half_plus_two_det/1, OUT_DIR/half_plus_three_det/1: serving_default(x: float32[n]) -> y,
  half_plus_two's and half_plus_three's signature and answers (0.5 x + 2, 0.5 x + 3) with a
  MatrixDeterminant in the graph (+ det(I) - 1), so `auto` serves them through TensorFlow: the
  hot-swap clients (tests/integration/load_clients.py) work against them unchanged.
OUT_DIR/tf_text/1 (--text, needs tensorflow_text): serving_default(text: string[n]) -> words
  (WhitespaceTokenizer, padded with ""), ids and pieces (FastWordpieceTokenizer over a small
  vocabulary, padded with -1 / ""). Its ops live in tensorflow_text's custom-op libraries.
Each directory also gets expected.json: the inputs the tests send and what TensorFlow answers.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def save(module, signatures, out, inputs, outputs):
    tf.saved_model.save(module, os.path.join(out, "1"), signatures=signatures)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"inputs": inputs, "outputs": outputs}, f)


def export_linalg(out):
    class Linalg(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 3, 3], tf.float32, name="x")])
        def serve(self, x):
            return {"det": tf.linalg.det(x), "scaled": x * 2.0 + 1.0}

    module = Linalg()
    x = np.array([[[2, 0, 0], [0, 3, 0], [0, 0, 4]], [[1, 2, 3], [0, 1, 4], [5, 6, 0]]],
                 dtype=np.float32)
    result = module.serve(tf.constant(x))
    save(module, {"serving_default": module.serve}, out, {"x": x.tolist()},
         {k: v.numpy().tolist() for k, v in result.items()})


def export_half_plus_det(out, offset):
    class HalfPlus(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
        def serve(self, x):
            # det of a 3x3 identity fed from x's shape, so it is not a constant TensorFlow folds.
            eye = tf.eye(3, batch_shape=[tf.shape(x)[0]])
            return {"y": 0.5 * x + (offset - 1.0) + tf.linalg.det(eye)}

    module = HalfPlus()
    x = [1.0, 2.0, 5.0]
    save(module, {"serving_default": module.serve}, out, {"x": x},
         {"y": module.serve(tf.constant(x))["y"].numpy().tolist()})


def export_text(out):
    import tensorflow_text as text

    vocab = ["[UNK]", "the", "quick", "brown", "fox", "jump", "##s", "##ed", "over", "lazy",
             "dog", "un", "##believ", "##able"]

    class Tokenize(tf.Module):
        def __init__(self):
            super().__init__()
            self.words = text.WhitespaceTokenizer()
            self.pieces = text.FastWordpieceTokenizer(vocab=vocab, token_out_type=tf.string)
            self.ids = text.FastWordpieceTokenizer(vocab=vocab, token_out_type=tf.int64)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def serve(self, sentences):
            words = self.words.tokenize(sentences)
            return {
                "words": words.to_tensor(default_value=""),
                "pieces": self.pieces.tokenize(words).merge_dims(-2, -1).to_tensor(""),
                "ids": self.ids.tokenize(words).merge_dims(-2, -1).to_tensor(-1),
            }

    module = Tokenize()
    sentences = ["the quick brown fox jumped over the lazy dog", "unbelievable dogs", "fox"]
    result = module.serve(tf.constant(sentences))
    outputs = {}
    for k, v in result.items():
        v = v.numpy()
        outputs[k] = [[s.decode() for s in row] for row in v] if v.dtype == object else v.tolist()
    save(module, {"serving_default": module.serve}, out, {"text": sentences}, outputs)


def main():
    out = sys.argv[1]
    export_linalg(os.path.join(out, "linalg"))
    export_half_plus_det(os.path.join(out, "half_plus_two_det"), 2.0)
    export_half_plus_det(os.path.join(out, "half_plus_three_det"), 3.0)
    if "--text" in sys.argv:
        export_text(os.path.join(out, "tf_text"))


if __name__ == "__main__":
    main()
