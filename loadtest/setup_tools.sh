#!/usr/bin/env bash
# Installs the load-test tools into loadtest/.tools: perf_analyzer (+ libcudart), matplotlib, and
# the Debian packages wrk, libb64-0d, nginx-light (the static-reply ceiling of wire_formats.py)
# and nghttp2-client (h2load, for h2c_bench.py). Idempotent; pins in loadtest/requirements.txt.
# Prints the directory holding perf_analyzer's wrapper on success.
set -euo pipefail
cd "$(dirname "$0")"
TOOLS=.tools
STAMP=$TOOLS/.stamp
PIP=../.venv/bin/pip
need=()
for pkg in wrk libb64-0d nginx-light nghttp2-client; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! cmp -s requirements.txt "$STAMP"; then
  rm -rf "$TOOLS"
  mkdir -p "$TOOLS/wheels" "$TOOLS/bin" "$TOOLS/lib"
  version() { grep "^$1==" requirements.txt | cut -d= -f3; }
  "$PIP" download -q --no-deps -d "$TOOLS/wheels" "tritonclient==$(version tritonclient)" \
    "nvidia-cuda-runtime-cu12==$(version nvidia-cuda-runtime-cu12)"
  python3 - "$TOOLS" <<'PY'
import sys, zipfile, pathlib, os
tools = pathlib.Path(sys.argv[1])
for wheel in (tools / "wheels").glob("*.whl"):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            base = os.path.basename(name)
            if name.endswith("/bin/perf_analyzer"):
                out = tools / "bin" / "perf_analyzer.real"
            elif base == "libcudart.so.12":
                out = tools / "lib" / base
            else:
                continue
            out.write_bytes(z.read(name))
            out.chmod(0o755)
PY
  cat > "$TOOLS/bin/perf_analyzer" <<'SH'
#!/bin/sh
here="$(cd "$(dirname "$0")" && pwd)"
LD_LIBRARY_PATH="$here/../lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/perf_analyzer.real" "$@"
SH
  chmod +x "$TOOLS/bin/perf_analyzer"
  "$PIP" install -q --target "$TOOLS/py" "matplotlib==$(version matplotlib)" "numpy==$(version numpy)"
  rm -rf "$TOOLS/wheels"
  cp requirements.txt "$STAMP"
fi
"$TOOLS/bin/perf_analyzer" --version >/dev/null
echo "$(pwd)/$TOOLS/bin"
