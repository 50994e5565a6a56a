# Shared by scripts/serve and scripts/test: create .venv and install the project into it.
# Sourced, not executed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
ensure_venv() {
  local extras="${1:-}" target="$ROOT"
  [ -z "$extras" ] || target="$ROOT[$extras]"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "postguard: creating virtual environment in .venv" >&2
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  fi
  # Re-install only when pyproject.toml changed since the last install.
  local stamp="$VENV/.installed-${extras:-core}"
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    echo "postguard: installing Python dependencies${extras:+ ($extras)}" >&2
    local log="$VENV/pip-install.log"
    if ! "$VENV/bin/python" -m pip install --quiet -e "$target" >"$log" 2>&1; then
      cat "$log" >&2
      echo "postguard: installing Python dependencies failed (log: $log)" >&2
      exit 1
    fi
    touch "$stamp"
  fi
  # Byte-compile the agent as an installed package is (some machines set
  # PYTHONDONTWRITEBYTECODE, which would make every start compile it again).
  "$VENV/bin/python" -m compileall -q "$ROOT/agent" >/dev/null
}
