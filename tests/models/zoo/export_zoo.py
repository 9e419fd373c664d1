#!/usr/bin/env python3
"""Exports the model zoo with the venv's TensorFlow into a cache directory.

Usage: .venv/bin/python tests/models/zoo/export_zoo.py [--out build/zoo] [--only NAME ...]

Writes <out>/<model>/1/ (TF Serving's layout) for every model and <out>/manifest.json:
{"fingerprint": ..., "models": {name: {"family": ..., "hints": {...}}}}. The fingerprint hashes
the zoo's sources and the TensorFlow and Keras versions; when it matches, nothing is exported
again (a warm run takes no time).

The venv's TensorFlow is today's (Keras 3 is its tf.keras). Families: "keras" (Keras 2 through
tf-keras, keras_models.py), "keras3" (Keras 3 model.export() and tf.saved_model.save,
keras3_models.py), "keras3 layers" and "keras layers" (the layer sweep, keras_layers.py),
"keras_hub" (backbones from small configs, keras_hub_models.py), "keras.applications"
(keras_apps_models.py; TERN_ZOO_APPS=all for every architecture),
"tf.Module" and "tf1" (tf.compat.v1 graphs, whose feature columns and
tf.compat.v1.layers need Keras 2: hence TF_USE_LEGACY_KERAS=1 for this process).
"""
import argparse
import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SOURCES = [
    "export_zoo.py", "keras_models.py", "keras3_models.py", "keras_layers.py",
    "keras_hub_models.py", "keras_apps_models.py", "module_models.py", "tf1_models.py"]
# keras.applications: "short" (four small architectures, the default) or "all" (fifteen).
APPS = os.environ.get("TERN_ZOO_APPS", "short")
# A new TensorFlow or Keras writes different graphs: export again.
PACKAGES = ["tensorflow-cpu", "keras", "tf-keras"]


def fingerprint():
    h = hashlib.sha256()
    for name in SOURCES:
        h.update((HERE / name).read_bytes())
    h.update(APPS.encode())
    for package in PACKAGES:
        h.update(("%s==%s" % (package, importlib.metadata.version(package))).encode())
    return h.hexdigest()[:16]


def load_manifest(out):
    try:
        return json.loads((Path(out) / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def up_to_date(out):
    m = load_manifest(out)
    return bool(m) and m.get("fingerprint") == fingerprint()


def exporters():
    """(name, family, export(path) -> hints) for every model, in a stable order."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Before TensorFlow is imported: tf.compat.v1.layers and feature columns (tf1_models.py)
    # exist only with Keras 2. Keras 3 (keras3_models.py) is imported as `keras` all the same.
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    sys.path.insert(0, str(HERE))
    import keras3_models
    import keras_apps_models
    import keras_hub_models
    import keras_layers
    import keras_models
    import module_models
    import tf1_models

    out = []
    for build in keras_models.BUILDERS:
        def export(path, build=build):
            model, hints = build()
            # save_traces=False skips re-tracing every layer's call (slow) but also Keras'
            # default signature, so serving_default is traced here the way Keras traces it:
            # the model called on its input specs, outputs named after the output layers.
            model.save(path, save_format="tf", save_traces=False,
                       signatures=keras_models.serving_signature(model))
            return hints
        out.append((build.__name__, "keras", export))
    for name, build, save in keras3_models.EXPORTS:
        def export(path, build=build, save=save):
            model, hints = build()
            save(model, path)
            return hints
        out.append((name, "keras3", export))
    out += keras_layers.exporters()
    for name, build in keras_hub_models.EXPORTS:
        def export(path, build=build):
            model, hints = build()
            model.export(path, format="tf_saved_model", verbose=False)
            return hints
        out.append((name, "keras_hub", export))
    for name, build in keras_apps_models.exports(APPS):
        def export(path, build=build):
            model, hints = build()
            model.export(path, format="tf_saved_model", verbose=False)
            return hints
        out.append((name, "keras.applications", export))
    out += [(e.__name__, "tf.Module", e) for e in module_models.EXPORTERS]
    out += [(e.__name__, "tf1", e) for e in tf1_models.EXPORTERS]
    return out


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "zoo"))
    parser.add_argument("--only", nargs="*", help="export only these models (no manifest)")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if not args.only and not args.force and up_to_date(out):
        print("zoo: %s is up to date" % out)
        return 0
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"fingerprint": fingerprint(), "models": {}}
    old = load_manifest(out) or {"models": {}}
    start = time.time()
    for name, family, export in exporters():
        if args.only and name not in args.only:
            if name in old["models"]:
                manifest["models"][name] = old["models"][name]
            continue
        target = out / name / "1"
        shutil.rmtree(out / name, ignore_errors=True)
        t0 = time.time()
        hints = export(str(target))
        manifest["models"][name] = {"family": family, "hints": hints}
        print("zoo: exported %-24s %5.1fs" % (name, time.time() - t0), flush=True)
    if not args.only:
        (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    print("zoo: %d models in %.1fs -> %s" % (len(manifest["models"]), time.time() - start, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
