#!/usr/bin/env bash
# Install everything the project needs, idempotently:
#   1. uv 0.13.8 in .tools/uv (a venv made with python3 -m venv + pip; pip's own config picks the index)
#   2. .venv from uv.lock (`uv sync --frozen`, Python 3.11, dev group included)
#   3. Node 22 + Bun from the npm registry into tools/node_modules (`npm ci --prefix tools`)
# Each step is skipped when a stamp holding the hash of its lock file matches, so a second run takes
# about a second. Force a step again by deleting .venv, tools/node_modules or .tools.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"

UV_VERSION="0.13.8"
PYTHON="${SNAPLEADS_PYTHON:-python3.11}"
TOOLS_VENV="$ROOT/.tools/uv"
UV="$TOOLS_VENV/bin/uv"
UV_STAMP="$ROOT/.venv/.snapleads-setup-stamp"
NPM_STAMP="$ROOT/tools/node_modules/.snapleads-setup-stamp"

say() { printf '[setup] %s\n' "$*"; }
sha() { sha256sum "$@" | sha256sum | cut -c1-64; }

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    if command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; raise SystemExit(sys.version_info[:2] != (3, 11))'; then
        PYTHON=python3
    else
        echo "setup: Python 3.11 is required (python3.11 not found; set SNAPLEADS_PYTHON)" >&2
        exit 1
    fi
fi

# --- 1. uv ------------------------------------------------------------------------------------
if [[ -x "$UV" ]] && [[ "$("$UV" --version 2>/dev/null)" == "uv $UV_VERSION"* ]]; then
    say "uv $UV_VERSION present in .tools/uv"
else
    say "bootstrapping uv $UV_VERSION into .tools/uv (python3 -m venv + pip)"
    rm -rf "$TOOLS_VENV"
    mkdir -p "$ROOT/.tools"
    python3 -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
# .tools/ is machine-local: keep it out of git without touching the shared .gitignore.
[[ -f "$ROOT/.tools/.gitignore" ]] || printf '*\n' >"$ROOT/.tools/.gitignore"

# --- 2. Python environment ---------------------------------------------------------------------
uv_key="$(sha uv.lock) uv=$UV_VERSION python=$("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
if [[ -x .venv/bin/python ]] && [[ -f "$UV_STAMP" ]] && [[ "$(cat "$UV_STAMP")" == "$uv_key" ]]; then
    say ".venv up to date with uv.lock"
else
    say "uv sync --frozen (Python: $PYTHON, groups: default + dev) -> .venv"
    UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT="$ROOT/.venv" \
        "$UV" sync --frozen --python "$PYTHON"
    printf '%s\n' "$uv_key" >"$UV_STAMP"
fi

# --- 3. Node 22 + Bun for Reflex's frontend build ----------------------------------------------
npm_key="$(sha tools/package.json tools/package-lock.json)"
if [[ -x tools/node_modules/.bin/node ]] && [[ -x tools/node_modules/.bin/bun ]] \
    && [[ -f "$NPM_STAMP" ]] && [[ "$(cat "$NPM_STAMP")" == "$npm_key" ]]; then
    say "tools/node_modules up to date with tools/package-lock.json"
else
    if ! command -v npm >/dev/null 2>&1; then
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
            say "npm not found: apt-get install -y npm"
            apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y npm
        else
            echo "setup: npm is required to fetch Node 22 and Bun (sudo apt-get install -y npm)" >&2
            exit 1
        fi
    fi
    say "npm ci --prefix tools (Node 22 + Bun from the npm registry)"
    npm ci --prefix tools --no-audit --no-fund
    printf '%s\n' "$npm_key" >"$NPM_STAMP"
fi

say "node $(tools/node_modules/.bin/node --version), bun $(tools/node_modules/.bin/bun --version), $(.venv/bin/python --version)"
say "done"
