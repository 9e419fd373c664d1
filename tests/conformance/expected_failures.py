"""Models Tern cannot load yet, each with exactly the ops its load error names.

test_zoo.py asserts both directions: such a model fails to load naming these ops, and a model
that starts loading must leave this table. Shrink it as kernels land; regenerate with
tests/conformance/update_expected_failures.py.
"""

EXPECTED_LOAD_FAILURES = {
    "category_encoding": ["Assert", "DenseBincount"],
    "hashing": ["AsString", "StringToHashBucketFast", "StringToHashBucketStrong"],
    "integer_lookup": ["DenseBincount", "HashTableV2", "LookupTableFindV2", "LookupTableImportV2"],
    "mlnet_model_string_test": ["ReduceJoin", "StringSplit"],
    "module_dtypes": ["StringJoin", "StringLength", "StringUpper"],
    "string_lookup": [
        "DenseBincount",
        "HashTableV2",
        "LookupTableFindV2",
        "LookupTableImportV2",
        "StringToHashBucketFast"],
    "text_vectorization": [
        "HashTableV2",
        "LookupTableFindV2",
        "LookupTableImportV2",
        "RaggedTensorToTensor",
        "StaticRegexReplace",
        "StringLower",
        "StringSplitV2"],
    "tf1_dnn": [
        "HashTableV2",
        "InitializeTableFromTextFileV2",
        "LookupTableFindV2",
        "LookupTableImportV2",
        "LookupTableSizeV2",
        "Slice",
        "SparseFillEmptyRows",
        "SparseReshape",
        "SparseSegmentMean",
        "SparseSegmentSqrtN",
        "StringToHashBucketFast",
        "Unique",
        "Where",
        "ZerosLike"],
    "tf1_linear": [
        "HashTableV2",
        "InitializeTableFromTextFileV2",
        "LookupTableFindV2",
        "LookupTableImportV2",
        "LookupTableSizeV2",
        "Slice",
        "SparseFillEmptyRows",
        "SparseReshape",
        "SparseSegmentSum",
        "StringToHashBucketFast",
        "Unique",
        "Where",
        "ZerosLike"],
    "tf1_wide_deep": [
        "HashTableV2",
        "InitializeTableFromTextFileV2",
        "LookupTableFindV2",
        "LookupTableImportV2",
        "LookupTableSizeV2",
        "Slice",
        "SparseFillEmptyRows",
        "SparseReshape",
        "SparseSegmentMean",
        "SparseSegmentSqrtN",
        "SparseSegmentSum",
        "StringToHashBucketFast",
        "Unique",
        "Where",
        "ZerosLike"],
}
