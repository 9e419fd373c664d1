"""Models Tern cannot load yet, each with exactly the ops its load error names.

test_zoo.py asserts both directions: such a model fails to load naming these ops, and a model
that starts loading must leave this table. Shrink it as kernels land; regenerate with
tests/conformance/update_expected_failures.py.
"""

EXPECTED_LOAD_FAILURES = {
    "module_image_resize_kernels": ["ScaleAndTranslate"],
}
