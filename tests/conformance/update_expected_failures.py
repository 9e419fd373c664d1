#!/usr/bin/env python3
"""Rewrites expected_failures.py from `build/tern inspect` of every conformance model.

Run after adding kernels (the zoo must be exported: build/zoo/manifest.json):
  .venv/bin/python tests/conformance/update_expected_failures.py
Then review the diff: models leaving the table are now compared with TensorFlow by test_zoo.py.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import zoo_harness as zh  # noqa: E402

HEADER = '''"""Models Tern cannot load yet, each with exactly the ops its load error names.

test_zoo.py asserts both directions: such a model fails to load naming these ops, and a model
that starts loading must leave this table. Shrink it as kernels land; regenerate with
tests/conformance/update_expected_failures.py.
"""

EXPECTED_LOAD_FAILURES = {
'''


def main():
    manifest = json.loads((zh.ZOO_DIR / "manifest.json").read_text())
    table = {}
    for name, (base, _) in sorted(zh.all_models(manifest).items()):
        tags = "--tags=" + ",".join(zh.MODEL_TAGS.get(name, ["serve"]))
        r = subprocess.run([str(zh.TERN), "inspect", str(base), tags], capture_output=True,
                           text=True)
        if r.returncode == 1:
            section = r.stdout.split("Unsupported by Tern", 1)[1]
            table[name] = sorted(set(re.findall(r"^  (\S+)  \(", section, re.M)))
        elif r.returncode != 0:
            print("%s: inspect failed: %s" % (name, r.stderr.strip()), file=sys.stderr)
    lines = [HEADER]
    for name, ops in table.items():
        body = ", ".join('"%s"' % op for op in ops)
        entry = '    "%s": [%s],\n' % (name, body)
        if len(entry) > 100:
            entry = '    "%s": [\n        %s],\n' % (name, ",\n        ".join('"%s"' % op for op in ops))
        lines.append(entry)
    lines.append("}\n")
    out = Path(__file__).resolve().parent / "expected_failures.py"
    out.write_text("".join(lines))
    print("%d of %d models expected to fail at load -> %s"
          % (len(table), len(zh.all_models(manifest)), out))


if __name__ == "__main__":
    main()
