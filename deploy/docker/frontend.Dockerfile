# frontend (Next.js, Better Auth). Build from the repository root:
#   docker build -f deploy/docker/frontend.Dockerfile -t todo-assistant/frontend .

# --- builder: every dependency, the production build, then only the runtime dependencies ---
FROM node:20-slim AS builder
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
ENV NEXT_TELEMETRY_DISABLED=1
WORKDIR /app
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# public/ may be absent from a clone when empty; the runtime stage copies it.
RUN mkdir -p public && npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: the build output and production node_modules, as the image's non-root `node` user ---
FROM node:20-slim
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    APP_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=builder /app/package.json /app/next.config.ts /app/tsconfig.json ./
COPY --from=builder /app/node_modules ./node_modules
COPY --from=builder /app/public ./public
# Next writes its cache under .next at run time.
COPY --from=builder --chown=node:node /app/.next ./.next
# .data holds the SQLite auth store when AUTH_DATABASE_URL is not a PostgreSQL URL.
RUN mkdir -p .data && chown node:node .data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `npm start` binds 127.0.0.1 (local use); a container must listen on every interface.
CMD ["node_modules/.bin/next", "start", "--hostname", "0.0.0.0"]
