"""Models Tern cannot load yet, each with exactly the ops its load error names.

test_zoo.py asserts both directions: such a model fails to load naming these ops, and a model
that starts loading must leave this table. Shrink it as kernels land; regenerate with
tests/conformance/update_expected_failures.py.
"""

EXPECTED_LOAD_FAILURES = {
    "k2_layers_convolution": ["Conv3D", "Conv3DBackpropInputV2"],
    "k2_layers_image_preprocessing": ["ResizeArea", "ResizeBicubic"],
    "k2_layers_pooling": ["AvgPool3D", "MaxPool3D"],
    "k2_layers_structured_preprocessing": ["RaggedBincount", "StringNGrams"],
    "k3_layers_convolution": ["Conv3D", "Conv3DBackpropInputV2"],
    "k3_layers_image_preprocessing": [
        "ImageProjectiveTransformV3",
        "ResizeArea",
        "ResizeBicubic",
        "StatelessRandomGetKeyCounter",
        "StatelessRandomUniformV2"],
    "k3_layers_pooling": ["AvgPool3D", "MaxPool3D"],
    "k3_layers_structured_preprocessing": ["RaggedBincount", "StringNGrams"],
}
