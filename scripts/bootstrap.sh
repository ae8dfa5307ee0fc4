#!/usr/bin/env bash
# Installs what the project needs on a fresh machine; each step is skipped when already done.
#   scripts/bootstrap.sh            uv + the Python workspace (uv sync --frozen)
#   scripts/bootstrap.sh postgres   PostgreSQL server binaries (apt) for the test suites
#   scripts/bootstrap.sh frontend   npm dependencies of frontend/
#   scripts/bootstrap.sh browser    Debian's Chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

python_env() {
  if ! command -v uv >/dev/null 2>&1 && ! python3 -m uv --version >/dev/null 2>&1; then
    echo "bootstrap: installing uv"
    python3 -m pip install --quiet uv
  fi
  if command -v uv >/dev/null 2>&1; then uv sync --frozen --quiet; else python3 -m uv sync --frozen --quiet; fi
}

postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ] || command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    return
  fi
  echo "bootstrap: installing PostgreSQL (apt)"
  apt_install postgresql
}

frontend() {
  [ -f frontend/package.json ] || return 0
  if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
    echo "bootstrap: installing frontend dependencies (npm)"
    (cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error)
  fi
}

browser() {
  [ -x /usr/bin/chromium ] && return
  echo "bootstrap: installing Chromium (apt)"
  apt_install chromium
}

if [ $# -eq 0 ]; then python_env; fi
for step in "$@"; do "$step"; done
