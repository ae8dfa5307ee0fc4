# mcp-server (tasks over MCP and REST). Build from the repository root:
#   docker build -f deploy/docker/mcp-server.Dockerfile -t todo-assistant/mcp-server .

# --- builder: the service's locked dependencies and the workspace packages, in /app/.venv ---
FROM python:3.12-slim AS builder
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /src
# The lockfile and every member's manifest first: this layer is rebuilt only when they change.
COPY pyproject.toml uv.lock ./
COPY common/pyproject.toml common/
COPY history-service/pyproject.toml history-service/
COPY mcp-server/pyproject.toml mcp-server/
COPY agent-gateway/pyproject.toml agent-gateway/
COPY testing/pyproject.toml testing/
RUN uv sync --frozen --no-dev --package todo-mcp --no-install-workspace
COPY common/ common/
COPY mcp-server/ mcp-server/
# --no-editable installs the workspace packages into the venv, so the runtime needs no source tree.
RUN uv sync --frozen --no-dev --package todo-mcp --no-editable

# --- runtime: the venv and a non-root user, nothing else ---
FROM python:3.12-slim
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/.data && chown app:app /app/.data
WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    APP_ENV=production \
    LOG_FORMAT=json \
    HOST=0.0.0.0 \
    PORT=8002
USER 10001:10001
EXPOSE 8002
# No curl in slim images: the interpreter checks /healthz itself.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8002'), timeout=2)"]
# Migrations run on start unless MIGRATE_ON_START=false (the Helm chart runs them in a Job instead).
CMD ["todo-mcp"]
