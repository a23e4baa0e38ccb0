# syntax=docker/dockerfile:1
# ChatPop image: build with dev dependencies, run with production ones only.
#   docker build -t chatpop:dev .
#   docker run --rm -p 3000:3000 -e SESSION_SECRET=$(openssl rand -hex 32) chatpop:dev
# Node 24 LTS on Debian slim; pin a digest in your registry mirror for reproducible builds. Another
# NODE_IMAGE should be Node 24 or later (see the CMD's note on AsyncLocalStorage); Node 22.7+ needs
# --experimental-async-context-frame added to the CMD for the same effect.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript with the full dependency set -------------------------------
FROM ${NODE_IMAGE} AS build
# argon2 falls back to compiling from source when none of its prebuilt binaries fits (libsql, the
# embedded SQLite, ships its binaries as npm packages per platform and never compiles).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY jobs ./jobs
# The SDK and the web chat at / (bundled into dist/web by the build).
COPY clients ./clients
RUN npm run build

# ---- prod-deps: production dependencies only, native modules built for this base -----------
FROM ${NODE_IMAGE} AS prod-deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts=false --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime -------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM to node and reaps the children of kubectl exec sessions.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    SHUTDOWN_TIMEOUT_MS=10000 \
    MIGRATE_ON_START=false
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json ./
# The operator jobs of package.json "bin", on PATH for `kubectl exec` and the (Cron)Jobs.
RUN chmod 0755 dist/jobs/*.js \
 && ln -s /app/dist/jobs/inspect.js /usr/local/bin/inspect \
 && ln -s /app/dist/jobs/clear-cache.js /usr/local/bin/clear-cache \
 && ln -s /app/dist/jobs/monitor.js /usr/local/bin/monitor \
 && ln -s /app/dist/jobs/migrate.js /usr/local/bin/migrate \
 && mkdir -p /app/data \
 && chown 1000:1000 /app/data
# The SQLite default writes ./data (development only; production uses PostgreSQL). In Kubernetes
# /app/data and /tmp are emptyDir mounts because the root filesystem is read-only.
# Numeric user (the image's `node` user) so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# A 32 MB young generation (V8's default is 16): a busy pod's scavenges stay short and rare. A heap
# growing factor of 4 (the next full collection at 4 × the live heap, within V8's usual heap limit):
# full collections, which decided the send acks' p99, become rare under load instead of every few
# seconds (docs/benchmark.md, fourth pass). Node 24 keeps AsyncLocalStorage on V8's continuation
# data instead of promise hooks: MikroORM enters a store on every flush, which on older Nodes runs the
# hooks on every promise of the process for good (5-6 % of the server's CPU at half the send peak,
# docs/benchmark.md, ninth and tenth passes). The bench starts the server with these flags, less
# those its own Node refuses.
CMD ["node", "--max-semi-space-size=32", "--heap-growing-percent=300", "dist/src/server.js"]
