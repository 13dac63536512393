#!/usr/bin/env bash
# Run the product: builds the .vsix and opens it in a real VS Code on a demo workspace with
# seeded memories. Desktop `code` when it is on PATH; else code-server on 127.0.0.1 (the URL
# is printed; Ctrl+C stops it). VIDURAI_DEMO_PORT picks code-server's port (default 8080).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
source scripts/python-env.sh
vsix="$(bash scripts/package-extension.sh | tail -n 1)"

demo="$repo_root/.e2e/demo"
workspace="$demo/workspace"
database="$demo/memory.db"
if [ ! -f "$database" ]; then
  echo "==> demo workspace with memories ($workspace)"
  mkdir -p "$workspace/src/auth" "$workspace/.vscode"
  cat > "$workspace/src/auth/middleware.py" <<'PY'
def validate_token(token, issuer, clock):
    if token.issuer != issuer:
        raise PermissionError("wrong issuer")
    if token.expires_at < clock.now() - 30:
        raise PermissionError("token expired")
    return token.claims
PY
  cat > "$workspace/src/worker.py" <<'PY'
import time


def run_with_retries(job, attempts=5):
    for attempt in range(attempts):
        try:
            return job()
        except TimeoutError:
            time.sleep(2 ** attempt)
    raise TimeoutError("gave up after retries")
PY
  cat > "$workspace/src/dates.py" <<'PY'
from datetime import datetime, timezone


def parse_timestamp(text):
    return datetime.fromisoformat(text).astimezone(timezone.utc)
PY
  remember() { python -m vidurai remember --db "$database" --project "$workspace" "$@" >/dev/null; }
  remember "Fixed JWT token validation: compare expiry in UTC with 30 s of clock skew" \
    --file src/auth/middleware.py --line 4 --salience high
  remember "Tokens from the staging issuer are rejected on purpose" --file src/auth/middleware.py --line 2
  remember "The retry budget is shared by all workers; keep attempts at 5 or the gateway times out" \
    --file src/worker.py --line 4 --salience high
  remember "Parse timestamps as UTC before comparing; naive datetimes broke the nightly report" \
    --file src/dates.py --line 4
  remember "Decided to keep SQLite for the memory store: one file, shared with the CLI" --salience critical
fi
# The demo's own database, so it never touches your real memories.
printf '{\n  "vidurai.databasePath": "%s"\n}\n' "$database" > "$workspace/.vscode/settings.json"

if command -v code >/dev/null 2>&1; then
  echo "==> opening the demo in VS Code"
  code --install-extension "$vsix" --force
  exec code "$workspace"
fi

source scripts/e2e-env.sh
port="${VIDURAI_DEMO_PORT:-8080}"
user_data="$demo/code-server-user-data"
mkdir -p "$user_data/User"
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$port" > "$demo/code-server.yaml"
if [ ! -f "$user_data/User/settings.json" ]; then
  cat > "$user_data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "git.openRepositoryInParentFolders": "never"
}
JSON
fi
code_server=("$VIDURAI_E2E_NODE24" "$VIDURAI_E2E_CODE_SERVER" --config "$demo/code-server.yaml"
  --user-data-dir "$user_data" --extensions-dir "$demo/code-server-extensions")
export PATH="$(dirname "$VIDURAI_E2E_NODE24"):$PATH"
"${code_server[@]}" --install-extension "$vsix" --force >/dev/null
echo ""
echo "Vidurai demo: open http://127.0.0.1:$port/?folder=$workspace"
echo "(the Vidurai icon in the activity bar shows the memories; Ctrl+C stops code-server)"
echo ""
exec "${code_server[@]}" --disable-telemetry --disable-update-check --disable-workspace-trust "$workspace"
