# The image of the worker and of the HTTP API: Node 22 LTS, production dependencies only, running the
# compiled JavaScript (`npm run build`: dist/) with the workflow bundle prebuilt, so neither tsx nor
# webpack runs when a container starts (a worker with tracing or encrypted failures still bundles its
# own, from dist/workflows).
#   docker build -t llm-orchestrator:local .
#   docker run -e TEMPORAL_ADDRESS=host:7233 -e OPENAI_API_KEY=... -p 8000:8000 llm-orchestrator:local
#   docker run -e TEMPORAL_ADDRESS=host:7233 -e API_HOST=0.0.0.0 -p 8080:8080 llm-orchestrator:local \
#     node bin/llm-orchestrator.js serve

# Build stage: every dependency (esbuild, the bundler), then dist/ and dist/workflow-bundle.js.
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:22-slim

ENV NODE_ENV=production
# A heap limit makes V8 collect instead of growing: with it one worker held 1,000 provider calls in
# flight at 848 MiB RSS, without it 1.3 GiB (bench/README.md). The sticky cache is sized from it too.
ENV NODE_OPTIONS=--max-old-space-size=512
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# The data the program reads at run time (templates/, pipelines/, config/*.yaml) and the sources;
# then the build, newer than every source, so bin/llm-orchestrator.js runs dist/.
COPY . .
COPY --from=build /app/dist ./dist
# The default bundle (no codec failure converter, no tracing: those still bundle at start).
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js

# /metrics, /health, /health/ready (workers/http.ts) and the Temporal SDK's metrics
# (workers/metricsTemporal.ts); scripts/checkDeploy.ts keeps these in step with the code.
ENV WORKER_HTTP_PORT=8000 \
    TEMPORAL_METRICS_BIND=0.0.0.0:9464
# 8080: the HTTP API, when the container runs `serve` instead of the worker.
EXPOSE 8000 8080 9464

USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# SIGTERM drains the worker (in-flight activities finish or are retried elsewhere).
CMD ["node", "bin/llm-orchestrator.js", "worker"]
