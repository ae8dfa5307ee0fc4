#!/usr/bin/env bash
# Installs what the project needs on a fresh machine; each step is skipped when already done.
#   scripts/bootstrap.sh            uv + the Python workspace (uv sync --frozen)
#   scripts/bootstrap.sh postgres   PostgreSQL server binaries (apt) for the test suites
#   scripts/bootstrap.sh frontend   npm dependencies of frontend/
#   scripts/bootstrap.sh frontend_build   production build of frontend/ (when missing or stale)
#   scripts/bootstrap.sh browser    Debian's Chromium for the browser tests
#   scripts/bootstrap.sh interop    npm dependencies of tests/interop (the Node MCP client) and
#                                   tests/interop/conformance (the MCP conformance suite, Node 22)
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

frontend_build() {
  [ -f frontend/package.json ] || return 0
  local stamp=frontend/.next/BUILD_ID
  if [ -f "$stamp" ] && [ -z "$(find frontend/src frontend/next.config.ts frontend/package-lock.json \
      frontend/tsconfig.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    return
  fi
  echo "bootstrap: building the frontend (next build)"
  local log
  log=$(mktemp)
  if ! (cd frontend && npm run --silent build >"$log" 2>&1); then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

npm_deps() {
  local dir=$1 what=$2
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "bootstrap: installing $what (npm)"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

interop() {
  npm_deps tests/interop "the Node MCP interop client"
  # Brings its own Node 22 (the npm `node` package): the suite does not run on Node 20.
  npm_deps tests/interop/conformance "the MCP conformance suite"
}

browser() {
  [ -x /usr/bin/chromium ] && return
  echo "bootstrap: installing Chromium (apt)"
  apt_install chromium
}

if [ $# -eq 0 ]; then python_env; fi
for step in "$@"; do "$step"; done
