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

# room -> the rooms it may include (besides itself). A room is a folder path under src/; a file
# belongs to the longest room that is a prefix of its path.
ROOMS = {
    "common": [],
    "runtime": ["common"],
    "batching": ["common", "runtime"],
    "loader": ["common", "runtime", "batching"],
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

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def room_of(path: str):
    best = None
    for room in ROOMS:
        if path == room or path.startswith(room + "/"):
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
            other = room_of(target)
            if other is None:
                errors.append(f"{rel}:{number}: includes {target}, which is in no room")
            elif other != own and other not in ROOMS[own]:
                errors.append(f"{rel}:{number}: {own} may not include {other} ({target})")
    for error in errors:
        print("layering:", error)
    print(f"layering: {len(files)} files, {len(errors)} includes against the layering")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
