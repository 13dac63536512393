#!/usr/bin/env bash
# Builds the universal .vsix: the esbuild bundle, the Python server (server/vidurai) and its
# pure-Python dependencies installed into bundled/libs from pinned versions, so a user needs
# only a Python >= 3.10. Prints the path of the .vsix on its last line.
# Caches: node_modules and bundled/libs are rebuilt only when their inputs change.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# The server's runtime dependencies, pinned. platformdirs 4.12.4 is the newest that still
# supports Python 3.10; exceptiongroup is what cattrs needs below 3.11. Not mcp (CLI only).
server_libs=(
  pygls==2.1.1
  lsprotocol==2025.0.0
  attrs==26.1.0
  cattrs==26.2.1
  platformdirs==4.12.4
  typing_extensions==4.16.0
  exceptiongroup==1.3.2
)

source scripts/node-env.sh
# The venv's pip (Debian's python3 may come without one); it only downloads wheels here.
source scripts/python-env.sh

libs_stamp="bundled/libs/.installed-$(printf '%s\n' "${server_libs[@]}" | sha1sum | cut -c1-12)"
if [ ! -f "$libs_stamp" ]; then
  echo "==> bundled/libs (the server's Python dependencies, for Python 3.10+)"
  rm -rf bundled/libs
  # Wheels only, resolved for the oldest supported Python, so the .vsix runs on all of them.
  python -m pip install --quiet --disable-pip-version-check --no-deps --no-compile \
    --only-binary=:all: --implementation py --python-version 3.10 \
    --target bundled/libs "${server_libs[@]}" 2>&1 | { grep -v "is ignored: it is neither" || true; }
  touch "$libs_stamp"
fi

echo "==> bytecode for the server and its libraries"
# Compiled at packaging time so the server's first start does not compile ~200 modules (about
# 0.5 s, every start where bytecode cannot be written: PYTHONDONTWRITEBYTECODE, a read-only
# install). Hash-checked, because installing a .vsix does not keep the files' times. Compiled for
# the packaging Python's version; other versions ignore these files and compile as before.
find server/vidurai bundled/libs -name __pycache__ -type d -prune -exec rm -rf {} +
python -m compileall -q --invalidation-mode checked-hash server/vidurai bundled/libs >/dev/null
# The methods attrs and cattrs write for lsprotocol's classes are compiled at every start too,
# a fifth to a third of it: recorded here, with the libraries the .vsix carries, and reused by
# the server (server/vidurai/generated_code.py).
PYTHONPATH="bundled/libs:server" python -m vidurai.generated_code

echo "==> esbuild (production bundle)"
node esbuild.mjs --production

version="$(node -p "require('./package.json').version")"
mkdir -p dist
vsix="dist/vidurai-$version.vsix"
echo "==> vsce package"
# No repository URL in the manifest yet: vsce would otherwise refuse the README's relative
# links (they stay relative: the .vsix is installed locally).
npx vsce package --no-dependencies --allow-missing-repository --no-rewrite-relative-links --out "$vsix" >/dev/null
echo "$repo_root/$vsix"
