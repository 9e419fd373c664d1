"""Models Tern cannot load yet, each with exactly the ops its load error names.

test_zoo.py asserts both directions: such a model fails to load naming these ops, and a model
that starts loading must leave this table. Shrink it as kernels land; regenerate with
tests/conformance/update_expected_failures.py.
"""

EXPECTED_LOAD_FAILURES = {
    "conv_dilated": ["BatchToSpaceND", "SpaceToBatchND"],
    "embedding_gru": [
        "Fill",
        "Split",
        "StatelessWhile",
        "TensorListFromTensor",
        "TensorListGetItem",
        "TensorListReserve",
        "TensorListSetItem",
        "TensorListStack",
        "Unpack"],
    "embedding_lstm": [
        "Fill",
        "Split",
        "StatelessWhile",
        "TensorListFromTensor",
        "TensorListGetItem",
        "TensorListReserve",
        "TensorListSetItem",
        "TensorListStack"],
    "mlnet_model_matmul": ["BatchMatMul"],
    "mlp_gelu_swish": ["IdentityN"],
    "mlp_layernorm": ["Fill"],
    "module_control_flow": [
        "StatelessIf",
        "StatelessWhile",
        "TensorListFromTensor",
        "TensorListGetItem"],
    "module_stateful_counter": ["AssignAddVariableOp"],
    "rust_regression_savedmodel": [
        "AssignAddVariableOp",
        "BroadcastGradientArgs",
        "ResourceApplyGradientDescent"],
    "saved_model_counter": ["AssignAdd"],
    "saved_model_half_plus_two_mkl": ["RandomUniform"],
    "text_vectorization": ["RaggedTensorToTensor", "StaticRegexReplace"],
    "tf1_raw_features": ["StatelessIf"],
    "transformer_block": ["Einsum"],
}
