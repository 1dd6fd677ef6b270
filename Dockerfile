# SnapLeads image: one image for the app (Reflex prod: UI + websocket + /api/v1 on :3000), the Dramatiq
# worker and the migrate one-shot. UNTESTED here (no Docker engine on the build machine): keep it in
# step with scripts/setup.sh and scripts/run.sh, which are tested.
#
#   docker compose up --build        # see docker-compose.yml

# --- Node 22 + Bun from the npm registry (same lockfile as `make setup`) ------------------------
FROM node:22-bookworm-slim AS tools
WORKDIR /app/tools
COPY tools/package.json tools/package-lock.json ./
# No --ignore-scripts: the `node` and `bun` packages fetch their binaries in install scripts.
RUN npm ci --no-audit --no-fund

# --- Python app --------------------------------------------------------------------------------
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    REFLEX_TELEMETRY_ENABLED=false \
    REFLEX_CHECK_LATEST_VERSION=false \
    PATH=/app/tools/node_modules/.bin:/app/.venv/bin:$PATH

# unzip: Reflex's frontend tooling expects it; ca-certificates for the registries.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates unzip \
    && rm -rf /var/lib/apt/lists/*

RUN python -m pip install --no-cache-dir --disable-pip-version-check uv==0.13.8

WORKDIR /app

# Dependencies first (cached while uv.lock is unchanged). Runtime only: no dev group.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --python /usr/local/bin/python3.11 --no-install-project

COPY --from=tools /app/tools /app/tools

# Source (listed explicitly so a developer's .venv, .web, node_modules or data/ never enter the image).
COPY rxconfig.py alembic.ini bunfig.toml .npmrc ./
COPY alembic ./alembic
COPY assets ./assets
COPY snapleads_app ./snapleads_app
COPY api_ext ./api_ext
COPY workers ./workers
COPY reflex.lock ./reflex.lock

# Build the frontend once at image build (fetches .web's packages with Bun, frozen by reflex.lock/),
# so a container starts without registry access. REFLEX_API_URL is baked into the bundle; the prod
# start rebuilds with the runtime value.
ARG PUBLIC_URL=http://localhost:3000
ENV PUBLIC_URL=${PUBLIC_URL} \
    API_URL=${PUBLIC_URL} \
    REFLEX_API_URL=${PUBLIC_URL} \
    REFLEX_DEPLOY_URL=${PUBLIC_URL}
RUN reflex export --frontend-only --no-zip --env prod

# Reflex rewrites .web/ (and may refresh reflex.lock/, assets/) on every prod start.
RUN useradd --create-home --uid 10001 snapleads \
    && mkdir -p /app/data \
    && chown snapleads:snapleads /app \
    && chown -R snapleads:snapleads /app/data /app/.web /app/reflex.lock /app/assets
USER snapleads

EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=6 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/ping', timeout=2).status != 200)"

CMD ["reflex", "run", "--env", "prod", "--frontend-port", "3000", "--backend-port", "3000"]
