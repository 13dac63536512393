# Sourced by the other scripts: installs the extension's Node tools (npm ci from the lock file),
# again only when package-lock.json changes.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock_stamp="$repo_root/node_modules/.installed-$(sha1sum "$repo_root/package-lock.json" | cut -c1-12)"
if [ ! -f "$lock_stamp" ]; then
  echo "==> Node tools (npm ci)"
  (cd "$repo_root" && npm ci --silent --no-audit --no-fund)
  touch "$lock_stamp"
fi
