# The worker image (docker-compose.yml builds it; any orchestrator can run it). Two stages: the
# build stage compiles the TypeScript and prebuilds the workflow bundle (`npm run build:workflows`,
# so the worker does not run webpack at start), then drops the dev dependencies; the runtime stage
# holds only what runs, as the unprivileged `node` user, with a health check on the metrics port.
#   docker build -t mimecast-archive-crawler .
#   docker run --rm mimecast-archive-crawler --help        # the CLI; the default command is `worker`

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
  && npm run build:workflows -- dist/workflow-bundle.js \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# NODE_OPTIONS: the worker's V8 heap limits (workers/node-options.ts, docs/deployment.md Memory).
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=384 --max-semi-space-size=4" \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    METRICS_PORT=9464
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/examples ./examples
COPY --from=build /app/schema ./schema
RUN ln -s /app/bin/mimecast-crawler.js /usr/local/bin/mimecast-crawler
# The official Node image's unprivileged user (uid 1000); nothing in /app is writable by it.
USER node
EXPOSE 9464
# /healthz answers once the worker is connected to Temporal and Elasticsearch and polls its queue.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["mimecast-crawler"]
CMD ["worker"]
