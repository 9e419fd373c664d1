"""Checks that src/ keeps its layering: each room includes only itself and the rooms below it.

The CMake libraries enforce most of this by what they link, but every header is reachable from
every target (one include root), so a header-only include across the layering would go unnoticed
there. This reads every #include "..." under src/ and fails, naming file and line, on one that
goes the wrong way. The table is the layering docs/architecture.md describes; change both together.
Run by scripts/test.sh.
"""
import pathlib
import re
import sys

SRC = pathlib.Path(__file__).resolve().parents[1] / "src"

# Generated protobuf headers (proto/): any layer may use the wire and file formats.
PROTO_ROOTS = {"tf", "serving", "kserve", "grpc"}

# room -> the rooms it may include (besides itself); naming a room allows the rooms inside it.
# "R:top" allows R's own files only, not the rooms inside it.
# A room is a folder under src/ (or one file's stem, runtime/tensor); a file belongs to the
# longest room that holds it.
ROOMS = {
    "common": [],
    # The runtime: tensor < format (bytes on disk) < the execution core, its kernels and state,
    # all one library (the kernel registry names the kernels, which implement kernel.h) <
    # saved_model (loading a SavedModel into a session).
    "runtime/memory_account": ["common", "runtime/memory_wait"],  # budgets: part of tern_tensor
    "runtime/memory_wait": [],  # the budget's wait, set by the server: part of tern_tensor
    # recycled tensor buffers, bounded by the process budget: part of tern_tensor
    "runtime/buffer_cache": ["common", "runtime/memory_account"],
    "runtime/tensor": ["common", "runtime/memory_account", "runtime/buffer_cache"],
    "runtime/format": ["common", "runtime/tensor"],
    "runtime": ["common", "runtime/tensor", "runtime/format", "runtime/state", "runtime/kernels",
                "runtime/optimize"],
    "runtime/optimize": ["common", "runtime/tensor", "runtime/format", "runtime:top"],
    "runtime/state": ["common", "runtime/tensor", "runtime:top"],
    "runtime/kernels": ["common", "runtime/tensor", "runtime/format", "runtime/state",
                        "runtime:top", "runtime/kernels/internal"],
    "runtime/kernels/internal": ["common", "runtime/tensor", "runtime/format", "runtime/state",
                                 "runtime:top", "runtime/kernels"],
    "runtime/saved_model": ["common", "runtime"],
    # The optional TensorFlow runtime (C API, dlopen'ed): beside Tern's, behind servable_model.h;
    # it reuses saved_model's side-effect check.
    "runtime/tensorflow": ["common", "runtime:top", "runtime/tensor", "runtime/memory_account",
                           "runtime/saved_model"],
    "batching": ["common", "runtime"],
    "loader": ["common", "runtime"],  # batching and loader sit side by side; server joins them
    "server/core": ["common", "runtime", "batching", "loader"],
    "server/codec": ["common", "runtime"],
    "server/http": ["common", "runtime", "server/core", "server/codec"],
    "server/metrics": ["common", "runtime", "loader", "server/core", "server/http"],
    "server/grpc": ["common", "runtime", "batching", "loader", "server/core", "server/metrics"],
    "server/rest": ["common", "runtime", "batching", "loader", "server/core", "server/codec",
                    "server/http"],
    "server/kserve": ["common", "runtime", "batching", "loader", "server/core", "server/codec",
                      "server/http", "server/grpc"],
    "server/listen": ["common", "runtime", "server/core", "server/http", "server/grpc"],
    "server/app": ["common", "runtime", "batching", "loader", "server/core", "server/codec",
                   "server/http", "server/metrics", "server/grpc", "server/rest", "server/kserve",
                   "server/listen"],
}

# Headers from outside src/ that only some rooms may include: TensorFlow's C API (the wheel's
# headers, dlopen'ed library) is for the TensorFlow runtime alone.
EXTERNAL = {"tensorflow/c/": "runtime/tensorflow"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def inside(path: str, room: str) -> bool:
    return path == room or path.startswith(room + "/") or path.startswith(room + ".")


def allows(allowed: str, other: str) -> bool:
    if allowed.endswith(":top"):
        return other == allowed[: -len(":top")]
    return inside(other, allowed)


def room_of(path: str):
    best = None
    for room in ROOMS:
        if inside(path, room):
            if best is None or len(room) > len(best):
                best = room
    return best


def main() -> int:
    errors = []
    files = sorted(p for p in SRC.rglob("*") if p.suffix in (".h", ".cc"))
    for path in files:
        rel = path.relative_to(SRC).as_posix()
        own = room_of(rel)
        if own is None:
            errors.append(f"{rel}: in no room of tests/check_layers.py (add its folder to ROOMS)")
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = match.group(1)
            if target.split("/")[0] in PROTO_ROOTS and target.endswith(".pb.h"):
                continue
            external = next((room for prefix, room in EXTERNAL.items()
                             if target.startswith(prefix)), None)
            if external is not None:
                if not inside(rel, external):
                    errors.append(f"{rel}:{number}: only {external} may include {target}")
                continue
            other = room_of(target)
            if other is None:
                errors.append(f"{rel}:{number}: includes {target}, which is in no room")
            elif other != own and not any(allows(allowed, other) for allowed in ROOMS[own]):
                errors.append(f"{rel}:{number}: {own} may not include {other} ({target})")
    for error in errors:
        print("layering:", error)
    print(f"layering: {len(files)} files, {len(errors)} includes against the layering")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
