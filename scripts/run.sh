#!/usr/bin/env bash
# `make run`: the embedded default — SQLite file, in-process jobs and events, one port.
#   migrate (alembic upgrade head) -> seed the demo workspace (prints the login) -> reflex prod on :PORT
# Environment: PORT (default 3000); DATABASE_URL / REDIS_URL are passed through when you set them,
# otherwise the settings' defaults apply (data/snapleads.db, no Redis).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"

say() { printf '[run] %s\n' "$*"; }

PORT="${PORT:-3000}"
URL="http://localhost:${PORT}"

# Reflex: never phone home (offline each check costs 20-90 s of timeouts); Node 22 + Bun from tools/.
export REFLEX_TELEMETRY_ENABLED=false
export REFLEX_CHECK_LATEST_VERSION=false
export PATH="$ROOT/tools/node_modules/.bin:$ROOT/.venv/bin:$PATH"

# Prod mode serves UI, websocket and /api/v1 on one port: every URL points at it.
export PUBLIC_URL="${PUBLIC_URL:-$URL}"
export API_URL="${API_URL:-$PUBLIC_URL}"
export REFLEX_API_URL="${REFLEX_API_URL:-$API_URL}"
export REFLEX_DEPLOY_URL="${REFLEX_DEPLOY_URL:-$PUBLIC_URL}"

say "database: ${DATABASE_URL:-<settings default: SQLite data/snapleads.db>}"
say "redis:    ${REDIS_URL:-<unset: in-process queue, bus and state>}"

say "alembic upgrade head"
.venv/bin/alembic upgrade head

say "seeding the demo workspace"
.venv/bin/python -m snapleads_app.cli seed-demo

say "reflex run --env prod on port $PORT (UI, websocket and /api/v1) -> $PUBLIC_URL"
exec .venv/bin/reflex run --env prod --frontend-port "$PORT" --backend-port "$PORT"
