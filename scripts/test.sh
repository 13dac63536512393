#!/usr/bin/env bash
# The whole test suite, installing what it needs first. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
# Node tools first: the capture session test runs pyright's language server from node_modules.
source scripts/node-env.sh

echo "==> Python lint and format check (ruff) and type check (mypy)"
ruff check server tests bench
ruff format --check server tests bench
mypy server/vidurai

echo "==> Python tests (store, gists, capture, language server with pyright, CLI, MCP)"
python -m pytest tests/server tests/lsp -q

echo "==> Extension: type check (tsc --noEmit) and lint (eslint)"
npx tsc --noEmit -p .
echo "type check: no errors"
npx eslint extension tests/extension esbuild.mjs bench/*.mjs
echo "lint: no problems"

echo "==> Extension unit tests (node --test: tree rows, Markdown, settings, capture helpers)"
node esbuild.mjs --unit-tests
node --test --test-reporter=spec out/unit-tests/

echo "==> Extension end to end in a real VS Code (code-server + headless Chromium, the packaged .vsix)"
source scripts/e2e-env.sh
node tests/extension/e2e/run.mjs
