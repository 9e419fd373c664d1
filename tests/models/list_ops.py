#!/usr/bin/env python3
"""List the TensorFlow ops a SavedModel needs at serving time.

Usage:
  .venv/bin/python tests/models/list_ops.py <saved_model_dir> [--signature NAME]
      [--tag serve] [--attrs]

Reads <saved_model_dir>/saved_model.pb with the protobuf classes only (TensorFlow
is never run). For each signature it walks the graph backwards from the
signature's output tensors, following data and control inputs, stopping at the
signature's input tensors, and descending into library functions named by any
function-valued attr (PartitionedCall/StatefulPartitionedCall `f`, If/While
branches and bodies, ...) and into nodes whose op is itself a library function.
It does the same for the restore path (saver_def.restore_op_name, with the
checkpoint filename tensor treated as fed) and the init op
(`__saved_model_init_op` signature, or the `saved_model_main_op` /
`legacy_init_op` collections).

Prints a sorted op histogram (op type -> number of nodes) for each signature,
for restore and init, and for the union of everything. With --attrs, it also
prints for the union the distinct values of each op's type-like attrs
(dtypes, shapes sizes excluded), which is what a kernel must support.
"""

import argparse
import collections
import importlib.util
import os
import sys
import types


def _import_protos():
    """Imports TensorFlow's generated protobuf modules without running
    `tensorflow/__init__.py` (which would load the whole runtime)."""
    if "tensorflow" not in sys.modules:
        spec = importlib.util.find_spec("tensorflow")
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit("the tensorflow package (for its .proto modules) is not installed")
        stub = types.ModuleType("tensorflow")
        stub.__path__ = list(spec.submodule_search_locations)
        sys.modules["tensorflow"] = stub
    from tensorflow.core.protobuf import saved_model_pb2 as sm
    from tensorflow.core.framework import types_pb2 as ty
    return sm, ty


saved_model_pb2, types_pb2 = _import_protos()

INIT_OP_SIGNATURE_KEY = "__saved_model_init_op"
INIT_OP_COLLECTIONS = ("saved_model_main_op", "legacy_init_op")


def node_name(tensor):
    """'^a', 'a', 'a:1' -> 'a'."""
    return tensor.lstrip("^").split(":")[0]


def canonical_tensor(tensor):
    """'a' -> 'a:0'; 'a:1' stays; control inputs stay as '^a'."""
    if tensor.startswith("^"):
        return tensor
    return tensor if ":" in tensor else tensor + ":0"


class Walker:
    """Collects the nodes (top-level and in functions) an op set needs."""

    def __init__(self, graph_def):
        self.nodes = {n.name: n for n in graph_def.node}
        self.functions = {f.signature.name: f for f in graph_def.library.function}

    def functions_of(self, node):
        """Names of library functions a NodeDef calls or names in attrs."""
        out = []
        if node.op in self.functions:
            out.append(node.op)
        for value in node.attr.values():
            if value.HasField("func") and value.func.name:
                out.append(value.func.name)
            if value.HasField("list"):
                out.extend(f.name for f in value.list.func if f.name)
        return out

    def walk_function(self, fname, found, seen_functions):
        """Adds the nodes a function's outputs need, recursively."""
        if fname in seen_functions or fname not in self.functions:
            return
        seen_functions.add(fname)
        fdef = self.functions[fname]
        body = {n.name: n for n in fdef.node_def}
        stack = [node_name(t) for t in fdef.ret.values()]
        stack += list(fdef.control_ret.values())
        visited = set()
        while stack:
            name = stack.pop()
            if name in visited or name not in body:
                continue  # function arguments are not nodes
            visited.add(name)
            node = body[name]
            found.append(("fn:" + fname, node))
            for f in self.functions_of(node):
                self.walk_function(f, found, seen_functions)
            stack.extend(node_name(t) for t in node.input)

    def walk(self, targets, fed_tensors):
        """Nodes needed to compute `targets` (tensor or node names).

        `fed_tensors` are canonical 'node:idx' names that are fed, so the edge
        into them is not followed. A node whose output is fed but which is
        also needed through another output (or a control edge) is still kept.
        Returns a list of (scope, NodeDef).
        """
        found = []
        seen_functions = set()
        visited = set()
        stack = []
        for t in targets:
            if canonical_tensor(t) in fed_tensors:
                continue
            stack.append(node_name(t))
        while stack:
            name = stack.pop()
            if name in visited:
                continue
            if name not in self.nodes:
                raise SystemExit("graph has no node %r" % name)
            visited.add(name)
            node = self.nodes[name]
            found.append(("graph", node))
            for f in self.functions_of(node):
                self.walk_function(f, found, seen_functions)
            for inp in node.input:
                if not inp.startswith("^") and canonical_tensor(inp) in fed_tensors:
                    continue
                stack.append(node_name(inp))
        return found


def histogram(found):
    return collections.Counter(node.op for _, node in found)


def dtype_name(v):
    try:
        return types_pb2.DataType.Name(v)
    except ValueError:
        return str(v)


def attr_summary(node):
    """The kernel-relevant attrs of a node as a sorted tuple of strings."""
    parts = []
    for key in sorted(node.attr):
        if key.startswith("_") or key in ("value", "shape", "dtype_shape",
                                          "output_shapes", "shapes",
                                          "container", "shared_name",
                                          "debug_name", "f", "config",
                                          "config_proto",
                                          "executor_type"):
            if key == "value":
                t = node.attr[key].tensor
                dims = [d.size for d in t.tensor_shape.dim]
                parts.append("value=%s%s" % (dtype_name(t.dtype), dims if dims else "[]"))
            continue
        v = node.attr[key]
        which = v.WhichOneof("value")
        if which == "type":
            parts.append("%s=%s" % (key, dtype_name(v.type)))
        elif which == "list":
            if v.list.type:
                parts.append("%s=[%s]" % (key, ",".join(dtype_name(t) for t in v.list.type)))
            elif v.list.i:
                parts.append("%s=%s" % (key, list(v.list.i)))
            elif v.list.f:
                parts.append("%s=%d floats" % (key, len(v.list.f)))
            elif v.list.s:
                parts.append("%s=%s" % (key, [s.decode() for s in v.list.s]))
            elif v.list.shape:
                parts.append("%s=%d shapes" % (key, len(v.list.shape)))
            else:
                parts.append("%s=[]" % key)
        elif which in ("i", "b"):
            parts.append("%s=%s" % (key, getattr(v, which)))
        elif which == "f":
            parts.append("%s=%g" % (key, v.f))
        elif which == "s":
            parts.append("%s=%r" % (key, v.s.decode(errors="replace")))
    return tuple(parts)


def print_histogram(title, found):
    hist = histogram(found)
    print("== %s: %d op types, %d nodes" % (title, len(hist), sum(hist.values())))
    for op in sorted(hist):
        print("  %-28s %d" % (op, hist[op]))
    print()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("saved_model_dir")
    parser.add_argument("--signature", help="only this signature (plus restore and init)")
    parser.add_argument("--tag", default="serve")
    parser.add_argument("--attrs", action="store_true",
                        help="print the distinct attrs of each op in the union")
    args = parser.parse_args(argv)

    sm = saved_model_pb2.SavedModel()
    with open(os.path.join(args.saved_model_dir, "saved_model.pb"), "rb") as f:
        sm.ParseFromString(f.read())
    metas = [m for m in sm.meta_graphs if args.tag in m.meta_info_def.tags]
    if not metas:
        raise SystemExit("no MetaGraphDef with tag %r" % args.tag)
    meta = metas[0]
    walker = Walker(meta.graph_def)

    sections = []  # (title, found)
    sig_names = sorted(k for k in meta.signature_def if k != INIT_OP_SIGNATURE_KEY)
    if args.signature:
        if args.signature not in meta.signature_def:
            raise SystemExit("no signature %r; have %s" % (args.signature, sig_names))
        sig_names = [args.signature]
    for name in sig_names:
        sig = meta.signature_def[name]
        fed = {canonical_tensor(t.name) for t in sig.inputs.values()}
        targets = [t.name for t in sig.outputs.values()]
        sections.append(("signature %s (%s)" % (name, sig.method_name),
                         walker.walk(targets, fed)))

    if meta.saver_def.restore_op_name:
        fed = {canonical_tensor(meta.saver_def.filename_tensor_name)}
        sections.append(("restore (%s)" % meta.saver_def.restore_op_name,
                         walker.walk([meta.saver_def.restore_op_name], fed)))

    init_targets = []
    if INIT_OP_SIGNATURE_KEY in meta.signature_def:
        init_targets = [t.name for t in
                        meta.signature_def[INIT_OP_SIGNATURE_KEY].outputs.values()]
    else:
        for key in INIT_OP_COLLECTIONS:
            if key in meta.collection_def:
                init_targets += list(meta.collection_def[key].node_list.value)
    if init_targets:
        # Asset file paths are fed by the loader.
        fed = set()
        if "asset_filepaths" in meta.collection_def:
            fed = {canonical_tensor(t) for t in
                   meta.collection_def["asset_filepaths"].node_list.value}
        for a in meta.asset_file_def:
            fed.add(canonical_tensor(a.tensor_info.name))
        sections.append(("init (%s)" % ", ".join(init_targets),
                         walker.walk(init_targets, fed)))

    union = []
    seen = set()
    for title, found in sections:
        print_histogram(title, found)
        for scope, node in found:
            key = (scope, node.name)
            if key not in seen:
                seen.add(key)
                union.append((scope, node))
    print_histogram("union of the above", union)

    if args.attrs:
        print("== attrs per op in the union")
        by_op = collections.defaultdict(collections.Counter)
        for _, node in union:
            by_op[node.op][attr_summary(node)] += 1
        for op in sorted(by_op):
            print("  %s" % op)
            for attrs, count in sorted(by_op[op].items()):
                print("      %3d x %s" % (count, ", ".join(attrs) if attrs else "(no attrs)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
