"""Differential test: every signature of every zoo and shared model, fed random and edge-case
inputs, through TensorFlow and through a running build/tern; every output compared.

float32/float64: |tern - tf| <= 1e-5 + 1e-5*|tf| (looser only where TOLERANCES says why);
float16/bfloat16: a few units of the dtype's epsilon (NARROW_ULPS);
integers, bools and strings: exact; shapes and dtypes: exact.
A model Tern cannot load yet must be in expected_failures.EXPECTED_LOAD_FAILURES with exactly
the ops its load error names, so the list cannot rot in either direction.
Run: .venv/bin/python -m pytest tests/conformance/test_zoo.py [-k model] (prints the table).
"""
import os

import grpc
import ml_dtypes
import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc  # noqa: E402

import inputs  # noqa: E402
import zoo_harness as zh  # noqa: E402
from expected_failures import EXPECTED_LOAD_FAILURES  # noqa: E402

ATOL = RTOL = 1e-5
# Outputs in a 16-bit float: both TF and Tern round every op's result to it, so one ulp of
# difference early on (a sum accumulated in another order or precision, an op TF fuses and
# rounds once where Tern rounds twice) carries through the following layers. Allowed:
# NARROW_ULPS units of the dtype's epsilon, relative and absolute (for outputs near zero that are
# differences of rounded terms).
NARROW_ULPS = 4
BF16_EPS = float(ml_dtypes.finfo(ml_dtypes.bfloat16).eps)  # 2^-7: ~3 significant digits
F16_EPS = float(np.finfo(np.float16).eps)  # 2^-10
TOLERANCES = {
    # dtype -> (atol, rtol, why)
    np.float16: (NARROW_ULPS * F16_EPS, NARROW_ULPS * F16_EPS,
                 "float16 keeps 11 significant bits; TF sums some float16 reductions in float16, "
                 "Tern in float (see NARROW_ULPS)"),
    ml_dtypes.bfloat16: (NARROW_ULPS * BF16_EPS, NARROW_ULPS * BF16_EPS,
                         "bfloat16 keeps 8 significant bits (see NARROW_ULPS)"),
}
# model -> (atol, rtol, why) for models whose float32 results depend on summation order.
MODEL_TOLERANCES = {
    "conv_transpose": (1e-3, 1e-5, "four stacked transposed convolutions: on the 'large' inputs "
                       "(1e4) outputs reach 3e3, and the ones near zero are differences of terms of "
                       "1e3, where float32 summation order (oneDNN's vs a GEMM + col2im) shows at "
                       "~6e-4 absolute, 2e-7 of the output scale; random inputs pass at 1e-5"),
    "k3_conv_transpose": (1e-3, 1e-5, "as conv_transpose: on the 'large' inputs (1e4) outputs near "
                          "zero are differences of ~1e3 terms; float32 summation order shows at "
                          "~5e-4 absolute; the other inputs pass at 1e-5"),
    "k3_layers_convolution": (1e-3, 1e-5, "as k3_conv_transpose: its conv2d_transpose output on "
                              "the 'large' inputs (1e4) has values near zero that are differences "
                              "of ~1e3 terms (4.5e-4 off in 1 of 1024); the other inputs and "
                              "outputs pass at 1e-5"),
    "k2_layers_convolution": (1e-3, 1e-5, "as k3_layers_convolution (the same layers through "
                              "tf-keras)"),
    "hub_resnet_v2": (2e-3, 1e-4, "pre-activation ResNet with batch norm: on the 'large' inputs "
                      "(1e4) a few outputs of ~60 differ by 1.5e-3 to 4.2e-3 (1-3 of 512, up to "
                      "7e-5 relative; the larger on an AVX-512 machine) from the convolutions' "
                      "float32 summation order; other inputs pass at 1e-5"),
    "hub_resnet": (2e-3, 1e-4, "deep CNN with random batch norm: on the 'large' inputs (1e4) "
                   "outputs of ~65 differ by ~7e-4 (19 of 2048) from the convolutions' float32 "
                   "summation order, which depends on the CPU (AVX-512 machines); other inputs "
                   "pass at 1e-5"),
    "hub_densenet": (2e-3, 1e-4, "as hub_resnet: 'large' inputs, ~3e-4 on outputs of ~20 (3 of "
                     "1216) on an AVX-512 machine"),
    "app_densenet121": (1e-4, 1e-4, "as hub_densenet: on the 'large' inputs (1e4) a class "
                        "probability of 0.0234 is 1.1e-5 off (1 of 20; 4.8e-4 relative) on an AVX2 "
                        "machine, where the 3x3 growth convolutions on 4x4 maps sum their 1152 "
                        "terms in one chain per output (GemmPacked); other inputs pass at 1e-5"),
    "hub_csp_darknet": (2e-3, 1e-4, "as hub_resnet: 'large' inputs, ~7e-4 on outputs of ~2.6 "
                        "that are differences of much larger terms (12 of 1024)"),
    "k3_causal_attention": (2e-3, 1e-5, "on the 'large' inputs (1e4) the attention logits reach "
                            "~1e8, where float32's ulp is 8: q.k summed in another order moves "
                            "softmax weights, ~1e-3 on outputs of ~7 (1 of 80 values); the other "
                            "inputs pass at 1e-5"),
    "k3_mixed_bfloat16": (NARROW_ULPS * BF16_EPS, NARROW_ULPS * BF16_EPS,
                          "its float32 head reads bfloat16 activations, so it inherits their "
                          "differences (see NARROW_ULPS)"),
    "k3_mixed_float16": (NARROW_ULPS * F16_EPS, NARROW_ULPS * F16_EPS,
                         "its float32 head reads float16 activations (see NARROW_ULPS)"),
    "k3_layers_image_augmentation": (1e-5, 2e-4, "RandAugment's and RandomHue's HSV round trips "
                                     "(divisions by the channel range) differ from TensorFlow's "
                                     "by ~5e-5 relative on a few pixels"),
    "hub_vgg": (2e-3, 1e-4, "as hub_resnet: on the 'large' inputs (1e4) outputs of ~55 differ by "
                "~1e-3 (5-8 of 2048) on an AVX2-only machine (AMD EPYC without AVX-512), where "
                "oneDNN's avx2 convolutions sum in another order than TensorFlow's; other inputs "
                "pass at 1e-5"),
    "k3_layers_attention": (2e-3, 1e-4, "on the 'large' inputs (1e4) an attention output of ~84 "
                            "differs by ~1e-3 (1 of 64) on an AVX2-only machine: the logits are "
                            "~1e8-sized sums whose float32 order moves the softmax weights (as "
                            "k3_causal_attention); other inputs pass at 1e-5"),
    "k3_multi_io": (1e-3, 1e-5, "on the 1e4-scale `large` inputs `score` is a sum of ~1e4-sized "
                    "terms that cancel to ~5, so float32 rounding of the terms (ulp ~1e-3) "
                    "decides its last digits, in whatever order TF and Tern add them"),
}
# (model, output) -> (atol, rtol, why) for one output of a model whose others keep the model's.
OUTPUT_TOLERANCES = {
    ("k3_layers_audio", "stft_log"): (1e-2, 1e-5, "the log of a power spectrum: on the 'negative' "
                                      "inputs (-3|N(0,1)|) a Nyquist bin cancels to ~3e-4 from "
                                      "terms of ~3, so float32 summation order (the STFT is a "
                                      "convolution with the DFT kernels) moves it by ~1e-6, which "
                                      "the log shows as ~4e-3 (1 of 1020, on an AVX2-only "
                                      "machine); the other inputs pass at 1e-5"),
}
# (model, case) pairs whose TensorFlow answer is not one answer, so there is nothing to compare.
CASES_NOT_COMPARED = {
    ("k3_mixed_float16", "large/b2"): (
        "1e4-scale inputs overflow float16 (largest 65504) inside the model, and where the "
        "infinities land depends on which ops TensorFlow runs with float32 accumulation on the CPU "
        "at hand: the same Tern passed this case on an earlier CI machine, and on an AVX512-FP16 "
        "machine TF 2.21 answers 0.0 where Tern's float16 arithmetic gives NaN"),
}
# Models TensorFlow on this CPU cannot run, so there is nothing to compare against.
TF_CANNOT_RUN = {
    "saved_model_half_plus_two_gpu_trt": "TRTEngineOp needs TensorRT and a GPU",
    "mlnet_model_types_test": "its signature maps u8/u16/u32 onto the int8/16/32 input tensors; "
                              "TensorFlow refuses to feed one tensor under two keys",
}


# (model, signature) pairs whose SignatureDef cannot be fed as declared.
SIGNATURE_TF_CANNOT_RUN = {
    ("saved_model_half_plus_three", "tensorflow/serving/regress"):
        "declares its serialized tf.Example input (a string tensor) as float",
}

# (model, signature) pairs that load but are known to fail, with why. Asserted both ways: such a
# signature must still fail, and one that starts passing must leave this table.
SIGNATURE_KNOWN_FAILURES = {
    # (Keras 3 + tf.saved_model.save, whose SaverDef restores copies of the served variables,
    # passes: SavedModel::Restore restores the captured variables by the object graph.)
}

# Models whose outputs depend on state that every call advances: both TensorFlow and Tern start
# each signature from the saved state (TF reloaded, Tern restarted), since a case TensorFlow
# rejects part-way (after some state updates ran) is never sent to Tern.
FRESH_STATE_PER_SIGNATURE = {
    "k3_layers_image_augmentation": "Keras 3's augmentation layers draw from SeedGenerator "
                                    "variables that every call advances, even at inference; "
                                    "TensorFlow fails AugMix's empty batch after some updates",
}


class V1Signature:
    """A signature run in a tf.compat.v1 Session: for TF1 exports that TensorFlow 2's
    tf.saved_model.load cannot turn into functions (half_plus_three's scalar ParseExample)."""

    def __init__(self, session, signature_def):
        self.session = session
        self.inputs = {k: v.name for k, v in signature_def.inputs.items()}
        self.outputs = {k: v.name for k, v in signature_def.outputs.items()}
        specs = {}
        for k, v in signature_def.inputs.items():
            # TF 1.0 exports leave tensor_shape out: unknown, not scalar.
            no_shape = v.tensor_shape.unknown_rank or not v.HasField("tensor_shape")
            shape = session.graph.get_tensor_by_name(v.name).shape if no_shape else [
                d.size if d.size >= 0 else None for d in v.tensor_shape.dim]
            specs[k] = tf.TensorSpec(shape, tf.as_dtype(v.dtype), name=k)
        self.structured_input_signature = ((), specs)

    def __call__(self, **feeds):
        names = sorted(self.outputs)
        values = self.session.run([self.outputs[k] for k in names],
                                  {self.inputs[k]: v.numpy() for k, v in feeds.items()})
        return dict(zip(names, values))


def _load_tf(version_dir, tags):
    """{signature name: callable} from TensorFlow 2's loader, or a v1 Session when it fails."""
    try:
        return dict(tf.saved_model.load(str(version_dir), tags=tags).signatures)
    except (ValueError, tf.errors.OpError):
        graph = tf.Graph()
        session = tf.compat.v1.Session(graph=graph)
        with graph.as_default():
            meta = tf.compat.v1.saved_model.loader.load(session, tags, str(version_dir))
        return {k: V1Signature(session, v) for k, v in meta.signature_def.items()
                if k != "__saved_model_init_op"}

MANIFEST = zh.export_zoo()
MODELS = zh.all_models(MANIFEST)


def _compare(name, got, want, model):
    """(max abs err, max rel err, problem or None) for one output."""
    if got.shape != want.shape:
        return None, None, "%s: shape %s, TensorFlow %s" % (name, got.shape, want.shape)
    if want.dtype.kind in "fc" or want.dtype == ml_dtypes.bfloat16:
        if got.dtype != want.dtype:
            return None, None, "%s: dtype %s, TensorFlow %s" % (name, got.dtype, want.dtype)
        atol, rtol, _ = TOLERANCES.get(
            want.dtype.type,
            OUTPUT_TOLERANCES.get((model, name), MODEL_TOLERANCES.get(model, (ATOL, RTOL, ""))))
        g, w = got.astype(np.float64), want.astype(np.float64)
        nan_mismatch = np.isnan(g) != np.isnan(w)
        finite = np.isfinite(g) & np.isfinite(w)
        inf_mismatch = ~finite & ~np.isnan(w) & (g != w)
        err = np.where(finite, np.abs(g - w), 0.0)
        rel = err / np.maximum(np.abs(w), 1e-30)
        max_abs = float(err.max()) if err.size else 0.0
        max_rel = float(rel.max()) if rel.size else 0.0
        bad = (err > atol + rtol * np.abs(np.where(finite, w, 0))) | nan_mismatch | inf_mismatch
        if bad.any():
            i = np.unravel_index(np.argmax(bad), bad.shape)
            return max_abs, max_rel, "%s: at %s tern %r, TensorFlow %r (%d of %d differ)" % (
                name, tuple(int(k) for k in i), got[i], want[i], int(bad.sum()), bad.size)
        return max_abs, max_rel, None
    if got.dtype != want.dtype and not (want.dtype == object and got.dtype == object):
        return None, None, "%s: dtype %s, TensorFlow %s" % (name, got.dtype, want.dtype)
    if not np.array_equal(got, want):
        diff = np.argwhere(got != want) if got.size else []
        where = tuple(int(k) for k in diff[0]) if len(diff) else ()
        return 0.0, 0.0, "%s: at %s tern %r, TensorFlow %r" % (
            name, where, got[where] if where else got, want[where] if where else want)
    return 0.0, 0.0, None


def _tern_predict(stub, model, signature, feeds):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    request.model_spec.signature_name = signature
    for key, value in feeds.items():
        request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
    response = stub.Predict(request, timeout=60)
    return {k: tf.make_ndarray(v) for k, v in response.outputs.items()}


def _tf_feed(spec, value):
    return tf.constant(value, dtype=spec.dtype)


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("tern-logs")


@pytest.mark.parametrize("model", sorted(MODELS))
def test_model_matches_tensorflow(model, log_dir):
    base_path, hints = MODELS[model]
    version_dir = zh.latest_version_dir(base_path)
    ops = zh.signature_ops(version_dir)
    server = zh.Tern(model, base_path, log_dir)
    try:
        if model in EXPECTED_LOAD_FAILURES:
            expected = sorted(EXPECTED_LOAD_FAILURES[model])
            for sig in sorted(s for s in ops if s != "__saved_model_init_op"):
                zh.ROWS.append((model, sig, len(ops[sig]), None, None, "xfail-load"))
            assert server.load_error is not None, (
                "%s now loads in Tern: remove it from EXPECTED_LOAD_FAILURES" % model)
            got = zh.unsupported_ops_in(server.load_error)
            assert got == expected, (
                "%s: load error names %s, the table says %s (update expected_failures.py)\n%s"
                % (model, got, expected, server.load_error))
            return
        assert server.load_error is None, "%s fails to load in Tern: %s" % (model, server.load_error)
        if model in TF_CANNOT_RUN:
            pytest.skip(TF_CANNOT_RUN[model])
        _compare_signatures(model, version_dir, hints, ops, server)
    finally:
        assert server.alive(), "tern died:\n" + server.log_path.read_text()
        server.stop()


def _stub(server):
    return prediction_service_pb2_grpc.PredictionServiceStub(
        grpc.insecure_channel(server.grpc_target))


def _compare_signatures(model, version_dir, hints, ops, server):
    signatures = _load_tf(version_dir, zh.MODEL_TAGS.get(model, ["serve"]))
    stub = _stub(server)
    problems = []
    for seed, signature in enumerate(sorted(signatures)):
        if seed > 0 and model in FRESH_STATE_PER_SIGNATURE:
            signatures = _load_tf(version_dir, zh.MODEL_TAGS.get(model, ["serve"]))
            server.restart()
            stub = _stub(server)
        fn = signatures[signature]
        if (model, signature) in SIGNATURE_TF_CANNOT_RUN:
            zh.ROWS.append((model, signature, len(ops.get(signature, [])), None, None, "skip"))
            continue
        _, specs = fn.structured_input_signature
        max_abs = max_rel = 0.0
        sig_problems = []
        compared = 0
        for case, feeds in inputs.signature_cases(fn, hints, seed):
            if (model, case) in CASES_NOT_COMPARED:
                continue
            try:
                want = {k: np.asarray(v) for k, v in fn(**{
                    n: _tf_feed(specs[n], v) for n, v in feeds.items()}).items()}
            except (tf.errors.OpError, ValueError, TypeError):
                continue  # TensorFlow rejects this input too: nothing to compare
            try:
                got = _tern_predict(stub, model, signature, feeds)
            except grpc.RpcError as e:
                sig_problems.append("%s: tern error %s: %s" % (case, e.code(), e.details()))
                continue
            compared += 1
            if sorted(got) != sorted(want):
                sig_problems.append("%s: outputs %s, TensorFlow %s" % (case, sorted(got), sorted(want)))
                continue
            for name in sorted(want):
                a, r, problem = _compare(name, got[name], want[name], model)
                max_abs = max(max_abs, a or 0.0)
                max_rel = max(max_rel, r or 0.0)
                if problem:
                    sig_problems.append("%s: %s" % (case, problem))
        if compared == 0 and not sig_problems:
            sig_problems.append("TensorFlow rejected every generated input (fix the hints)")
        if (model, signature) in SIGNATURE_KNOWN_FAILURES:
            zh.ROWS.append((model, signature, len(ops.get(signature, [])), max_abs, max_rel,
                            "xfail" if sig_problems else "XPASS"))
            if not sig_problems:
                problems.append("%s/%s now passes: remove it from SIGNATURE_KNOWN_FAILURES"
                                % (model, signature))
            continue
        zh.ROWS.append((model, signature, len(ops.get(signature, [])), max_abs, max_rel,
                        "FAIL" if sig_problems else "pass"))
        problems += ["%s/%s %s" % (model, signature, p) for p in sig_problems]
    assert not problems, "\n".join(problems[:20])
