#!/usr/bin/env bash
# The whole test suite, installing what it needs first. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh

echo "==> Python tests (store, gists, capture, language server, CLI, MCP)"
python -m pytest tests/server tests/lsp -q
