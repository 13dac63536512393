# Sourced by the other scripts: makes .venv with the package and its test tools installed,
# reinstalling only when pyproject.toml changes, and puts it first on PATH.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo_root/.venv"
stamp="$venv/.installed-$(sha1sum "$repo_root/pyproject.toml" | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "==> Python environment (.venv)"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  # (pip warns about absent local index mirrors on some machines; that noise is dropped)
  "$venv/bin/python" -m pip install --quiet -e "$repo_root[test]" 2>&1 | { grep -v "is ignored: it is neither" || true; }
  rm -f "$venv"/.installed-*
  touch "$stamp"
fi
export PATH="$venv/bin:$PATH"
