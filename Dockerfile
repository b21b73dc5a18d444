# Leakwatch console image: the Next standalone build on Node 20 (Debian bookworm, like the test machines).
#   docker build -t leakwatch .                       (builds from source: npm ci and next build, needs the network)
# With a standalone build already prepared in the checkout (`npx next build && bash scripts/prepare-standalone.sh`),
# the build stage ships that instead and no step needs the network: scripts/build-image.sh builds this way, with
# `--network none` and BASE_IMAGE set to a bookworm base made from Debian packages (see README, Deploying).
# Run it next to a Dify stack with docker-compose.example.yml (host /proc and /sys/fs/cgroup read-only).
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /app
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN if [ -f .next/standalone/leakwatch-server.mjs ]; then \
      echo "shipping the standalone build prepared in the checkout"; \
    else \
      apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/* \
      && npm ci --no-audit --no-fund && npx next build && bash scripts/prepare-standalone.sh; \
    fi

FROM ${BASE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0 \
    LEAKWATCH_DATA_DIR=/data LEAKWATCH_PROC_ROOT=/host/proc LEAKWATCH_CGROUP_ROOT=/host/sys/fs/cgroup
COPY --from=build /app/.next/standalone ./
# The data volume belongs to the unprivileged user the console runs as (uid 1000, `node` in both bases).
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME ["/data"]
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# Node is PID 1: Next's server exits on SIGTERM (docker stop) by itself.
CMD ["node", "leakwatch-server.mjs"]
